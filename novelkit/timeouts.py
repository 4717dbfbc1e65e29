"""Statement timeouts that stop the work in the database, not just the waiting.

SQLite: a progress handler on every connection interrupts a statement that has
run past its deadline (``sqlite3`` raises "interrupted", which novelkit turns
into :class:`~novelkit.errors.QueryTimeoutError`). MariaDB: each statement is
sent as ``SET STATEMENT max_statement_time=N FOR ...``, so the server stops it
itself (MySQL: the ``MAX_EXECUTION_TIME`` optimizer hint on SELECTs).

Cancellation: SQLite runs a statement in aiosqlite's worker thread, which goes on
after the awaiting task is cancelled (and SQLAlchemy then waits for it to close
the connection). :func:`install_sqlite_cancellation` interrupts the statement
when its task is cancelled, on every SQLite engine novelkit creates.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from .errors import ConfigurationError

__all__ = ["install_sqlite_cancellation", "install_statement_timeout"]

# How many SQLite VM instructions run between two deadline checks: small enough
# to stop within milliseconds, large enough to cost nothing measurable.
_PROGRESS_STEPS = 10_000
_DEADLINE_KEY = "novelkit_deadline"
# How often a cancelled statement is interrupted again until it has stopped.
_INTERRUPT_EVERY = 0.005
_SELECT = re.compile(r"^\s*(\(\s*)*(SELECT|WITH)\b", re.IGNORECASE)


def _install_sqlite(engine: AsyncEngine, seconds: float) -> None:
    sync = engine.sync_engine

    @event.listens_for(sync, "connect")
    def _progress_handler(dbapi_connection: Any, record: Any) -> None:
        deadline: list[float | None] = [None]
        record.info[_DEADLINE_KEY] = deadline

        def past_deadline() -> int:
            limit = deadline[0]
            return 1 if limit is not None and time.monotonic() > limit else 0

        dbapi_connection.run_async(
            lambda conn: conn.set_progress_handler(past_deadline, _PROGRESS_STEPS)
        )

    @event.listens_for(sync, "before_cursor_execute")
    def _start(conn: Any, *_args: Any) -> None:
        holder = conn.info.get(_DEADLINE_KEY)
        if holder is not None:
            holder[0] = time.monotonic() + seconds

    @event.listens_for(sync, "after_cursor_execute")
    def _stop(conn: Any, *_args: Any) -> None:
        holder = conn.info.get(_DEADLINE_KEY)
        if holder is not None:
            holder[0] = None

    @event.listens_for(sync, "handle_error")
    def _stop_on_error(context: Any) -> None:
        connection = context.connection
        holder = connection.info.get(_DEADLINE_KEY) if connection is not None else None
        if holder is not None:
            holder[0] = None


def _install_mysql(engine: AsyncEngine, seconds: float) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute", retval=True)
    def _limit(
        conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> tuple[str, Any]:
        if conn.dialect.is_mariadb:
            # Every statement, DDL included; the server stops it at the deadline.
            return f"SET STATEMENT max_statement_time={seconds:g} FOR {statement}", parameters
        if _SELECT.match(statement):
            millis = max(1, int(seconds * 1000))
            return _SELECT.sub(
                lambda m: f"{m.group(0)} /*+ MAX_EXECUTION_TIME({millis}) */", statement, count=1
            ), parameters
        return statement, parameters


async def _interrupt_until_idle(conn: Any) -> None:
    """Interrupt ``conn`` (an aiosqlite connection) until its worker thread is idle.

    ``sqlite3_interrupt`` does nothing when no statement runs, and the cancelled
    statement may still be waiting in aiosqlite's queue (or just starting) when
    the cancellation arrives: one interrupt can miss it. A no-op queued behind it
    tells when the worker is past it; until then, interrupt again every few ms.
    """
    probe = asyncio.ensure_future(conn.set_trace_callback(None))
    probe.add_done_callback(lambda done: done.cancelled() or done.exception())
    while not probe.done():
        await conn.interrupt()
        await asyncio.wait({probe}, timeout=_INTERRUPT_EVERY)


def install_sqlite_cancellation(engine: AsyncEngine) -> None:
    """Stop the SQLite statement itself when the task awaiting it is cancelled.

    A cancelled ``await`` reaches SQLAlchemy as ``CancelledError`` thrown into the
    statement's execute; its ``handle_error`` listeners see it before the
    connection is invalidated and closed. Interrupting the statement there (see
    :func:`_interrupt_until_idle`) stops it within milliseconds, so closing the
    connection, and the cancelled task, no longer wait for the query to finish.
    A statement waiting for a lock is not interruptible: it ends at the busy timeout.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine.sync_engine, "handle_error")
    def _interrupt_on_cancel(context: Any) -> None:
        if context.is_pre_ping or not isinstance(
            context.original_exception, asyncio.CancelledError
        ):
            return
        connection = context.connection
        if connection is None or connection.invalidated:
            return
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is None:
            return
        try:
            # aiosqlite's interrupt() calls sqlite3's thread-safe interrupt() at
            # once, from the event loop, not through the busy worker's queue.
            dbapi_connection.run_async(_interrupt_until_idle)
        except (ValueError, sqlite3.ProgrammingError):
            # Already closed: nothing runs. Raising here would replace the
            # CancelledError with this error.
            return


def install_statement_timeout(engine: AsyncEngine, seconds: float) -> None:
    """Stop any statement of ``engine`` that runs longer than ``seconds``."""
    if not seconds or seconds <= 0:
        raise ConfigurationError(
            f"statement_timeout={seconds!r} is not valid; give a number of seconds > 0."
        )
    if engine.dialect.name == "sqlite":
        _install_sqlite(engine, float(seconds))
    else:
        _install_mysql(engine, float(seconds))
