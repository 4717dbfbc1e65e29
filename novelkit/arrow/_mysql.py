"""MySQL/MariaDB through connectorx: rows decoded into Arrow buffers in Rust.

connectorx opens its own connections with the engine's account (host, port,
user, password, database from the engine's URL; TLS and socket URLs never get
here, see ``_choice``). Each of them first runs what the engine's connections
run: ``SET SESSION TRANSACTION READ ONLY`` on a read-only engine, and the
engine's statement timeout as the session's ``max_statement_time`` (MariaDB) or
``MAX_EXECUTION_TIME`` (MySQL). The server's own time zone stays the session's,
as on the engine, so DATETIME values mean the same on both paths.

A loader's read of a large table is cut into ranges of its integer primary key,
two read at a time (one connection each, where two beat one), each handed over in
key order as it comes in so that the work on its rows overlaps the next reads.
Other reads (your own SQL, a page of ``iter_frames``) are one statement.

Every read is whole (``return_type="arrow"``), never connectorx's ``arrow_stream``:
its batch iterator waits for the server holding the GIL (``__next__`` calls into
Rust without releasing it), which froze the event loop and every other Python
thread until the next batch came (a 2 s ``SELECT SLEEP(2)`` stalled a 20 ms timer
for 1.9 s). ``iter_sql`` streams through the driver's server-side cursor instead.

Stopping: the statement carries a tag (a comment, or a condition that is always
true, kept in each range's statement), and a cancelled call sends ``KILL QUERY``
for every server thread whose statement holds that tag, from one connection outside
the engine's pool (``kill_tagged_queries``).
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import ctypes.util
import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import asyncmy
import pyarrow as pa
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from .._redact import scrub
from ..db._errors import translate_error
from ..db._mysql import check_login, kill_tagged_queries
from ..errors import NovelkitError
from ._errors import ArrowUnsupportedError, arrow_query_error

__all__ = ["ConnectorxMysqlReader", "new_tag"]

log = logging.getLogger("novelkit.arrow")

T = TypeVar("T")


def _drop_outcome(work: asyncio.Future[Any]) -> None:
    """Retrieve a cancelled read's outcome (the killed statement's error), unshown."""
    if not work.cancelled():
        work.exception()


#: Key ranges a loader's read is cut into (``read(partition_on=, on_batch=)``): enough
#: that the last range's work, which no read overlaps, is a small part of the whole.
RANGES = 6

#: Ranges read at a time, one connection (and worker thread) each.
PARTITIONS = 2


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _give_back_freed_memory(loop: asyncio.AbstractEventLoop) -> None:
    """Return to the system what a handed-over range freed, on a worker thread.

    connectorx allocates its Arrow buffers with the C library's malloc; once a
    range's JSON text is parsed and let go, glibc keeps that memory for malloc's
    next use, but the parsed objects are Python's, allocated apart. Without this,
    the peak resident size of ``load_outlines`` on MariaDB held about 37 MB of
    text already freed (peak ÷ final frame ×1.55; ×1.2 with it). The trim walks
    the heap (a few ms), so it runs beside the next range's work, not awaited.
    """
    trim = _malloc_trim()
    if trim is not None:
        loop.run_in_executor(None, trim, 0)


def new_tag() -> str:
    """A string that marks one statement in the server's process list."""
    return f"novelkit-arrow-{uuid.uuid4().hex}"


