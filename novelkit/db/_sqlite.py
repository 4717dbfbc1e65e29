"""Everything novelkit does for SQLite engines, in one place.

- **Opening**: the read-only URI (``mode=ro``, the whole path percent-encoded)
  and the checks on the file before a connection is attempted.
- **Guards**: sqlite3 connection classes handed to aiosqlite through ``factory=``.
  ``mode=ro`` alone is not enough to keep a database untouched: ``ATTACH`` and
  ``VACUUM INTO`` create new files next to it, and ``PRAGMA query_only=0`` or a
  journal-mode change would undo the session-level guard, so
  :class:`ReadOnlyConnection` closes those doors on every connection.
- **Stopping a statement**: one mechanism for statement timeouts, cancelled tasks
  and the notebook's interrupt button. Every connection gets a progress handler
  that SQLite calls every few thousand VM instructions, from the thread running
  the statement; it stops the statement (SQLite raises "interrupted") when the
  connection's :class:`StopSignal` says so: its deadline passed, or a stop was
  requested. Requesting a stop is a plain attribute write, safe from any thread,
  and cannot be missed the way ``sqlite3_interrupt`` can (that one does nothing
  when the statement has not started yet). SQLite calls no progress handler
  while it waits for another connection's lock, and ``sqlite3_interrupt`` does
  not end that wait either: so SQLite waits in slices of :data:`BUSY_SLICE_MS`,
  and between two slices novelkit asks the same question (:class:`PatientCursor`),
  until the busy timeout is spent (read-only connections; a writer's lock waits
  stay SQLite's own).
- **Error translation** of sqlite3's errors into :mod:`novelkit.errors`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiosqlite
from sqlalchemy import event, types as sa_types
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool, StaticPool

from .. import errors
from ._settings import relative_url_hint, sqlite_path

__all__ = [
    "BUSY_SLICE_MS",
    "DEFAULT_BUSY_TIMEOUT_MS",
    "INSPECTOR_PRAGMAS",
    "PatientCursor",
    "ReadOnlyConnection",
    "ReadWriteConnection",
    "StopSignal",
    "create_sqlite_engine",
    "hold_deadline",
    "lock_timeout_error",
    "request_stop",
    "sqlite_uri",
    "translate_sqlite_error",
    "wait_another_slice",
]

DEFAULT_BUSY_TIMEOUT_MS = 5000

# -- opening ------------------------------------------------------------------------


def sqlite_uri(path: Path, *, read_only: bool = True) -> str:
    """The ``file:`` URI that opens ``path`` read-only (``mode=ro``) or read-write.

    The whole path is percent-encoded, so that spaces, '#', '?', '%' and '&' stay
    part of the file name instead of being read as URI syntax.
    """
    mode = "ro" if read_only else "rw"
    return f"file:{quote(str(path.resolve()), safe='/')}?mode={mode}"


def _check_file(path: Path, *, create: bool, read_only: bool) -> None:
    if path.is_dir():
        raise errors.DatabaseNotFoundError(
            f"{path} is a folder, not a SQLite file. Give the path of the database file "
            "inside it (Arboris keeps it at storage/arboris.db)."
        )
    if path.exists():
        return
    if not create:
        missing = path if path.parent.is_dir() else path.parent
        relative = ""
        if not path.is_absolute():
            # Only a URL keeps a relative path (plain paths are resolved): three slashes.
            relative = relative_url_hint(path)
        # Read-only, create=True would only make an empty file that is no Arboris
        # database either (a second error); to a writer, it is a way forward.
        start = "" if read_only else ", or pass create=True to start an empty database"
        raise errors.DatabaseNotFoundError(
            f"No SQLite database at {path} ({missing} does not exist).{relative} Check the "
            "path (Arboris keeps it at <backend>/storage/arboris.db; in Docker, in the "
            f"sqlite-data volume){start}."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()


# -- guards -------------------------------------------------------------------------

# PRAGMAs that take an argument but only read: SQLAlchemy's inspector needs them.
INSPECTOR_PRAGMAS = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
)
# Per-connection settings that write nothing: SQLAlchemy sets read_uncommitted
# when it restores a connection's isolation level on checkin.
_CONNECTION_PRAGMAS = frozenset({"read_uncommitted", "busy_timeout"})


def _read_only_authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    # A PRAGMA with an argument sets something (query_only=0, journal_mode=wal),
    # except the schema-reading ones the inspector uses.
    if (
        action == sqlite3.SQLITE_PRAGMA
        and arg2 is not None
        and (arg1 or "").lower() not in INSPECTOR_PRAGMAS | _CONNECTION_PRAGMAS
    ):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


#: How long SQLite's own busy handler waits for a lock, on a read-only connection,
#: before novelkit checks whether the statement must stop (and lets SQLite wait
#: another slice): a Ctrl-C or a statement timeout during a lock wait ends it
#: within about this long.
BUSY_SLICE_MS = 100


class ReadWriteConnection(sqlite3.Connection):
    """A sqlite3 connection with a busy timeout; nothing persistent is changed."""

    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute(f"PRAGMA busy_timeout = {self._busy_wait_ms()}")
        # GROUP BY, DISTINCT and ORDER BY without an index build temporary b-trees;
        # in memory rather than in temporary files they run about a third faster
        # (a grouped join over 226,151 chapters: 0.37 s against 0.25 s). What they
        # hold is about what the result holds, which the frame holds anyway.
        self.execute("PRAGMA temp_store = MEMORY")

    def _busy_wait_ms(self) -> int:
        """How long SQLite itself waits for a lock: the whole busy timeout.

        (A writer's lock waits stay SQLite's own: a COMMIT waiting for readers to
        finish is not run through a cursor, so only one slice would apply to it.)
        """
        return int(self.busy_timeout_ms)


class ReadOnlyConnection(ReadWriteConnection):
    """A sqlite3 connection that cannot write to, attach or reconfigure any database.

    Sets ``query_only``, limits attached databases to zero and installs an
    authorizer that denies ``ATTACH``/``DETACH`` and any PRAGMA with an argument
    other than :data:`INSPECTOR_PRAGMAS`. The URI is opened with ``mode=ro`` too.

    Its cursors are :class:`PatientCursor`: a wait for another connection's lock
    ends when the statement must stop, not only at the busy timeout.
    """

    _progress_handler: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA query_only = ON")
        self.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        self.set_authorizer(_read_only_authorizer)

    def _busy_wait_ms(self) -> int:
        # The whole busy timeout is waited slice by slice (PatientCursor).
        return min(int(self.busy_timeout_ms), BUSY_SLICE_MS)

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or PatientCursor)

    def set_progress_handler(self, progress_handler: Any, n: int) -> None:
        # Kept, so that a lock wait (which runs no progress handler) asks it too.
        super().set_progress_handler(progress_handler, n)
        self._progress_handler = progress_handler

    def should_stop(self) -> bool:
        """Whether the progress handler would stop a statement now."""
        handler = self._progress_handler
        return handler is not None and bool(handler())


def wait_another_slice(attempt: float, started: float, patience: float) -> bool:
    """After a BUSY: whether to run the statement again (``time.monotonic()`` seconds).

    Not when SQLite refused before the slice ran out (a deadlock it saw: its own
    busy handler would not wait either), nor once the busy timeout is spent.
    """
    now = time.monotonic()
    return now - attempt >= BUSY_SLICE_MS / 2000 and now - started < patience


class PatientCursor(sqlite3.Cursor):
    """A read-only connection's cursor: its ``execute`` waits for a lock in slices
    that a stop can end.

    SQLite reports a lock still held after a slice (:data:`BUSY_SLICE_MS`) as
    ``SQLITE_BUSY``; the statement has not started, so it is run again, until the
    connection's busy timeout is spent (then the error is raised as before) or the
    connection's progress handler says stop (then "interrupted", as the handler
    itself gives). A ``SQLITE_BUSY`` returned before the slice ran out is SQLite
    refusing at once (a deadlock it saw): raised at once too, as without slices.
    """

    def execute(self, sql: str, parameters: Any = (), /) -> PatientCursor:
        connection = self.connection
        assert isinstance(connection, ReadOnlyConnection)
        patience = connection.busy_timeout_ms / 1000
        started = time.monotonic()
        while True:
            attempt = time.monotonic()
            try:
                return super().execute(sql, parameters)
            except sqlite3.OperationalError as exc:
                busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
                if not (busy and wait_another_slice(attempt, started, patience)):
                    raise
                if connection.should_stop():
                    stopped = sqlite3.OperationalError("interrupted")
                    stopped.sqlite_errorcode = sqlite3.SQLITE_INTERRUPT  # type: ignore[attr-defined]
                    stopped.sqlite_errorname = "SQLITE_INTERRUPT"  # type: ignore[attr-defined]
                    raise stopped from None


def _connection_class(*, read_only: bool, busy_timeout_ms: int) -> type[sqlite3.Connection]:
    """A connection class with the requested guard and busy timeout baked in."""
    base = ReadOnlyConnection if read_only else ReadWriteConnection
    if busy_timeout_ms == base.busy_timeout_ms:
        return base
    return type(base.__name__, (base,), {"busy_timeout_ms": int(busy_timeout_ms)})


# -- stopping a statement -----------------------------------------------------------

# How many SQLite VM instructions run between two checks: small enough to stop
# within milliseconds, large enough to cost nothing measurable.
_PROGRESS_STEPS = 10_000
_SIGNAL_KEY = "novelkit_stop"


@dataclass
class StopSignal:
    """When the statement running on one connection must stop.

    ``deadline`` (``time.monotonic()`` seconds) is set for each statement when the
    engine has a statement timeout; ``requested`` is set by :func:`request_stop`
    (a cancelled task, the interrupt button) and holds until the connection is
    checked out again, so a statement that had not started yet when the stop came
    stops too. Both are read by the progress handler in the statement's thread.
    """

    deadline: float | None = None
    requested: bool = False
    #: A deadline that spans several statements and the fetching of their rows
    #: (:func:`hold_deadline`); the per-statement ``deadline`` is cleared as soon
    #: as the execute returns, before a streaming cursor has read its rows.
    held: float | None = None

    def should_stop(self) -> int:
        """The progress handler: non-zero stops the running statement."""
        if self.requested:
            return 1
        now = time.monotonic()
        limit, held = self.deadline, self.held
        if limit is not None and now > limit:
            return 1
        return 1 if held is not None and now > held else 0


@contextmanager
def hold_deadline(holder: Any, seconds: float) -> Iterator[float | None]:
    """Stop what ``holder``'s connection runs once ``seconds`` have passed, until the block ends.

    ``holder`` is a SQLAlchemy ``Connection`` (or anything sharing its pool
    record's ``info``). The deadline covers every statement step in the block,
    the fetches of a streaming cursor included, through the same progress
    handler as statement timeouts and cancellation. Yields the deadline
    (``time.monotonic()`` seconds), or None when the connection has no stop
    signal (an engine novelkit did not create): nothing is then held.
    """
    signal = holder.info.get(_SIGNAL_KEY)
    if signal is None:
        yield None
        return
    deadline = signal.held = time.monotonic() + seconds
    try:
        yield deadline
    finally:
        signal.held = None


def request_stop(holder: Any) -> bool:
    """Stop the statement running on a connection; safe from any thread.

    ``holder`` is the connection's pool record, or anything sharing its ``info``
    dict (a SQLAlchemy ``Connection``). Returns whether the connection had a
    signal (every connection of a novelkit SQLite engine has one).
    """
    signal = holder.info.get(_SIGNAL_KEY)
    if signal is None:
        return False
    signal.requested = True
    return True


def _install_stop_signal(engine: AsyncEngine, statement_timeout: float | None) -> None:
    sync = engine.sync_engine

    @event.listens_for(sync, "connect")
    def _progress_handler(dbapi_connection: Any, record: Any) -> None:
        signal = record.info[_SIGNAL_KEY] = StopSignal()
        dbapi_connection.run_async(
            lambda conn: conn.set_progress_handler(signal.should_stop, _PROGRESS_STEPS)
        )

    def signal_of(conn: Any) -> StopSignal | None:
        return conn.info.get(_SIGNAL_KEY) if conn is not None else None

    @event.listens_for(sync, "checkout")
    def _new_owner(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        signal = record.info.get(_SIGNAL_KEY)
        if signal is not None:
            signal.requested = False
            signal.held = None

    if statement_timeout is None:
        return

    @event.listens_for(sync, "before_cursor_execute")
    def _start(conn: Any, *_args: Any) -> None:
        signal = signal_of(conn)
        if signal is not None:
            signal.deadline = time.monotonic() + statement_timeout

    @event.listens_for(sync, "after_cursor_execute")
    def _stop(conn: Any, *_args: Any) -> None:
        signal = signal_of(conn)
        if signal is not None:
            signal.deadline = None

    @event.listens_for(sync, "handle_error")
    def _stop_on_error(context: Any) -> None:
        signal = signal_of(context.connection)
        if signal is not None:
            signal.deadline = None


# -- the engine ---------------------------------------------------------------------


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


def create_sqlite_engine(
    url: URL,
    *,
    read_only: bool,
    create: bool,
    busy_timeout: float,
    begin: str | None,
    statement_timeout: float | None,
    options: dict[str, Any],
) -> AsyncEngine:
    """The engine for a SQLite URL: guards, busy timeout, pool, stop signal, BEGIN mode."""
    path = sqlite_path(url)
    factory = _connection_class(read_only=read_only, busy_timeout_ms=int(busy_timeout * 1000))
    extra_args = dict(options.pop("connect_args", {}))
    if path is None:
        target, use_uri = ":memory:", False
        options.setdefault("poolclass", StaticPool)
    else:
        _check_file(path, create=create, read_only=read_only)
        target, use_uri = sqlite_uri(path, read_only=read_only), True
        if begin == "immediate" and "poolclass" not in options:
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
    engine = create_async_engine(url, async_creator=connect, **options)
    _know_binary_type_names(engine)
    _install_stop_signal(engine, statement_timeout)
    if begin is not None:
        _explicit_begin(engine, begin.upper())
    return engine


#: Binary column types a fork may declare in SQLite (a schema written for MySQL)
#: that SQLAlchemy's SQLite reflection does not know: by SQLite's affinity rules it
#: reads ``LONGBLOB`` as no type and ``VARBINARY(16)`` as NUMERIC, and the loaders
#: then decoded their bytes as text or took them for numbers.
_BINARY_TYPE_NAMES = ("BINARY", "VARBINARY", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BYTEA")


def _know_binary_type_names(engine: AsyncEngine) -> None:
    """Reflect :data:`_BINARY_TYPE_NAMES` as binary on this engine's dialect only."""
    dialect = engine.sync_engine.dialect
    # An instance attribute: the SQLite dialect class (every other engine) is unchanged.
    dialect.ischema_names = {  # type: ignore[attr-defined]
        **dialect.ischema_names,  # type: ignore[attr-defined]
        **dict.fromkeys(_BINARY_TYPE_NAMES, sa_types.LargeBinary),
    }


# -- errors -------------------------------------------------------------------------


def _is_empty_file(url: URL) -> bool:
    path = sqlite_path(url)
    try:
        return path is not None and path.stat().st_size == 0
    except OSError:
        return False


def lock_timeout_error(where: str, detail: str) -> errors.LockTimeoutError:
    """A SQLite file still locked past the busy timeout (either path's reader)."""
    return errors.LockTimeoutError(
        f"The {where} stayed locked by another connection past the busy timeout, or a "
        f"write in a transaction that began by reading could not take the write lock "
        f"(SQLite refuses that at once) ({detail}). Retry, raise busy_timeout=, begin "
        'writing transactions with sqlite_begin="immediate", or read from a snapshot '
        "(snapshot=True)."
    )


def translate_sqlite_error(
    exc: BaseException, detail: str, where: str, url: URL, statement_timeout: float | None
) -> errors.NovelkitError | None:
    """The novelkit error for a sqlite3 error, or None to let it through unchanged."""
    if not isinstance(exc, sqlite3.Error):
        return None
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
        return lock_timeout_error(where, detail)
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
        return errors._statement_timed_out(f"the {where}", statement_timeout, detail)
    return None
