"""Turn driver errors into novelkit's own, with a message that says what to do.

Installed on every engine novelkit creates as a ``handle_error`` listener, so it
sees connect errors and statement errors alike; SQLAlchemy still invalidates
the pool on disconnects after the listener raises.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from . import errors
from .redact import scrub

__all__ = ["install_error_translation", "translate_error"]

# MySQL / MariaDB server and client error numbers.
_MYSQL_AUTH = {1045, 1698}
_MYSQL_NO_DB_ACCESS = {1044}
_MYSQL_UNKNOWN_DB = {1049}
# 1927: the connection was killed (KILL from an admin); 4031: MySQL 8 closed an
# idle connection (wait_timeout). Both are disconnects that a new connection fixes.
_MYSQL_UNREACHABLE = {1927, 2002, 2003, 2005, 2006, 2013, 2055, 4031}
_TLS_FAILURES = ("certificate_verify_failed", "[ssl")  # ssl module: "[SSL: CODE] ..."
_MYSQL_READ_ONLY_TRANSACTION = {1792}  # the session is READ ONLY (novelkit's guard)
_MYSQL_WRITE_DENIED = {1142, 1290}  # no privilege; server started --read-only
_MYSQL_TIMEOUT = {1969, 3024, 1317}
_MYSQL_LOCK = {1205}


def _mysql_code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database}"
    return f"MySQL database {url.database!r} on {url.host}:{url.port or 3306}"


def translate_error(exc: BaseException, url: URL) -> errors.NovelkitError | None:
    """The novelkit error for a driver exception, or None to let it through unchanged."""
    password = url.password if isinstance(url.password, str) else None
    detail = scrub(str(exc), password)
    where = _where(url)
    if isinstance(exc, UnicodeError):
        return errors.ConfigurationError(
            f"A value sent to the {where} cannot be encoded ({detail}); remove lone "
            "surrogates or other unencodable characters from the filter."
        )
    if isinstance(exc, sqlite3.Error):
        return _translate_sqlite(exc, detail, where, url)
    code = _mysql_code(exc)
    if code is None:
        return None
    user = url.username or "?"
    if code in _MYSQL_AUTH:
        return errors.AuthenticationError(
            f"The server refused user {user!r} for the {where}: wrong user name or password. "
            "Check MYSQL_USER/MYSQL_PASSWORD or the URL (URL-encode special characters)."
        )
    if code in _MYSQL_NO_DB_ACCESS:
        # MariaDB answers 1044, not 1049, for a database the account may not see,
        # so that it does not reveal which databases exist.
        return errors.DatabaseNotFoundError(
            f"User {user!r} cannot open the {where}: it does not exist or the account has "
            "no rights on it. Check MYSQL_DATABASE or the URL's database name, or GRANT "
            "SELECT on it to this account."
        )
    if code in _MYSQL_UNKNOWN_DB:
        return errors.DatabaseNotFoundError(
            f"The {where} does not exist. Check MYSQL_DATABASE or the database part of the "
            "URL (Arboris uses 'arboris' by default)."
        )
    if code in _MYSQL_UNREACHABLE and any(mark in detail.lower() for mark in _TLS_FAILURES):
        return errors.ServerUnavailableError(
            f"The TLS handshake with the {where} failed, so nothing was sent: {detail}. "
            "Check that ssl_ca is the CA that signed the server's certificate (and that the "
            "certificate names this host), and that ssl_cert/ssl_key are a pair the server accepts."
        )
    if code in _MYSQL_UNREACHABLE:
        return errors.ServerUnavailableError(
            f"Cannot reach the {where}: {detail}. Check that the server is running and that "
            "host and port are right; raise connect_timeout= for a slow network."
        )
    if code in _MYSQL_READ_ONLY_TRANSACTION:
        return errors.ReadOnlyError(
            f"The {where} refused a write: {detail}. novelkit opens databases read-only by "
            "default; pass read_only=False (and use an account allowed to write) to change data."
        )
    if code in _MYSQL_WRITE_DENIED and "select command denied" not in detail.lower():
        return errors.ReadOnlyError(
            f"User {user!r} may not write to the {where}: {detail}. The account (or the "
            "server) is read-only, whatever read_only= says; connect with an account that "
            "has write rights to change data."
        )
    if code in _MYSQL_TIMEOUT:
        return errors.QueryTimeoutError(
            f"A statement on the {where} was stopped: {detail}. Raise statement_timeout= "
            "or narrow the query (filter by novel_id)."
        )
    if code in _MYSQL_LOCK:
        return errors.LockTimeoutError(
            f"The {where} stayed locked too long: {detail}. Retry when the app is idle."
        )
    return None


def _is_empty_file(url: URL) -> bool:
    database = url.database
    if not database or database == ":memory:":
        return False
    try:
        return Path(database).stat().st_size == 0
    except OSError:
        return False


def _translate_sqlite(
    exc: sqlite3.Error, detail: str, where: str, url: URL
) -> errors.NovelkitError | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    message = str(exc).lower()
    if name.startswith("SQLITE_READONLY") or "readonly database" in message:
        return errors.ReadOnlyError(
            f"The {where} is opened read-only and refused a write ({detail}). "
            "Pass read_only=False to change data in a database you own."
        )
    if name == "SQLITE_AUTH" or "not authorized" in message or "authorization denied" in message:
        return errors.ReadOnlyError(
            f"The read-only guard on the {where} refused this statement ({detail}): "
            "ATTACH, VACUUM INTO and setting PRAGMAs are blocked. Pass read_only=False "
            "on a database you own if you really need it."
        )
    if "too many attached databases" in message:
        return errors.ReadOnlyError(
            f"The read-only guard on the {where} refused ATTACH/VACUUM INTO ({detail}). "
            "Pass read_only=False on a database you own if you really need it."
        )
    if name in {"SQLITE_BUSY", "SQLITE_LOCKED"} or "database is locked" in message:
        return errors.LockTimeoutError(
            f"The {where} stayed locked by another connection past the busy timeout, or a "
            f"write in a transaction that began by reading could not take the write lock "
            f"(SQLite refuses that at once) ({detail}). Retry, raise busy_timeout=, begin "
            'writing transactions with sqlite_begin="immediate", or read from a snapshot '
            "(snapshot=True)."
        )
    if name == "SQLITE_NOTADB" or "file is not a database" in message:
        return errors.NotArborisDatabaseError(
            f"The {where} is not a SQLite database ({detail}). Point novelkit at the Arboris "
            "file (storage/arboris.db in the backend folder)."
        )
    if "no such table" in message and _is_empty_file(url):
        return errors.NotArborisDatabaseError(
            f"The {where} is an empty file (0 bytes), not an Arboris database ({detail}). "
            "Point novelkit at the Arboris file (storage/arboris.db in the backend folder); "
            "an empty file is what opening a wrong path with create=True leaves behind."
        )
    if name == "SQLITE_CANTOPEN" or "unable to open database" in message:
        return errors.DatabaseNotFoundError(
            f"Cannot open the {where} ({detail}). Check that the file and its folder exist "
            "and are readable."
        )
    if name == "SQLITE_INTERRUPT" or message == "interrupted":
        return errors.QueryTimeoutError(
            f"A statement on the {where} was interrupted ({detail}). Raise statement_timeout= "
            "or narrow the query."
        )
    return None


def install_error_translation(engine: AsyncEngine, url: URL) -> None:
    """Make ``engine`` raise novelkit errors in place of the driver's."""

    def _on_error(context: ExceptionContext) -> Any:
        # Pre-ping must see the raw disconnect so that it can reconnect.
        if context.is_pre_ping:
            return None
        new = translate_error(context.original_exception, url)
        if new is not None:
            raise new
        return None

    event.listen(engine.sync_engine, "handle_error", _on_error)
