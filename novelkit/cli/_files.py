"""The commands that write files: ``export`` (tables), ``export-text`` (a novel's text)
and ``snapshot`` (a copy of a live SQLite database).
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from ._database import database_url, run_on_engine
from ._export import (
    ExportSummary,
    TableFormat,
    TextFormat,
    export_tables,
    novel_text,
)
from ._loop import run_command
from ._messages import reports_errors
from ._options import (
    env_file_option,
    format_option,
    out_option,
    progress_option,
    url_argument,
)

__all__ = ["export", "export_text", "snapshot"]


@click.command()
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

    summary = run_command(run_on_engine(database_url(url, env_file), work))
    forks = summary.fork_tables
    note = f" ({len(forks)} of a fork's own: {', '.join(forks)})" if forks else ""
    count = len(summary.files)
    click.echo(f"Wrote {count} {'table' if count == 1 else 'tables'} to {out_dir}{note}")


@click.command("export-text")
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

    NOVEL_ID is its project id, or a unique prefix of 6 or more characters of it
    ('novelkit novels' lists them). Line endings are normalised; chapters without a
    selected version are listed at the end rather than dropped.

    \b
    Example:
      novelkit export-text 0f8e...-uuid storage/arboris.db --format markdown --out novel.md
    """

    async def work(engine: AsyncEngine) -> str:
        return await novel_text(engine, novel_id, fmt=fmt)

    text = run_command(run_on_engine(database_url(url, env_file), work))
    if str(out_file) == "-":
        click.echo(text, nl=False)
    else:
        out_file.write_text(text, encoding="utf-8", newline="\n")
        click.echo(f"Wrote {out_file}")


@click.command()
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
