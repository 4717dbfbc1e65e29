"""The ``novelkit`` command line: the click group and its commands, a thin layer
over the library. How errors show is :mod:`._messages`; the shared options are
:mod:`._options`; how rows print is :mod:`._output`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
import pandas as pd
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import __version__
from ..db import create_engine, open_session, pool_status
from ..schema.tables import Generation
from ..text import Versions
from ._export import (
    ExportSummary,
    TableFormat,
    TextFormat,
    export_tables,
    novel_text,
)
from ._info import info_text
from ._messages import reports_errors, warnings_in_one_line
from ._options import (
    ROWS_FORMAT,
    choice_option,
    count_option,
    env_file_option,
    format_option,
    out_option,
    progress_option,
    url_argument,
)
from ._output import FrameFormat, emit

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="novelkit")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Explore an Arboris Novel database (SQLite or MySQL) from Jupyter or the shell."""
    # One home for every command: the group's context outlives the command's.
    ctx.with_resource(warnings_in_one_line())


@main.command()
@url_argument
@choice_option(
    "--scale",
    choices=["tiny", "default", "large"],
    default="default",
    help_text="tiny: seconds; default: the README's database; large: benchmarks (minutes).",
)
@count_option("--seed", default=0, help_text="The same seed always gives the same data.")
@choice_option(
    "--generation",
    choices=["classic", "fusion"],
    default="fusion",
    help_text="Arboris schema generation: classic (17 tables) or fusion (36 tables).",
)
@click.option("--force", is_flag=True, help="Overwrite a database that is not a novelkit demo.")
@progress_option
@reports_errors
def demo(
    url: str | None,
    scale: str,
    seed: int,
    generation: Generation,
    force: bool,
    progress: bool | None,
) -> None:
    """Build a demo Arboris database at URL (a file path or a MySQL URL).

    Without URL, the embedded default location is used (under $NOVELKIT_HOME or
    the per-user data folder). An existing demo is rebuilt; any other database
    is left alone unless --force is given. MySQL databases must exist already.

    \b
    Examples:
      novelkit demo demo.db --scale tiny
      novelkit demo mysql://user:password@localhost/arboris_demo --generation classic
    """
    from ..demo import build_demo

    summary = build_demo(
        url, scale=scale, seed=seed, generation=generation, force=force, progress=progress
    )
    counts = summary.counts
    click.echo(
        f"Built the {summary.scale} {summary.generation} demo (seed {summary.seed}) "
        f"at {summary.url} in {summary.seconds:.1f} s:"
    )
    click.echo(
        f"  {counts['novel_projects']:,} projects, {counts['chapter_outlines']:,} outlines, "
        f"{counts['chapters']:,} chapters, {counts['chapter_versions']:,} versions; "
        f"{summary.total_rows:,} rows in {len(counts)} tables."
    )


# -- reading commands ---------------------------------------------------------------


def _database(url: str | None, env_file: Path | None) -> URL:
    """The URL to open; the embedded demo is built first when it is the one in use."""
    from ..demo import resolve_and_prepare

    return resolve_and_prepare(url, env_file=env_file)


