"""``create_engine``: an async engine for an Arboris database, with the app's settings.

The Arboris app makes one async engine per backend: SQLite with ``NullPool``,
``check_same_thread=False`` and no pre-ping; MySQL with ``pool_pre_ping=True``
and ``pool_recycle=3600``. :func:`create_engine` does the same, read-only by
default, through the backend's own module (:mod:`._sqlite`, :mod:`._mysql`),
and adds what every engine gets: driver errors turned into
:mod:`novelkit.errors`, pool counters, and the statement control that stops a
cancelled statement in the database. Nothing here runs at import: engines exist
only when you ask for one, and whoever creates an engine disposes it.
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import logging
import os
import re
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from .._redact import mask_url
from ..errors import ConfigurationError, WrongTypeError
from ._control import install_statement_control
from ._errors import install_error_translation
from ._facts import EngineFacts, record_facts
from ._mysql import (
    close_stopped_result,
    connect_timeout_of,
    create_mysql_engine,
    make_stopper,
    remember_side_connector,
)
from ._pool import pool_counters
from ._settings import is_sqlite, resolve_url
from ._sqlite import create_sqlite_engine

__all__ = ["EchoLevel", "check_echo", "check_statement_timeout", "create_engine", "describe_engine"]

EchoLevel = bool | Literal["debug"]

log = logging.getLogger("novelkit.db")


def check_echo(level: object) -> None:
    """Refuse an echo level SQLAlchemy does not know."""
    if level not in (True, False, "debug"):
        raise ConfigurationError(f"echo={level!r} is not valid; use True, False or 'debug'.")


def check_fast(fast: object) -> bool | None:
    """``fast`` if it is None, True or False, else :class:`ConfigurationError` (1 and 0
    too: they compare equal to True and False, but are not what the option means)."""
    if fast is not None and not isinstance(fast, bool):
        raise ConfigurationError(f"fast={fast!r} is not valid; use None, True or False.")
    return fast


def check_statement_timeout(seconds: object) -> None:
    """Refuse a statement timeout that is not a positive number of seconds (None: no limit)."""
    if seconds is None:
        return
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ConfigurationError(
            f"statement_timeout={seconds!r} is not valid; give seconds > 0 or None."
        )


#: Options of novelkit.connect() that create_engine() does not have, and SQLAlchemy's
#: usual engine and pool options: the names a misspelt option was most likely meant as.
_OTHER_OPTIONS = (
    "snapshot",
    "runner",
    "poolclass",
    "pool_size",
    "max_overflow",
    "pool_timeout",
    "pool_recycle",
    "pool_pre_ping",
    "pool_use_lifo",
    "pool_reset_on_return",
    "connect_args",
    "execution_options",
    "isolation_level",
    "hide_parameters",
    "echo_pool",
    "logging_name",
    "query_cache_size",
)

#: SQLAlchemy's error for keywords no part of the engine takes: "Invalid argument(s)
#: 'a','b' sent to create_engine(), using configuration ...".
_INVALID_ARGUMENTS = re.compile(r"Invalid argument\(s\) ((?:'[^']*',?)+) sent to create_engine")


@contextlib.contextmanager
def _unknown_options_told() -> Iterator[None]:
    """Creating the engine: SQLAlchemy's TypeError for unknown options, in novelkit's words."""
    try:
        yield
    except TypeError as exc:
        told = _unknown_options_error(exc)
        if told is None:
            raise
        raise told from exc


def _unknown_options_error(error: TypeError) -> WrongTypeError | None:
    """SQLAlchemy's TypeError for unknown keywords, told in novelkit's words, or None.

    novelkit hands options it does not have to SQLAlchemy's ``create_async_engine``;
    its message names neither ``connect()`` nor the option meant (``snaphot=``).
    """
    found = _INVALID_ARGUMENTS.search(str(error))
    if found is None:
        return None
    names = re.findall(r"'([^']*)'", found.group(1))
    own = [p for p in inspect.signature(create_engine).parameters if p != "overrides"]
    known = [*own, *_OTHER_OPTIONS]
    described = []
    for name in names:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        described.append(f"{name}= (did you mean {close[0]}=?)" if close else f"{name}=")
    option, it = ("options", "them") if len(names) > 1 else ("option", "it")
    return WrongTypeError(
        f"Unknown {option} {', '.join(described)}: neither novelkit nor SQLAlchemy's "
        f"create_async_engine, to which novelkit hands the options it does not have, takes "
        f"{it}. help(novelkit.connect) and help(novelkit.create_engine) list novelkit's options."
    )


def create_engine(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    echo: EchoLevel = False,
    read_only: bool = True,
    create: bool = False,
    connect_timeout: float | None = None,
    busy_timeout: float = 5.0,
    statement_timeout: float | None = None,
    sqlite_begin: Literal["deferred", "immediate"] | None = None,
    ssl_ca: str | os.PathLike[str] | None = None,
    ssl_cert: str | os.PathLike[str] | None = None,
    ssl_key: str | os.PathLike[str] | None = None,
    fast: bool | None = None,
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
        connection but never answers fails in time too. None (default): the URL's
        ``?connect_timeout=``, else 10.
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
    fast
        The default of the loaders' ``fast=`` on this engine: None (default) loads
        through the Arrow path (``novelkit[fast]``: ADBC on SQLite, connectorx on
        MySQL) wherever it can give the same frame, False never, True always (a
        call it cannot serve raises :class:`ConfigurationError` saying why).
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
    check_echo(echo)
    if sqlite_begin not in (None, "deferred", "immediate"):
        raise ConfigurationError(
            f"sqlite_begin={sqlite_begin!r} is not valid; use 'deferred' or 'immediate'."
        )
    check_statement_timeout(statement_timeout)
    check_fast(fast)
    if is_sqlite(resolved) and any(v is not None for v in (ssl_ca, ssl_cert, ssl_key)):
        raise ConfigurationError(
            "ssl_ca, ssl_cert and ssl_key are for MySQL servers; a SQLite file needs no TLS."
        )
    options = dict(overrides)
    options["echo"] = echo
    if is_sqlite(resolved):
        with _unknown_options_told():
            engine = create_sqlite_engine(
                resolved,
                read_only=read_only,
                create=create,
                busy_timeout=busy_timeout,
                begin=sqlite_begin,
                statement_timeout=statement_timeout,
                options=options,
            )
        install_statement_control(engine, None)
    else:
        connect_timeout = connect_timeout_of(resolved, connect_timeout)
        with _unknown_options_told():
            engine, connect = create_mysql_engine(
                resolved,
                read_only=read_only,
                connect_timeout=connect_timeout,
                statement_timeout=statement_timeout,
                tls={"ssl_ca": ssl_ca, "ssl_cert": ssl_cert, "ssl_key": ssl_key},
                options=options,
            )
        install_statement_control(
            engine, make_stopper(connect, connect_timeout), close_stopped_result
        )
        remember_side_connector(engine, connect, connect_timeout)
    install_error_translation(engine, resolved)
    tls = any(v is not None for v in (ssl_ca, ssl_cert, ssl_key)) or any(
        key.startswith("ssl") for key in resolved.query
    )
    facts = EngineFacts(
        read_only=read_only,
        statement_timeout=statement_timeout,
        fast=fast,
        busy_timeout=busy_timeout,
        tls=tls or "connect_args" in overrides,
    )
    record_facts(engine, facts)
    pool_counters(engine)
    log.debug("created engine for %s (read_only=%s)", mask_url(resolved), read_only)
    return engine


def describe_engine(engine: AsyncEngine) -> str:
    """One line naming the backend, the masked URL and the pool class."""
    return f"{engine.dialect.name} engine for {mask_url(engine.url)} ({type(engine.pool).__name__})"
