"""The ``novelkit`` command line: a thin layer over the library.

Errors novelkit raises on purpose (:class:`~novelkit.errors.NovelkitError`) and
file-system errors become one line on stderr and exit code 1, never a
traceback. Options shared by several commands are decorators defined here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import __version__
from .errors import NovelkitError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Turn novelkit and OS errors into :class:`click.ClickException` (one line, exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NovelkitError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from exc

    return wrapper  # type: ignore[return-value]


def url_argument(func: F) -> F:
    """The optional ``URL`` argument: a database URL or a plain SQLite file path."""
    return click.argument("url", required=False, metavar="[URL]")(func)


def progress_option(func: F) -> F:
    """``--progress/--no-progress``; by default a bar is shown on a terminal only."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Show a progress bar (default: only on a terminal).",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="novelkit")
def main() -> None:
    """Explore an Arboris Novel database (SQLite or MySQL) from Jupyter or the shell."""


@main.command()
@url_argument
@click.option(
    "--scale",
    type=click.Choice(["tiny", "default", "large"]),
    default="default",
    show_default=True,
    help="tiny: seconds; default: the README's database; large: benchmarks (minutes).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="The same seed always gives the same data.",
)
@click.option(
    "--generation",
    type=click.Choice(["classic", "fusion"]),
    default="fusion",
    show_default=True,
    help="Arboris schema generation: classic (17 tables) or fusion (36 tables).",
)
@click.option("--force", is_flag=True, help="Overwrite a database that is not a novelkit demo.")
@progress_option
@reports_errors
def demo(
    url: str | None, scale: str, seed: int, generation: str, force: bool, progress: bool | None
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
    from .demo import build_demo

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
