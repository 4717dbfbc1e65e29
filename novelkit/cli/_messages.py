"""How problems reach a CLI user: one line on stderr, in the CLI's own words.

Errors novelkit raises on purpose (:class:`~novelkit.errors.NovelkitError`) and
file-system errors become one line and exit code 1, never a traceback; their advice
is rewritten from the Python API (``env_file=``, ``force=True``) into the options a
CLI user types. novelkit's own warnings print as one line too. No error the CLI
prints shows a URL's password, click's usage errors included: they quote back the
argument they did not expect, which may be a URL typed in the wrong place.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from .._redact import mask_url
from ..errors import NovelkitError

__all__ = [
    "CLI_ADVICE",
    "PasswordHidingGroup",
    "for_the_cli",
    "reports_errors",
    "warnings_in_one_line",
]

F = TypeVar("F", bound=Callable[..., Any])


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
    # `novelkit demo` with an account that may only read.
    (
        "The account (or the server) is read-only, whatever read_only= says; connect with an "
        "account that has write rights to change data.",
        "The account (or the server) is read-only: give novelkit demo the URL of an account "
        "that may create and fill tables in that database.",
    ),
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
    ("the engine's statement_timeout", "the --timeout"),
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


class PasswordHidingGroup(click.Group):
    """A click group whose errors never show a URL's password.

    click quotes back what it could not use (``Got unexpected extra argument
    (mysql://user:pw@host/db)``, ``No such command``), and a command that took a URL
    as its novel id or pattern quotes that back too. Every :class:`click.ClickException`
    raised while the command line is read or a command runs is masked here, before
    click prints it.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _passwords_masked():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _passwords_masked():
            return super().invoke(ctx)


@contextlib.contextmanager
def _passwords_masked() -> Iterator[None]:
    try:
        yield
    except click.ClickException as exc:
        # Final in click's stubs, but format_message() reads it when click prints the
        # error; the subclasses' own constructors differ, so it is masked in place.
        exc.message = mask_url(exc.message)  # type: ignore[misc]
        raise


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