async def _with_engine(url: URL, work: Callable[[AsyncEngine], Awaitable[Any]]) -> Any:
    engine = create_engine(url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


@main.command()
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

    click.echo(asyncio.run(_with_engine(_database(url, env_file), work)))


@main.command()
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

    frame = asyncio.run(_with_engine(_database(url, env_file), work))
    if fmt == "table":
        frame = frame[
            ["project_id", "title", "status", "outlines", "chapters", "completed", "progress"]
        ]
    emit(frame, fmt)


@main.command()
@click.argument("novel_id")
@url_argument
@env_file_option
@ROWS_FORMAT
@reports_errors
def outlines(novel_id: str, url: str | None, env_file: Path | None, fmt: FrameFormat) -> None:
    """The planned chapters (outlines) of the novel NOVEL_ID (its project id).

    \b
    Example:
      novelkit outlines 0f8e...-uuid storage/arboris.db
    """
    from ..loaders import load_outlines

    async def work(engine: AsyncEngine) -> pd.DataFrame:
        async with open_session(engine) as session:
            return await load_outlines(session, novel_id)

    frame = asyncio.run(_with_engine(_database(url, env_file), work))
    if fmt == "table":
        frame = frame[["chapter_number", "title", "summary"]]
    emit(frame, fmt)


@main.command()
@click.argument("pattern")
@url_argument
@env_file_option
@click.option(
    "--novel",
    "novel_ids",
    multiple=True,
    metavar="ID",
    help="Only this novel (its project id); repeat for several. Default: every novel.",
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

    frame = asyncio.run(_with_engine(_database(url, env_file), work))
    if fmt == "table" and frame.empty:
        click.echo(f"No match for {pattern!r}.")
        return
    emit(frame, fmt)


@main.command()
@url_argument
@env_file_option
@format_option(
    "parquet",
    "csv",
    default="parquet",
    help_text="File format. Bytes (BLOB values): binary in Parquet, base64 in CSV.",
)
@out_option("out_dir", folder=True, help_text="Folder for one file per table (created if missing).")
@click.option(
    "--tables",
    default=None,
    metavar="NAMES",
    help="Only these tables, comma-separated (default: every table, a fork's own included).",
)
@progress_option
@reports_errors
def export(
    url: str | None,
    env_file: Path | None,
    fmt: TableFormat,
    out_dir: Path,
    tables: str | None,
    progress: bool | None,
) -> None:
    """Every table to Parquet or CSV files, a fork's own tables included, secrets redacted.

    \b
    Examples:
      novelkit export storage/arboris.db --format parquet --out arboris-export/
      novelkit export storage/arboris.db --tables novel_projects,chapters --out some/
    """
    chosen = [t.strip() for t in tables.split(",") if t.strip()] if tables is not None else None
    if chosen == []:
        raise click.BadParameter(
            f"{tables!r} names no table; give table names separated by commas (e.g. "
            "--tables novel_projects,chapters), or leave --tables out for every table.",
            param_hint="--tables",
        )

    async def work(engine: AsyncEngine) -> ExportSummary:
        return await export_tables(engine, out_dir, fmt=fmt, tables=chosen, progress=progress)

    summary = asyncio.run(_with_engine(_database(url, env_file), work))
    forks = summary.fork_tables
    note = f" ({len(forks)} of a fork's own: {', '.join(forks)})" if forks else ""
    count = len(summary.files)
    click.echo(f"Wrote {count} {'table' if count == 1 else 'tables'} to {out_dir}{note}")


@main.command("export-text")
@click.argument("novel_id")
@url_argument
@env_file_option
@format_option("txt", "markdown", default="txt")
@out_option("out_file", folder=False, help_text="The text file to write ('-' for standard output).")
@reports_errors
def export_text(
    novel_id: str, url: str | None, env_file: Path | None, fmt: TextFormat, out_file: Path
) -> None:
    """The novel's selected chapter texts, in chapter order, with their titles.

    Line endings are normalised; chapters without a selected version are listed
    at the end rather than dropped.

    \b
    Example:
      novelkit export-text 0f8e...-uuid storage/arboris.db --format markdown --out novel.md
    """

    async def work(engine: AsyncEngine) -> str:
        return await novel_text(engine, novel_id, fmt=fmt)

    text = asyncio.run(_with_engine(_database(url, env_file), work))
    if str(out_file) == "-":
        click.echo(text, nl=False)
    else:
        out_file.write_text(text, encoding="utf-8", newline="\n")
        click.echo(f"Wrote {out_file}")


@main.command()
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def snapshot(src: Path, dest: Path) -> None:
    """A consistent copy of the live SQLite database SRC, written to DEST.

    Taken in one step with the sqlite3 backup API: the app's writers wait only
    while it lasts. DEST must not exist.
    """
    from ..db import snapshot_sqlite

    copy = snapshot_sqlite(src, dest)
    click.echo(f"Wrote {copy} ({copy.stat().st_size:,} bytes)")


# No ignore_unknown_options: a mistyped option (--prot) was passed on to Jupyter, which
# only logs it and starts on its default port. Jupyter's own options go after --.
@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Server port.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.argument("jupyter_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- JUPYTER_ARGS...]")
@reports_errors
def lab(port: int | None, ip: str, no_browser: bool, jupyter_args: tuple[str, ...]) -> None:
    """JupyterLab on the bundled notebooks, over the configured database.

    Builds the embedded demo database first when it is the one in use. Jupyter
    prints its URL with a fresh token; Ctrl-C stops the server and its kernels.
    Arguments after -- go to Jupyter.

    \b
    Examples:
      novelkit lab
      novelkit lab --port 8899 --no-browser -- --ServerApp.token=mytoken
    """
    from ._lab import run_lab

    code = run_lab(port=port, ip=ip, browser=not no_browser, extra=jupyter_args)
    if code:
        raise click.exceptions.Exit(code)


@main.command("sql")
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
    emit(run_query(_database(url, env_file), text, values, statement_timeout=timeout), fmt)
