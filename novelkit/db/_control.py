"""Which statements an engine is running, and the one way to stop them.

Each engine novelkit creates gets a :class:`StatementControl`. It records, under
a lock, which task holds which pooled connection (pool ``checkout``/``checkin``
events), and stops a statement with its backend's one mechanism
(:mod:`._sqlite`: the connection's stop signal; :mod:`._mysql`: ``KILL QUERY``
from a connection outside the pool). Two callers use it:

- a cancelled task: SQLAlchemy hands the ``CancelledError`` thrown into a
  statement's execute or fetch to ``handle_error`` listeners, before it
  invalidates the connection; the statement is stopped there;
- the sync facade's interrupt button (:meth:`StatementControl.stop_task`), from
  the thread the user pressed it in, for the task it abandoned.

It also closes a stream its owner left open (:meth:`StatementControl.track_stream`):
an ``async for`` over ``iter_sql`` left by ``break`` without ``aclosing`` keeps its
generator, and its unread result, alive; on MySQL the session's rollback then read
the rest of the result as the rollback's reply ("Packet sequence number wrong") and
the program stopped with an ``InternalError``.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import await_

from ._sqlite import request_stop

__all__ = ["StatementControl", "install_statement_control", "statement_control"]

#: Stops the statement on one driver connection (MySQL); awaited on the engine's loop.
AsyncStop = Callable[[Any], Awaitable[None]]
#: Closes a result whose statement was stopped (MySQL), on the sync connection in
#: SQLAlchemy's greenlet: reading what the server still sends, its expected error included.
CloseStopped = Callable[[Any, Any], None]
#: Runs a coroutine to completion on the engine's loop, from another thread.
LoopRunner = Callable[[Coroutine[Any, Any, None]], None]

#: Key, in a connection's ``info``, of the streamed results still open on it.
_OPEN_STREAMS = "novelkit_open_streams"


def _streams_of(connection: Any) -> dict[int, Any] | None:
    """The tracked streams of a sync ``Connection``; None once it is closed or invalidated
    (its ``info`` is then out of reach, and its results died with its socket)."""
    if connection.closed or connection.invalidated:
        return None
    streams: dict[int, Any] | None = connection.info.get(_OPEN_STREAMS)
    return streams


class StatementControl:
    """The connections each task has checked out from one engine, and how to stop them."""

    def __init__(
        self,
        engine: AsyncEngine,
        async_stop: AsyncStop | None,
        close_stopped: CloseStopped | None = None,
    ) -> None:
        self._async_stop = async_stop  # None: SQLite, whose stop is a flag
        self._close_stopped = close_stopped
        self._lock = threading.Lock()
        self._owners: dict[Any, tuple[asyncio.Task[Any] | None, Any]] = {}
        sync = engine.sync_engine
        event.listen(sync, "checkout", self._checkout)
        event.listen(sync, "checkin", self._checkin)
        event.listen(sync, "handle_error", self._on_error)
        event.listen(sync, "rollback", self._close_streams_left_open)
        event.listen(sync, "before_cursor_execute", self._before_execute)

    def _checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        with self._lock:
            self._owners[record] = (task, dbapi_connection.driver_connection)

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        with self._lock:
            self._owners.pop(record, None)

    def _on_error(self, context: ExceptionContext) -> None:
        if context.is_pre_ping or not isinstance(
            context.original_exception, asyncio.CancelledError
        ):
            return
        connection = context.connection
        if connection is None or connection.closed or connection.invalidated:
            return
        if self._async_stop is None:
            request_stop(connection)  # a Connection's info is its pool record's
            return
        driver = connection.connection.driver_connection
        # handle_error runs inside SQLAlchemy's greenlet, where await_ may wait on
        # the loop; the task's cancellation was already delivered, so this wait
        # goes through and the CancelledError is re-raised after.
        await_(self._async_stop(driver))

    @staticmethod
    def track_stream(connection: AsyncConnection, result: Any) -> Callable[[], bool]:
        """Note that ``result`` streams on ``connection``; returns ``untrack``.

        Until ``untrack()``, a rollback of the connection (the session or connection
        closing) or another statement on it first closes ``result`` the backend's
        way. ``untrack()`` says whether the stream was still the caller's to end
        (False: it was closed that way already).
        """
        streams: dict[int, Any] = connection.sync_connection.info.setdefault(  # type: ignore[union-attr]
            _OPEN_STREAMS, {}
        )
        key = id(result)
        streams[key] = result

        def untrack() -> bool:
            return streams.pop(key, None) is not None

        return untrack

    def _close_streams_left_open(self, connection: Any) -> None:
        """Close every tracked stream of ``connection`` (sync, in SQLAlchemy's greenlet)."""
        streams = _streams_of(connection)
        while streams:
            _key, result = streams.popitem()
            if not result.closed:
                self._close_abandoned(connection, result)

    def _before_execute(self, connection: Any, *_args: Any) -> None:
        if _streams_of(connection):
            self._close_streams_left_open(connection)

    async def abandon_result(self, connection: AsyncConnection, result: Any) -> None:
        """Close a streamed ``result`` left unread midway (a loop that stopped early,
        an interrupt between chunks).

        MySQL: its statement is stopped first (``KILL QUERY``), since closing would
        otherwise read every row left; the result is then closed through the error
        that the stop makes the server send. SQLite: closing the cursor ends the
        statement at once.
        """
        await connection.run_sync(lambda sync: self._close_abandoned(sync, result))

    def _close_abandoned(self, connection: Any, result: Any) -> None:
        """:meth:`abandon_result` on the sync connection, in SQLAlchemy's greenlet (where
        ``await_`` waits on the loop for MySQL's stop)."""
        if self._async_stop is None or self._close_stopped is None:
            result.close()  # SQLite: closing the cursor ends the statement
            return
        await_(self._async_stop(connection.connection.driver_connection))
        self._close_stopped(connection, result)

    def connections_of(self, task: asyncio.Task[Any] | None) -> list[tuple[Any, Any]]:
        """(pool record, driver connection) of each connection ``task`` holds now."""
        if task is None:
            return []
        with self._lock:
            return [(rec, drv) for rec, (owner, drv) in self._owners.items() if owner is task]

    def stop_task(self, task: asyncio.Task[Any] | None, run_on_loop: LoopRunner) -> bool:
        """Stop every statement ``task`` runs, from another thread; True if it held any.

        ``run_on_loop`` runs a coroutine on the engine's loop and waits (MySQL's
        ``KILL QUERY`` needs the loop; SQLite's stop signal does not).
        """
        held = self.connections_of(task)
        if not held:
            return False
        if self._async_stop is None:
            return any([request_stop(record) for record, _driver in held])
        stop = self._async_stop

        async def stop_all() -> None:
            for _record, driver in held:
                await stop(driver)

        run_on_loop(stop_all())
        return True


_controls: weakref.WeakKeyDictionary[Engine, StatementControl] = weakref.WeakKeyDictionary()
_controls_lock = threading.Lock()


def install_statement_control(
    engine: AsyncEngine, async_stop: AsyncStop | None, close_stopped: CloseStopped | None = None
) -> None:
    """Give ``engine`` its :class:`StatementControl` (once, when novelkit creates it)."""
    with _controls_lock:
        _controls[engine.sync_engine] = StatementControl(engine, async_stop, close_stopped)


def statement_control(engine: AsyncEngine) -> StatementControl | None:
    """The control of an engine novelkit created, or None for any other engine."""
    with _controls_lock:
        return _controls.get(engine.sync_engine)
