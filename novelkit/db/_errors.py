"""Driver errors turned into novelkit's own, with a message that says what to do.

Installed on every engine novelkit creates as a ``handle_error`` listener, so it
sees connect errors and statement errors alike; SQLAlchemy still invalidates
the pool on disconnects after the listener raises. What differs per backend is
in :func:`._sqlite.translate_sqlite_error` and :func:`._mysql.translate_mysql_error`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import errors
from .._redact import scrub
from ._facts import engine_facts
from ._mysql import translate_mysql_error
from ._sqlite import translate_sqlite_error

__all__ = ["database_where", "driver_message", "install_error_translation", "translate_error"]


def driver_message(exc: BaseException | None) -> tuple[int | str | None, str]:
    """A driver error's code and its own message.

    asyncmy's errors are ``(code, message)`` pairs, which ``str()`` shows as a Python
    tuple; sqlite3's carry their code as an attribute.
    """
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorname", None) or getattr(exc, "sqlite_errorcode", None)
        return code, str(exc)
    args: tuple[Any, ...] = getattr(exc, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    return code, str(args[1]) if len(args) > 1 else str(exc)


def database_where(url: URL) -> str:
    """The database ``url`` names, as error messages say it (never its password)."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database}"
    return f"MySQL database {url.database!r} on {url.host}:{url.port or 3306}"


def translate_error(
    exc: BaseException, url: URL, statement_timeout: float | None = None
) -> errors.NovelkitError | None:
    """The novelkit error for a driver exception, or None to let it through unchanged.

    ``statement_timeout`` is the engine's limit, named when a statement is stopped.
    """
    password = url.password if isinstance(url.password, str) else None
    code, text = driver_message(exc)
    # MySQL's message with its code after it, as QueryError shows it; sqlite3's as is.
    told = f"{text} ({code})" if code is not None and not isinstance(exc, sqlite3.Error) else text
    detail = scrub(told, password)
    where = database_where(url)
    if isinstance(exc, UnicodeError):
        return errors.ConfigurationError(
            f"A value sent to the {where} cannot be encoded ({detail}); remove lone "
            "surrogates or other unencodable characters from the filter."
        )
    if url.get_backend_name() == "sqlite":
        return translate_sqlite_error(exc, detail, where, url, statement_timeout)
    return translate_mysql_error(exc, detail, where, url, statement_timeout)


def install_error_translation(engine: AsyncEngine, url: URL) -> None:
    """Make ``engine`` raise novelkit errors in place of the driver's."""

    def _on_error(context: ExceptionContext) -> Any:
        # Pre-ping must see the raw disconnect so that it can reconnect.
        if context.is_pre_ping:
            return None
        facts = engine_facts(context.engine) if context.engine is not None else None
        limit = facts.statement_timeout if facts is not None else None
        new = translate_error(context.original_exception, url, limit)
        if new is not None:
            raise new
        return None

    event.listen(engine.sync_engine, "handle_error", _on_error)