class ConnectorxMysqlReader:
    """Runs one statement on a MySQL/MariaDB server through connectorx, in a worker thread."""

    name = "connectorx-mysql"

    def __init__(
        self, engine: AsyncEngine, *, read_only: bool, statement_timeout: float | None
    ) -> None:
        self.engine = engine
        self.url: URL = engine.url
        self.read_only = read_only
        self.statement_timeout = statement_timeout
        self.mariadb = bool(getattr(engine.dialect, "is_mariadb", False))
        self.login_checked = False  # one check per reader: a reader serves one call

    def _connection_string(self) -> str:
        # The password goes to connectorx only, never to a message or a log line.
        url = self.url.set(drivername="mysql", query={})
        return url.render_as_string(hide_password=False)

    def _session_setup(self) -> list[str]:
        setup = []
        if self.read_only:
            setup.append("SET SESSION TRANSACTION READ ONLY")
        if self.statement_timeout is not None:
            if self.mariadb:
                setup.append(f"SET SESSION max_statement_time = {self.statement_timeout:g}")
            else:
                millis = max(1, int(self.statement_timeout * 1000))
                setup.append(f"SET SESSION MAX_EXECUTION_TIME = {millis}")
        return setup

    async def read(
        self,
        sql: str,
        params: Sequence[Any] = (),
        *,
        tag: str,
        partition_on: str | None = None,
        on_batch: Callable[[pa.RecordBatch], None] | None = None,
    ) -> pa.Table:
        """The statement's result as one Arrow table; ``KILL QUERY`` when cancelled.

        With ``on_batch``, the rows go to ``on_batch`` on the event loop's thread, batch
        by batch in order, and the table returned has the result's columns but no rows:
        keeping them would hold what ``on_batch`` replaces (JSON text, once parsed into
        objects) until the whole read is done. With ``partition_on`` as well, the
        statement is read as key ranges (:meth:`_read_ranges`), each handed over
        while the next ranges are read.
        """
        if params:
            raise ValueError("connectorx takes no bound parameters; render them first")
        await self._check_login()
        if partition_on is not None and on_batch is not None:
            ranged = await self._read_ranges(sql, tag, partition_on, on_batch)
            if ranged is not None:
                return ranged
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(None, self._connectorx, sql, {"return_type": "arrow"})
        table: pa.Table = await self._guarded(work, tag)
        if on_batch is None:
            return table
        for batch in table.to_batches():
            on_batch(batch)
        return table.schema.empty_table()

    async def _read_ranges(
        self, sql: str, tag: str, key: str, on_batch: Callable[[pa.RecordBatch], None]
    ) -> pa.Table | None:
        """The statement read as :data:`RANGES` ranges of its integer ``key``, two at a time.

        connectorx's own partitions come back only when all of them are read, so
        the work done on the rows (UTF-8 checks, text counts, JSON) would wait for
        the whole read; here each range is handed over as soon as it and the ones
        before it are in, while the server sends the next ones (the version texts of
        the large demo: 2.9 s → 2.4 s, connectorx's own two partitions 2.0 s).
        connectorx waits for the server outside the GIL on this path. None when the
        statement has no rows (then read as one statement, for its columns' types).
        """
        loop = asyncio.get_running_loop()
        quoted = f"`{key}`"
        bounds_sql = (
            f"SELECT MIN({quoted}) AS lo, MAX({quoted}) AS hi FROM ({sql}) AS novelkit_rows"
        )
        bounds = await self._guarded(
            loop.run_in_executor(None, self._connectorx, bounds_sql, {"return_type": "arrow"}),
            tag,
        )
        low, high = bounds.column("lo")[0].as_py(), bounds.column("hi")[0].as_py()
        if low is None or high is None:
            return None
        step = (int(high) - int(low)) // RANGES + 1
        statements = [
            f"SELECT * FROM ({sql}) AS novelkit_rows WHERE {quoted} >= {start} "
            f"AND {quoted} < {start + step} ORDER BY {quoted}"
            for start in range(int(low), int(high) + 1, step)
        ]

        def start(statement: str) -> asyncio.Future[pa.Table]:
            return loop.run_in_executor(None, self._connectorx, statement, {"return_type": "arrow"})

        # The ranges being read, in order. A range's future is let go once its table is
        # taken: a future keeps its result, which would hold every range's Arrow data
        # (the JSON text replaced by parsed objects among it) to the end of the read.
        reads = collections.deque(start(statement) for statement in statements[:PARTITIONS])
        schema: pa.Schema | None = None
        try:
            for position in range(len(statements)):
                table = await self._guarded(reads.popleft(), tag)
                if position + PARTITIONS < len(statements):
                    reads.append(start(statements[position + PARTITIONS]))
                if schema is not None and table.schema != schema:
                    # (connectorx types columns by the server's metadata, the same for
                    # every range; should one differ, the driver reads the statement.)
                    raise ArrowUnsupportedError("the ranges of a read gave different column types")
                schema = table.schema
                batches = table.to_batches()
                del table  # each batch is let go once handed over
                while batches:
                    on_batch(batches.pop(0))
                    await asyncio.sleep(0)  # a cancellation point between batches
                _give_back_freed_memory(loop)
        finally:
            for read in reads:
                # A range read (or ended by the KILL) but never awaited: its outcome is
                # retrieved here, or asyncio prints "Future exception was never
                # retrieved" into the notebook. (Retrieving a consumed one is harmless.)
                read.add_done_callback(_drop_outcome)
            if any(not read.done() for read in reads):
                # Stopped between ranges (cancelled while a range was handed over, or
                # an error): the ranges still being read are stopped on the server.
                await self._kill(tag)
        assert schema is not None  # at least one range: the key has a low and a high
        return schema.empty_table()

    async def _check_login(self) -> None:
        """Refuse now, as the driver would, if the account cannot log in any more.

        connectorx opens its own connections, and its pool retries a refused login
        for about 30 s (whatever the engine's connect_timeout), logging each try to
        stderr, then fails with "timed out waiting for connection". One login
        through the driver first, within connect_timeout, turns a changed password
        or a locked account into the driver path's AuthenticationError; it costs
        one connection (a few ms), against connectorx's own 20-30 ms setup. Once
        per reader: a call that sends several statements logs in once.
        """
        if self.login_checked:
            return
        try:
            await check_login(self.engine)
        except (OSError, asyncmy.errors.Error) as exc:
            translated = translate_error(exc, self.url)
            if translated is None:
                raise
            raise translated from None
        self.login_checked = True

    def _connectorx(self, sql: str, options: dict[str, Any]) -> Any:
        """``connectorx.read_sql`` with the session setup, its errors as novelkit's."""
        import connectorx  # the optional extra, loaded on first use

        setup = self._session_setup()
        if setup:
            options["pre_execution_query"] = setup
        try:
            return connectorx.read_sql(self._connection_string(), sql, **options)
        except RuntimeError as exc:
            raise arrow_query_error(
                exc, self._where(), self.url.password, self.statement_timeout
            ) from None
        except BaseException as exc:
            # connectorx panics (a BaseException) on column types it has no Arrow
            # type for (a bare NULL column): the async driver reads those.
            if type(exc).__name__ != "PanicException":
                raise
            raise ArrowUnsupportedError(scrub(str(exc), self.url.password)) from None

    def _where(self) -> str:
        return f"the MySQL database {self.url.database!r} on {self.url.host}"

    async def _guarded(self, work: asyncio.Future[T], tag: str) -> T:
        """Await a worker's result; when cancelled, stop the statement, then let it end."""
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            await self._kill(tag)
            # connectorx returns once the killed statement's error reaches it; a
            # worker still reading after a second is left to finish in the
            # background (its result is dropped), so the call ends now.
            await asyncio.wait({work}, timeout=1)
            work.add_done_callback(_drop_outcome)
            raise

    async def _kill(self, tag: str) -> None:
        """Stop every server thread running the statement tagged ``tag``."""
        try:
            # Outside the pool: a read-only engine's connections refuse KILL, and the
            # pool opens no connection for a cancelled task.
            threads = await kill_tagged_queries(self.engine, tag)
            log.debug("arrow path: sent KILL QUERY to %s", threads)
        except (OSError, SQLAlchemyError, NovelkitError, asyncmy.errors.Error) as exc:
            # A failed stop must not hide the cancellation; the statement then ends
            # by itself (or at the engine's statement_timeout).
            log.warning("arrow path: could not stop the query: %s", type(exc).__name__)
