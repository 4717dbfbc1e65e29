"""Stop a MariaDB/MySQL query on the server when the task awaiting it is cancelled.

Cancelling an asyncio task that awaits a query stops only the waiting: SQLAlchemy
closes the driver's socket, but the server keeps running the statement (MariaDB
looks for a vanished client only every few seconds inside ``SLEEP()`` and not at
all in most other work). So when a statement or fetch is cancelled, novelkit
sends ``KILL QUERY <server thread id>`` (asyncmy keeps the id from the handshake)
from a short-lived side connection (same account, same TLS settings, bounded by
``connect_timeout``) before the cancellation goes on. Killing one's own queries
needs no privilege.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncmy.errors
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

__all__ = ["install_kill_on_cancel"]

log = logging.getLogger("novelkit.cancel")

_UNKNOWN_THREAD = 1094  # ER_NO_SUCH_THREAD


async def _kill_query(
    connect: Callable[[], Awaitable[Any]], thread_id: int, timeout: float
) -> None:
    side = await connect()
    try:
        async with asyncio.timeout(timeout), side.cursor() as cursor:
            await cursor.execute(f"KILL QUERY {int(thread_id)}")
    finally:
        try:
            await side.ensure_closed()  # COM_QUIT, then close the socket
        except (OSError, asyncmy.errors.Error):
            side.close()


def install_kill_on_cancel(
    engine: AsyncEngine, connect: Callable[[], Awaitable[Any]], *, timeout: float
) -> None:
    """Send ``KILL QUERY`` for a statement of ``engine`` whose task gets cancelled.

    ``connect`` opens a new driver connection (the engine's own creator, so
    that the side connection uses the same account and TLS settings).
    """

    @event.listens_for(engine.sync_engine, "handle_error")
    def _kill_on_cancel(context: ExceptionContext) -> None:
        if context.is_pre_ping or not isinstance(
            context.original_exception, asyncio.CancelledError
        ):
            return
        thread_id = _server_thread_id(context)
        if thread_id is None:
            return
        try:
            # handle_error runs inside SQLAlchemy's greenlet, where await_ may
            # wait on the loop; the task's cancellation was already delivered,
            # so this wait goes through and the CancelledError is re-raised after.
            await_(_kill_query(connect, thread_id, timeout))
        except asyncmy.errors.Error as exc:
            if exc.args and exc.args[0] == _UNKNOWN_THREAD:
                # The connection was gone already (cancelled while it was
                # opening or idle): its thread ended with it, nothing runs.
                log.debug("cancelled: server thread %s had already ended", thread_id)
                return
            log.warning(
                "could not stop the cancelled query of server thread %s: %s", thread_id, exc
            )
        except (OSError, TimeoutError) as exc:
            log.warning(
                "could not stop the cancelled query of server thread %s: %s", thread_id, exc
            )
        else:
            log.debug("cancelled: sent KILL QUERY %s", thread_id)


def _server_thread_id(context: ExceptionContext) -> int | None:
    """The server thread id of the connection the cancelled statement ran on.

    asyncmy keeps it from the handshake. Read from the driver connection, not
    from ``Connection.info``: the engine's very first connection (the dialect's
    initialisation) has no pool record and no ``info``.
    """
    connection = context.connection
    if connection is None or connection.closed or connection.invalidated:
        return None
    driver = connection.connection.driver_connection
    thread_id = getattr(driver, "thread_id", None)
    return int(thread_id()) if callable(thread_id) else None
