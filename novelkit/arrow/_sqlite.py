"""SQLite through the ADBC driver: the file read straight into Arrow buffers.

Each statement opens its own ADBC connection to the same file (a few hundred
microseconds), read-only by URI (``mode=ro``) and ``query_only``, with the
engine's busy timeout, runs in a worker thread, and is closed at once, so no
read lock outlives the call. Only statements novelkit compiled itself, or a
user's query the read-only checker passed (one SELECT; no ``ATTACH``,
``VACUUM INTO`` or PRAGMA), are ever sent here.

Two copies of SQLite: the ADBC driver links its own, and POSIX file locks
belong to the process, so closing its file releases every lock this process
holds on it, through Python's sqlite3 too. Harmless to novelkit's read-only
readers, whose driver-path statements hold a shared lock only while they run;
fatal to a writer's lock. So the path is only taken for read-only engines,
while no read-write novelkit engine of this process has the file open
(``_choice``); a user's own sqlite3 writer in the same process is the one case
left to the user, as the README says.

Stopping: the ADBC SQLite driver cannot interrupt a statement that is running
(its cancel does not reach ``sqlite3_interrupt``). It returns rows in batches,
so the worker checks between batches whether the call was cancelled or its
deadline passed, and stops there; the batch size keeps that under a few
milliseconds for a scan. A statement that computes long before its first row
(a big ``GROUP BY`` in a user's query) could not be stopped, which is why
users' SQL on SQLite keeps the async driver (see ``_choice``). A wait for
another process's lock is not running yet: SQLite waits in slices of
``BUSY_SLICE_MS`` and the worker checks for a stop between two, as the driver
path's cursor does, until the busy timeout is spent.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from ..db._sqlite import BUSY_SLICE_MS, lock_timeout_error, wait_another_slice
from ..errors import _statement_timed_out
from ._errors import ArrowUnsupportedError, arrow_query_error

__all__ = ["AdbcSqliteReader"]

#: Rows per batch: between two batches the worker checks for a stop.
BATCH_ROWS = 4096


class _Stopped(Exception):
    """The call was cancelled while the worker read (ends the worker, never shown)."""


class AdbcSqliteReader:
    """Runs one statement at a time on a SQLite file through ADBC, in a worker thread."""

    name = "adbc-sqlite"

    def __init__(self, path: Path, *, busy_timeout: float, statement_timeout: float | None):
        self.path = path
        self.busy_timeout_ms = max(0, int(busy_timeout * 1000))
        self.statement_timeout = statement_timeout

    def _uri(self) -> str:
        return f"file:{quote(str(self.path.resolve()))}?mode=ro"

    def _execute_when_unlocked(
        self,
        cursor: Any,
        sql: str,
        params: tuple[Any, ...],
        stop: threading.Event,
        deadline: float | None,
    ) -> None:
        """``cursor.execute``, run again while another connection holds the lock.

        SQLite gives up after a slice (``BUSY_SLICE_MS``); between two slices the
        worker stops if the call was cancelled or ran past its deadline, and gives up
        when the busy timeout is spent. A refusal before the slice ran out (SQLite
        saw a deadlock) is not waited on: as on the driver path.
        """
        import adbc_driver_sqlite.dbapi as adbc

        patience = self.busy_timeout_ms / 1000
        started = time.monotonic()
        while True:
            attempt = time.monotonic()
            try:
                cursor.execute(sql, params or None)
                return
            except adbc.Error as exc:
                if not (_is_locked(exc) and wait_another_slice(attempt, started, patience)):
                    raise
                if stop.is_set():
                    raise _Stopped from None
                if deadline is not None and time.monotonic() > deadline:
                    raise _statement_timed_out(
                        f"the SQLite database {self.path}", self.statement_timeout
                    ) from None

    async def read(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        tag: str = "",
        on_batch: Callable[[pa.RecordBatch], None] | None = None,
    ) -> pa.Table:
        """The statement's result as one Arrow table; stops between batches when cancelled.

        ``on_batch`` is called with each batch on this (the event loop's) thread as it
        arrives, while the worker reads the next one: its work runs beside the read.
        The table returned then has the result's columns but no rows: keeping the
        batches would hold what ``on_batch`` replaces (JSON text, once parsed into
        objects) until the whole read is done.
        """
        stop = threading.Event()
        deadline = (
            None if self.statement_timeout is None else time.monotonic() + self.statement_timeout
        )
        loop = asyncio.get_running_loop()
        arrived: asyncio.Queue[pa.RecordBatch | None] = asyncio.Queue()

        def deliver(batch: pa.RecordBatch) -> None:  # on the worker's thread
            loop.call_soon_threadsafe(arrived.put_nowait, batch)

        work = loop.run_in_executor(
            None,
            self._read,
            sql,
            tuple(params),
            stop,
            deadline,
            deliver if on_batch is not None else None,
        )
        # None after the last batch, whatever happened: the worker's batches were put
        # on the loop before its result, and this runs after the result.
        work.add_done_callback(lambda _: arrived.put_nowait(None))
        ended = False
        try:
            if on_batch is not None:
                while (batch := await arrived.get()) is not None:
                    on_batch(batch)
                    # A queued batch is taken without yielding: let a cancellation in.
                    await asyncio.sleep(0)
            table = await asyncio.shield(work)
            ended = True
            return table
        finally:
            if not ended:
                # Cancelled (or on_batch failed): let the worker close its connection
                # (and so its read lock) before going on; it stops at its next batch.
                stop.set()
                await asyncio.wait({work}, timeout=10)
                if work.done() and not work.cancelled():
                    # Whatever the worker ended with is not this call's to raise (it
                    # was stopped); taken, so that asyncio does not log it as lost.
                    work.exception()

    def _read(
        self,
        sql: str,
        params: tuple[Any, ...],
        stop: threading.Event,
        deadline: float | None,
        deliver: Callable[[pa.RecordBatch], None] | None = None,
    ) -> pa.Table:
        import adbc_driver_sqlite.dbapi as adbc  # the optional extra, loaded on first use

        try:
            with adbc.connect(uri=self._uri()) as conn, conn.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {min(self.busy_timeout_ms, BUSY_SLICE_MS)}")
                cursor.execute("PRAGMA query_only = 1")
                cursor.adbc_statement.set_options(
                    **{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)}
                )
                self._execute_when_unlocked(cursor, sql, params, stop, deadline)
                reader = cursor.fetch_record_batch()
                batches = []
                for batch in reader:
                    if deliver is not None:
                        deliver(batch)
                    else:
                        batches.append(batch)
                    if stop.is_set():
                        raise _Stopped
                    if deadline is not None and time.monotonic() > deadline:
                        raise _statement_timed_out(
                            f"the SQLite database {self.path}", self.statement_timeout
                        )
                return pa.Table.from_batches(batches, schema=reader.schema)
        except _Stopped:
            return pa.table({})
        except (adbc.Error, OSError) as exc:
            # (Errors met while reading batches come through Arrow's stream as OSError.)
            if _is_locked(exc):
                raise lock_timeout_error(f"SQLite database {self.path}", "Arrow path") from None
            if "Type mismatch" in str(exc):
                # SQLite keeps any value in any column; ADBC types a column by its
                # first rows and refuses a later value of another type. The driver
                # reads such a column (with the loaders' warnings).
                raise ArrowUnsupportedError(str(exc)) from None
            raise arrow_query_error(
                exc, f"the SQLite database {self.path}", statement_timeout=self.statement_timeout
            ) from None


def _is_locked(exc: BaseException) -> bool:
    """Whether an ADBC error is SQLite's "database is locked" (``SQLITE_BUSY``)."""
    return "database is locked" in str(exc)
