"""The options and arguments several commands share, as decorators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = [
    "ROWS_FORMAT",
    "choice_option",
    "count_option",
    "env_file_option",
    "format_option",
    "out_option",
    "progress_option",
    "url_argument",
]

F = TypeVar("F", bound=Callable[..., Any])


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
ROWS_FORMAT = format_option(
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
