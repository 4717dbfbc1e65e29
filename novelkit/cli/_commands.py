"""The ``novelkit`` command line: a thin layer over the library.

Errors novelkit raises on purpose (:class:`~novelkit.errors.NovelkitError`) and
file-system errors become one line on stderr and exit code 1, never a
traceback. Options shared by several commands are decorators defined here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Literal, TypeVar

import click
import pandas as pd
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import __version__
from ..db import create_engine, open_session, pool_status
from ..errors import NovelkitError
from ..schema.tables import Generation
from ..text import Versions
from ._export import (
    ExportSummary,
    TableFormat,
    TextFormat,
    base64_text,
    export_tables,
    novel_text,
    portable,
)
from ._info import info_text
from ._table import render_table

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

#: How ``--format`` prints a frame.
FrameFormat = Literal["table", "csv", "json"]


#: What the CLI says when a write is refused: it has no option to allow one.
_CLI_READS_ONLY = "The novelkit CLI only reads: it has no option to change data."

#: Advice in the library's messages that names the Python API, and what a CLI user
#: types instead (replaced in this order; longer phrases before the phrases they hold).
CLI_ADVICE = (
    ("load_novels() (or db.novels())", "`novelkit novels`"),
    ("db.inspect()", "`novelkit info`"),
    ("(novelkit.tables() or db.tables lists them)", "(`novelkit info` lists them)"),
    # Writes: novelkit.sql's classifier, the SQLite guard, a MySQL read-only transaction.
    (
        "Pass read_only=False to connect() with an account allowed to write, if you really "
        "mean to.",
        _CLI_READS_ONLY,
    ),
    ("Pass read_only=False to change data in a database you own.", _CLI_READS_ONLY),
    ("Pass read_only=False on a database you own if you really need it.", _CLI_READS_ONLY),
    (
        "novelkit opens databases read-only by default; pass read_only=False (and use an "
        "account allowed to write) to change data.",
        _CLI_READS_ONLY,
    ),
    # `novelkit sql --param`.
    (
        "but params gives no value for it; add it to params.",
        "but no --param gives its value; add --param NAME=VALUE for it.",
    ),
    (
        "but the SQL has no such :name placeholder; remove it from params or use it in the SQL.",
        "but the SQL has no such :name placeholder; drop that --param or use :NAME in the SQL.",
    ),
    ("params has ", "--param gives "),
    # `novelkit sql --timeout`; the live SQLite file's own limit.
    (
        "To run longer: read a consistent copy with novelkit.connect(url, snapshot=True) "
        "(no limit), or choose a limit yourself with statement_timeout= on connect() or "
        "create_engine() (the app's writes may then fail while the query runs), or narrow "
        "the query.",
        "To run longer: choose a limit yourself with --timeout SECONDS (the app's writes may "
        "then fail while the query runs; run it on a copy made with `novelkit snapshot` to "
        "spare them), or narrow the query.",
    ),
    ("the engine's statement_timeout", "--timeout"),
    ("Raise statement_timeout= ", "Raise --timeout "),
    # Opening a database.
    ("; raise connect_timeout= for a slow network.", "."),
    (
        'Retry, raise busy_timeout=, begin writing transactions with sqlite_begin="immediate", '
        "or read from a snapshot (snapshot=True).",
        "Retry in a moment, or copy the file with `novelkit snapshot` and read the copy.",
    ),
    # Where the database is: `--env-file`, the URL argument (novelkit.db._settings).
    (
        "Pass env_file= the path of the Arboris backend's .env",
        "Give --env-file the path of the Arboris backend's .env",
    ),
    ("or a URL instead of env_file=.", "or a URL argument instead of --env-file."),
    (
        "NOVELKIT_DATABASE_URL, an explicit url=..., or env_file= the Arboris .env.",
        "NOVELKIT_DATABASE_URL, a URL argument, or --env-file with the Arboris .env.",
    ),
    ("the url argument", "the URL argument"),
    # `novelkit demo --force` (novelkit.demo._build).
    (
        "build_demo will not overwrite it. Choose another path or database, or pass "
        "force=True (--force) to replace it.",
        "novelkit demo will not overwrite it. Choose another path or database, or add "
        "--force to replace it.",
    ),
    # `novelkit search --regex`.
    (
        "pass regex=False to search for the text literally.",
        "drop --regex to search for the text literally.",
    ),
)


def for_the_cli(message: str) -> str:
    """``message`` with its Python-API advice turned into the CLI commands that do the same."""
    for python, command in CLI_ADVICE:
        message = message.replace(python, command)
    return message


def reports_errors(func: F) -> F:
    """Turn novelkit and OS errors into :class:`click.ClickException` (one line, exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NovelkitError as exc:
            raise click.ClickException(for_the_cli(str(exc))) from exc
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from exc

    return wrapper  # type: ignore[return-value]


def url_argument(func: F) -> F:
    """The optional ``URL`` argument: a database URL or a plain SQLite file path."""
    return click.argument("url", required=False, metavar="[URL]")(func)


def choice_option(
    *names: str, choices: list[str], default: str, help_text: str
) -> Callable[[F], F]:
    """An option that takes one of ``choices``, its default shown in ``--help``."""
    return click.option(
        *names,
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help_text,
    )


def count_option(name: str, *, default: int, help_text: str) -> Callable[[F], F]:
    """An option that takes a whole number >= 0, its default shown in ``--help``."""
    return click.option(
        name, type=click.IntRange(min=0), default=default, show_default=True, help=help_text
    )


def progress_option(func: F) -> F:
    """``--progress/--no-progress``; by default a bar is shown on a terminal only."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Show a progress bar (default: only on a terminal).",
    )(func)


@contextlib.contextmanager
def warnings_in_one_line() -> Iterator[None]:
    """While it lasts, novelkit's own warnings (:class:`~novelkit.StoredValueWarning`...)
    print as one line, ``warning: <message>`` on stderr.

    Python's format names the file and line of novelkit's source that warned, and
    repeats that line: nothing a CLI user can act on. Other warnings keep it.
    """
    with warnings.catch_warnings():  # restores showwarning when the command ends
        shown = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            if category.__module__.partition(".")[0] == "novelkit":
                click.echo(f"warning: {message}", err=True)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


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


def env_file_option(func: F) -> F:
    """``--env-file F``: the Arboris backend's .env, read as the app reads it."""
    return click.option(
        "--env-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The Arboris backend's .env (DATABASE_URL or DB_PROVIDER + MYSQL_*/SQLITE_DB_PATH).",
    )(func)


def format_option(
    *choices: str, default: str, help_text: str = "Output format."
) -> Callable[[F], F]:
    """``--format`` with the given choices."""
    return choice_option(
        "--format", "fmt", choices=list(choices), default=default, help_text=help_text
    )


#: ``--format`` of the commands that print rows.
_ROWS_FORMAT = format_option(
    "table",
    "csv",
    "json",
    default="table",
    help_text="Output format. csv and json write bytes (BLOB values) in base64.",
)


def out_option(name: str, *, folder: bool, help_text: str) -> Callable[[F], F]:
    """The required ``--out`` of an export, passed as ``name``: a folder, or a file."""
    return click.option(
        "--out",
        name,
        type=click.Path(file_okay=not folder, dir_okay=folder, path_type=Path),
        required=True,
        help=help_text,
    )


def _database(url: str | None, env_file: Path | None) -> URL:
    """The URL to open; the embedded demo is built first when it is the one in use."""
    from ..demo import resolve_and_prepare

    return resolve_and_prepare(url, env_file=env_file)


def records_json(frame: pd.DataFrame) -> str:
    """``frame`` as a JSON list of records: UTF-8 text as it is, times in ISO 8601 to the
    microsecond, bytes in base64, and "/" unescaped (``"storage/arboris.db"``, not
    ``"storage\\/arboris.db"``)."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column].dtype):
            # pandas would decode bytes as UTF-8, and fail on any other bytes.
            frame[column] = frame[column].map(base64_text)
    # date_unit: pandas' default, milliseconds, cut the stored microseconds.
    text = frame.to_json(orient="records", force_ascii=False, date_format="iso", date_unit="us")
    # pandas escapes every "/" and has no option not to. As every "/" it writes is
    # escaped, each backslash-slash pair is such an escape (a backslash of the data is
    # written as two backslashes, never followed by a bare "/"), so undoing it is exact.
    return text.replace("\\/", "/")


def _emit(frame: pd.DataFrame, fmt: FrameFormat) -> None:
    if fmt == "csv":
        # JSON columns as JSON text, as `novelkit export` and --format json write them.
        click.echo(portable(frame).to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(records_json(frame))
    else:
        click.echo(render_table(frame, max_colwidth=40))


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
@_ROWS_FORMAT
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
    _emit(frame, fmt)


@main.command()
@click.argument("novel_id")
@url_argument
@env_file_option
@_ROWS_FORMAT
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
    _emit(frame, fmt)


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
@_ROWS_FORMAT
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
    _emit(frame, fmt)


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
@_ROWS_FORMAT
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
    _emit(run_query(_database(url, env_file), text, values, statement_timeout=timeout), fmt)
