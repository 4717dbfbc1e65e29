"""Engines and sessions for Arboris databases, with the app's per-backend settings.

The Arboris app makes one async engine per backend: SQLite with ``NullPool``,
``check_same_thread=False`` and no pre-ping; MySQL with ``pool_pre_ping=True``
and ``pool_recycle=3600``. :func:`create_engine` does the same, read-only by
default, and turns driver errors into :mod:`novelkit.errors`. Nothing here runs
at import: engines exist only when you ask for one, and whoever creates an
engine disposes it (``await engine.dispose()``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import aiosqlite
import asyncmy
import asyncmy.errors
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool, StaticPool

from .cancel import install_kill_on_cancel
from .config import is_sqlite, resolve_url, sqlite_path
from .errors import ConfigurationError, DatabaseNotFoundError
from .pool import LeakReport, PoolCounters, PoolStatus, pool_counters, pool_status, track_leaks
from .redact import mask_url
from .sqlite_guard import connection_class
from .timeouts import install_sqlite_cancellation, install_statement_timeout
from .tls import tls_context
from .translate import install_error_translation

__all__ = [
    "EchoLevel",
    "LeakReport",
    "PoolCounters",
    "PoolStatus",
    "create_engine",
    "describe_engine",
    "echo",
    "get_session",
    "open_session",
    "pool_counters",
    "pool_status",
    "resolve_url",
    "session_factory",
    "set_echo",
    "track_leaks",
]

EchoLevel = bool | Literal["debug"]

log = logging.getLogger("novelkit.db")


def _sqlite_uri(path: Path, *, read_only: bool) -> str:
    # Percent-encode the whole path so that spaces, '#', '?', '%' and '&' stay
    # part of the file name instead of being read as URI syntax.
    mode = "ro" if read_only else "rw"
    return f"file:{quote(str(path.resolve()), safe='/')}?mode={mode}"


def _check_sqlite_file(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise DatabaseNotFoundError(
            f"{path} is a folder, not a SQLite file. Give the path of the database file "
            "inside it (Arboris keeps it at storage/arboris.db)."
        )
    if path.exists():
        return
    if not create:
        missing = path if path.parent.is_dir() else path.parent
        raise DatabaseNotFoundError(
            f"No SQLite database at {path} ({missing} does not exist). Check the path "
            "(Arboris keeps it at <backend>/storage/arboris.db; in Docker, in the "
            "sqlite-data volume), or pass create=True to start an empty database."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()


def _sqlite_engine(
    url: URL,
    *,
    read_only: bool,
    create: bool,
    busy_timeout: float,
    single_writer: bool,
    options: dict[str, Any],
) -> AsyncEngine:
    path = sqlite_path(url)
    factory = connection_class(read_only=read_only, busy_timeout_ms=int(busy_timeout * 1000))
    extra_args = dict(options.pop("connect_args", {}))
    if path is None:
        target, use_uri = ":memory:", False
        options.setdefault("poolclass", StaticPool)
    else:
        _check_sqlite_file(path, create=create)
        target, use_uri = _sqlite_uri(path, read_only=read_only), True
        if single_writer and "poolclass" not in options:
            # SQLite lets one transaction write at a time, and its busy handler is
            # not fair: a writer that has waited longest polls least often, so
            # with many writer coroutines some starve past the busy timeout.
            # One pooled connection makes them queue first-come, first-served in
            # the pool (pool_timeout) instead; other processes still get the
            # busy timeout.
            options.setdefault("pool_size", 1)
            options.setdefault("max_overflow", 0)
            options["poolclass"] = AsyncAdaptedQueuePool
        options.setdefault("poolclass", NullPool)

    def connect() -> aiosqlite.Connection:
        return aiosqlite.connect(
            target,
            uri=use_uri,
            factory=factory,
            check_same_thread=False,
            timeout=busy_timeout,
            **extra_args,
        )

    options.setdefault("pool_pre_ping", False)
    return create_async_engine(url, async_creator=connect, **options)


def _explicit_begin(engine: AsyncEngine, mode: str) -> None:
    """Let novelkit, not the sqlite3 module, emit BEGIN, so that it can be IMMEDIATE."""

    @event.listens_for(engine.sync_engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        # The sqlite3 module would otherwise open transactions itself, lazily,
        # with a plain (deferred) BEGIN before the first write.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(f"BEGIN {mode}")


def _mysql_engine(
    url: URL,
    *,
    read_only: bool,
    connect_timeout: float,
    tls: dict[str, Any],
    options: dict[str, Any],
) -> AsyncEngine:
    connect_args: dict[str, Any] = {"connect_timeout": connect_timeout, "charset": "utf8mb4"}
    context = tls_context(url, tls)
    if context is not None:
        connect_args["ssl"] = context  # in place of the dialect's dict from the URL query
    connect_args.update(options.pop("connect_args", {}))
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_recycle", 3600)

    async def connect() -> Any:
        # asyncmy's connect_timeout covers the TCP connect only: a server (or
        # anything else) that accepts the connection but never sends the MySQL
        # handshake would hang forever. Bound the whole handshake instead.
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
        # cancellation that lands as the connect completes, and the cancelled
        # task would then go on to run its query. A connect that is cancelled or
        # fails midway closes its socket here (asyncmy leaves it open).
        cargs, cparams = engine.sync_engine.dialect.create_connect_args(engine.url)
        cparams.update(connect_args)
        conn = asyncmy.Connection(*cargs, **cparams)
        try:
            async with asyncio.timeout(connect_timeout):
                await conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise asyncmy.errors.OperationalError(
                2013,
                f"no MySQL handshake from {url.host}:{url.port or 3306} within "
                f"connect_timeout={connect_timeout} s",
            ) from exc
        except BaseException:
            conn.close()
            raise
        return conn

    engine = create_async_engine(url, async_creator=connect, **options)
    install_kill_on_cancel(engine, connect, timeout=connect_timeout)
    if read_only:

        @event.listens_for(engine.sync_engine, "connect")
        def _session_read_only(dbapi_connection: Any, _record: Any) -> None:
            # SET SESSION, not START TRANSACTION READ ONLY: DDL commits implicitly
            # and would slip past a transaction-level flag.
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.close()

    return engine


def create_engine(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    echo: EchoLevel = False,
    read_only: bool = True,
    create: bool = False,
    connect_timeout: float = 10,
    busy_timeout: float = 5.0,
    statement_timeout: float | None = None,
    sqlite_begin: Literal["deferred", "immediate"] | None = None,
    ssl_ca: str | os.PathLike[str] | None = None,
    ssl_cert: str | os.PathLike[str] | None = None,
    ssl_key: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> AsyncEngine:
    """Create an async engine for an Arboris database with the app's settings.

    Parameters
    ----------
    url
        A URL or SQLite file path; see :func:`resolve_url` for what is used when
        it is None.
    env_file
        The Arboris backend's ``.env``, read as the app reads it.
    echo
        ``True`` logs SQL, ``"debug"`` also rows; change it later with
        :func:`set_echo` or :func:`echo`.
    read_only
        Default True. SQLite: ``mode=ro``, ``query_only`` and a guard against
        ``ATTACH``, ``VACUUM INTO`` and setting PRAGMAs. MySQL: every connection
        runs ``SET SESSION TRANSACTION READ ONLY``; a SELECT-only account is the
        real boundary there.
    create
        SQLite only: create the file (and its folder) when missing.
    connect_timeout
        Seconds to wait for a MySQL server before :class:`ServerUnavailableError`:
        the TCP connect and the whole handshake, so a server that accepts the
        connection but never answers fails in time too.
    busy_timeout
        Seconds a SQLite connection waits for a lock (the app uses 5).
    statement_timeout
        Seconds after which a statement is stopped in the database itself and
        :class:`QueryTimeoutError` raised (SQLite: a progress handler; MariaDB:
        ``max_statement_time``). None: no limit.
    sqlite_begin
        How SQLite transactions start. None (default): the sqlite3 module's own
        way, which opens no transaction for SELECTs (so reads hold no lock between
        statements) and a deferred one before the first write. ``"immediate"``:
        every transaction starts with ``BEGIN IMMEDIATE`` and takes the write lock
        at once, so concurrent read-modify-write transactions wait for each other
        (within the busy timeout) instead of failing when they upgrade: use it for
        a writer engine. Such an engine on a file keeps one pooled connection
        (unless ``poolclass=`` says otherwise), so its coroutines take turns in
        arrival order (waiting up to ``pool_timeout``, 30 s) rather than race for
        SQLite's lock. ``"deferred"``: an explicit plain ``BEGIN``.
    ssl_ca, ssl_cert, ssl_key
        MySQL: TLS with this CA certificate (the server's certificate and host
        name are verified; a server the CA did not sign is refused) and this
        client certificate and unencrypted key, all PEM files. The same names
        also work in the URL query (``?ssl_ca=...``); a keyword wins.
    **overrides
        Passed to :func:`sqlalchemy.ext.asyncio.create_async_engine`, overriding
        novelkit's defaults (``poolclass``, ``pool_size``, ``pool_pre_ping``...).

    Raises
    ------
    ConfigurationError, DatabaseNotFoundError

    Examples
    --------
    >>> engine = create_engine("sqlite:///storage/arboris.db")  # doctest: +SKIP
    >>> async with open_session(engine) as session:             # doctest: +SKIP
    ...     novels = await novelkit.load_novels(session)
    >>> await engine.dispose()                                  # doctest: +SKIP
    """
    resolved = resolve_url(url, env_file=env_file)
    if echo not in (True, False, "debug"):
        raise ConfigurationError(f"echo={echo!r} is not valid; use True, False or 'debug'.")
    if sqlite_begin not in (None, "deferred", "immediate"):
        raise ConfigurationError(
            f"sqlite_begin={sqlite_begin!r} is not valid; use 'deferred' or 'immediate'."
        )
    if statement_timeout is not None and not statement_timeout > 0:
        raise ConfigurationError(
            f"statement_timeout={statement_timeout!r} is not valid; give seconds > 0 or None."
        )
    if is_sqlite(resolved) and any(v is not None for v in (ssl_ca, ssl_cert, ssl_key)):
        raise ConfigurationError(
            "ssl_ca, ssl_cert and ssl_key are for MySQL servers; a SQLite file needs no TLS."
        )
    options = dict(overrides)
    options["echo"] = echo
    if is_sqlite(resolved):
        engine = _sqlite_engine(
            resolved,
            read_only=read_only,
            create=create,
            busy_timeout=busy_timeout,
            single_writer=sqlite_begin == "immediate",
            options=options,
        )
    else:
        engine = _mysql_engine(
            resolved,
            read_only=read_only,
            connect_timeout=connect_timeout,
            tls={"ssl_ca": ssl_ca, "ssl_cert": ssl_cert, "ssl_key": ssl_key},
            options=options,
        )
    install_sqlite_cancellation(engine)  # SQLite only: a cancelled await stops the query
    if is_sqlite(resolved) and sqlite_begin is not None:
        _explicit_begin(engine, sqlite_begin.upper())
    if statement_timeout is not None:
        install_statement_timeout(engine, statement_timeout)
    install_error_translation(engine, resolved)
    pool_counters(engine)
    log.debug("created engine for %s (read_only=%s)", mask_url(resolved), read_only)
    return engine


def describe_engine(engine: AsyncEngine) -> str:
    """One line naming the backend, the masked URL and the pool class."""
    return f"{engine.dialect.name} engine for {mask_url(engine.url)} ({type(engine.pool).__name__})"


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """An ``async_sessionmaker`` bound to ``engine`` with ``expire_on_commit=False``."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def open_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """An ``AsyncSession`` on ``engine``, closed when the block ends.

    Examples
    --------
    >>> async with open_session(engine) as session:  # doctest: +SKIP
    ...     frame = await novelkit.load_outlines(session)
    """
    async with session_factory(engine)() as session:
        yield session


async def get_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """The app's ``get_session()`` shape: an async generator yielding one session.

    For FastAPI, close over the engine: ``Depends(lambda: get_session(engine))``.
    """
    async with session_factory(engine)() as session:
        yield session


def set_echo(engine: AsyncEngine, level: EchoLevel) -> None:
    """Turn SQL logging of ``engine`` on (``True``), to rows (``"debug"``) or off.

    SQLAlchemy reads the level when a connection is checked out: a session that
    is already inside a transaction keeps logging at its old level until it
    commits, rolls back or closes; new sessions follow the new level.
    """
    if level not in (True, False, "debug"):
        raise ConfigurationError(f"echo level {level!r} is not valid; use True, False or 'debug'.")
    engine.sync_engine.echo = level


@contextmanager
def echo(engine: AsyncEngine, level: EchoLevel = True) -> Iterator[None]:
    """Log ``engine``'s SQL inside the block, then restore the previous level.

    Examples
    --------
    >>> with echo(engine):                     # doctest: +SKIP
    ...     await novelkit.load_novels(session)
    """
    previous = engine.sync_engine.echo
    set_echo(engine, level)
    try:
        yield
    finally:
        engine.sync_engine.echo = previous
