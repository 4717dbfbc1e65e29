"""The commands that read a database and print what they find: ``info``, ``novels``,
``outlines``, ``search`` and ``sql``.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click
import pandas as pd
from sqlalchemy.ext.asyncio import AsyncEngine

from ..db import open_session, pool_status
from ..text import Versions
from ._database import database_url, run_on_engine
from ._info import info_text
from ._loop import run_command
from ._messages import reports_errors
from ._options import (
    ROWS_FORMAT,
    choice_option,
    count_option,
    env_file_option,
    progress_option,
    url_argument,
)
from ._output import FrameFormat, emit

__all__ = ["info", "novels", "outlines", "search", "sql"]


@click.command()
@url_argument
@env_file_option
@reports_errors
def info(url: str | None, env_file: Path | None) -> None:
    """Backend, generation, tables with row counts, missing/extra parts, pool settings.

    \b
    Examples:
      novelkit info
      novelkit info /srv/arboris/storage/arboris.db
      novelkit info --env-file /srv/arboris/backend/.env
    """
    from ..schema.inspect import inspect_database

    async def work(engine: AsyncEngine) -> str:
        return info_text(await inspect_database(engine), pool_status(engine))

    click.echo(run_command(run_on_engine(database_url(url, env_file), work)))


@click.command()
@url_argument
@env_file_option
@ROWS_FORMAT
@reports_errors
def novels(url: str | None, env_file: Path | None, fmt: FrameFormat) -> None:
    """One line per novel: status, outlines, chapters, completed, progress.

    \b
    Examples:
      novelkit novels
      novelkit novels mysql://reader:pw@db/arboris --format csv > novels.csv
    """
    from ..loaders import load_novels

    async def work(engine: AsyncEngine) -> pd.DataFrame:
        async with open_session(engine) as session:
            return await load_novels(session)

    frame = run_command(run_on_engine(database_url(url, env_file), work))
    if fmt == "table":
        frame = frame[
            ["project_id", "title", "status", "outlines", "chapters", "completed", "progress"]
        ]
    emit(frame, fmt)


@click.command()
@click.argument("novel_id")
@url_argument
@env_file_option
@ROWS_FORMAT
@reports_errors
def outlines(novel_id: str, url: str | None, env_file: Path | None, fmt: FrameFormat) -> None:
    """The planned chapters (outlines) of the novel NOVEL_ID.

    NOVEL_ID is its project id, or a unique prefix of 6 or more characters of it
    ('novelkit novels' lists them).

    \b
    Example:
      novelkit outlines 0f8e...-uuid storage/arboris.db
    """
    from ..loaders import load_outlines

    async def work(engine: AsyncEngine) -> pd.DataFrame:
        async with open_session(engine) as session:
            return await load_outlines(session, novel_id)

    frame = run_command(run_on_engine(database_url(url, env_file), work))
    if fmt == "table":
        frame = frame[["chapter_number", "title", "summary"]]
    emit(frame, fmt)


@click.command()
@click.argument("pattern")
@url_argument
@env_file_option
@click.option(
    "--novel",
    "novel_ids",
    multiple=True,
    metavar="ID",
    help="Only this novel (its project id, or a unique prefix of 6+ characters); repeat "
    "for several. Default: every novel.",
)
@click.option("--regex", is_flag=True, help="PATTERN is a Python regular expression.")
@choice_option(
    "--versions",
    choices=["selected", "latest", "all"],
    default="selected",
    help_text="selected: the text the app shows; latest: each chapter's newest version; all.",
)
@click.option("--case-sensitive", is_flag=True, help="Tell case (and full/half width) apart.")
@count_option("--context", default=20, help_text="Characters of context each side.")
@ROWS_FORMAT
@progress_option
@reports_errors
def search(
    pattern: str,
    url: str | None,
    env_file: Path | None,
    novel_ids: tuple[str, ...],
    regex: bool,
    versions: Versions,
    case_sensitive: bool,
    context: int,
    fmt: FrameFormat,
    progress: bool | None,
) -> None:
    """Every match of PATTERN in the chapter texts, with its context.

    Texts are compared in Unicode NFC, ignoring case and full/half width unless
    --case-sensitive; line breaks in the context show as ⏎. One line per match:
    novel, chapter number, version, offset, context.

    \b
    Examples:
      novelkit search 林墨
      novelkit search "第[一二三]章" storage/arboris.db --regex --versions all
      novelkit search AI --novel 0f8e...-uuid --format csv > hits.csv
    """
    from ..text import search_text

    async def work(engine: AsyncEngine) -> pd.DataFrame:
        async with open_session(engine) as session:
            return await search_text(
                session,
                pattern,
                novel_id=list(novel_ids) or None,
                versions=versions,
                regex=regex,
                ignore_case=not case_sensitive,
                context=context,
                progress=progress,
            )

    frame = run_command(run_on_engine(database_url(url, env_file), work))
    if fmt == "table" and frame.empty:
        click.echo(f"No match for {pattern!r}.")
        return
    emit(frame, fmt)


@click.command("sql")
@click.argument("query")
@url_argument
@env_file_option
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for the :NAME placeholder, bound as text (repeat for each).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop the query after this many seconds (statement_timeout).",
)
@ROWS_FORMAT
@reports_errors
def sql(
    query: str,
    url: str | None,
    env_file: Path | None,
    params: tuple[str, ...],
    timeout: float | None,
    fmt: FrameFormat,
) -> None:
    """Run one read-only SQL QUERY ('-' reads it from standard input) and print the rows.

    :NAME placeholders are bound to --param values, never written into the SQL.
    Anything but one read statement is refused. On a live SQLite file in
    rollback-journal mode the query stops after 4 s unless --timeout says
    otherwise (run long queries on a copy made with 'novelkit snapshot', where
    they cannot make the app's writes fail).

    \b
    Examples:
      novelkit sql "SELECT status, COUNT(*) AS n FROM chapters GROUP BY status"
      novelkit sql "SELECT title FROM novel_projects WHERE status = :s" --param s=completed
      echo "SELECT * FROM users" | novelkit sql - storage/arboris.db --format csv
    """
    from ._sql import parse_params, run_query

    with click.open_file("-", encoding="utf-8") if query == "-" else nullcontext() as stream:
        text = stream.read() if stream is not None else query
    values = parse_params(params)
    emit(run_query(database_url(url, env_file), text, values, statement_timeout=timeout), fmt)
