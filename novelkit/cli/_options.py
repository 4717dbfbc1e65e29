"""The options and arguments several commands share, as decorators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .._redact import mask_url

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
    """The optional ``URL`` argument: a database URL or a plain SQLite file path.

    Left out after an argument that is itself a database (``novelkit search
    arboris.db``: the pattern forgotten), it is a usage error: the command would
    otherwise read the default database with the URL as its novel id, pattern or SQL.
    """
    return click.argument(
        "url", required=False, metavar="[URL]", callback=_no_database_in_place_of_another
    )(func)


#: The schemes of the database URLs novelkit opens (a driver may follow a '+').
_DATABASE_SCHEMES = ("sqlite", "mysql", "mariadb")
_SQLITE_HEADER = b"SQLite format 3\x00"


def _no_database_in_place_of_another(
    ctx: click.Context, _param: click.Parameter, url: str | None
) -> str | None:
    if url is not None:
        return url
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param, click.Argument) and isinstance(value, str) and _is_database(value):
            name = param.human_readable_name
            raise click.UsageError(
                f"{name} {mask_url(value)!r} looks like a database, and no URL follows it. "
                f"Give the {name} first, then the database: novelkit {ctx.info_name} {name} "
                "URL.",
                ctx,
            )
    return url


def _is_database(value: str) -> bool:
    """A database URL of a scheme novelkit opens, or an existing SQLite file."""
    scheme, separator, _rest = value.partition("://")
    if separator:
        return scheme.partition("+")[0].lower() in _DATABASE_SCHEMES
    try:
        if not Path(value).is_file():  # not a FIFO or a device, whose read could block
            return False
        with open(value, "rb") as handle:
            return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


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
