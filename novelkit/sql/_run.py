"""One run of a user's query: how it starts, its live-file limit, its errors, how a stream ends.

What :func:`._load.load_sql` and :func:`._load.iter_sql` share around the
statement itself: the context, prepared query and Arrow choice a call starts
with, the time limit on a live SQLite file (and the message when it stops a
query), the database's complaints turned into :class:`~novelkit.errors.QueryError`,
and the closing of a streamed result. Split from :mod:`._load`, which keeps the
two public functions and their documentation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..arrow._choice import arrow_path_for
from ..db._control import statement_control
from ..db._errors import database_where
from ..db._facts import engine_facts
from ..db._settings import sqlite_path
from ..db._sqlite import hold_deadline
from ..errors import QueryTimeoutError, _statement_timed_out
from ..loaders._query import LoadContext, Target, open_context
from ._dtypes import ColumnPlan, text_plans
from ._errors import query_error
from ._prepare import Prepared, Query, dialect_of, prepare

__all__ = ["LIVE_FILE_TIMEOUT"]


#: Seconds after which a query on a live SQLite file in rollback-journal mode is
#: stopped, unless the engine has a ``statement_timeout`` or reads a snapshot:
#: below the app's 5 s busy timeout, past which its writes fail while a reader
#: holds the file's shared lock.
LIVE_FILE_TIMEOUT = 4.0

_LIVE_FILE_STOPPED = (
    "The query was stopped after {seconds:g} s: this SQLite file is in rollback-journal mode "
    "(the Arboris app's default), where a read holds a lock that makes the app's writes fail "
    "once it lasts past the app's 5 s busy timeout, so novelkit stops queries on the live file "
    "at {seconds:g} s. To run longer: read a consistent copy with novelkit.connect(url, "
    "snapshot=True) (no limit), or choose a limit yourself with statement_timeout= on "
    "connect() or create_engine() (the app's writes may then fail while the query runs), "
    "or narrow the query."
)


# -- running: the live-file limit and the database's errors ---------------------------


async def _sqlite_limit(ctx: LoadContext) -> tuple[float | None, bool]:
    """(seconds to hold, whether that is the live-file default) for this connection."""
    if ctx.backend != "sqlite":
        return None, False  # MySQL: the server's own max_statement_time
    engine = ctx.conn.engine
    facts = engine_facts(engine)
    if facts is None:
        return None, False  # not novelkit's engine: it has no stop signal
    if facts.statement_timeout is not None:
        return facts.statement_timeout, False
    if facts.snapshot or sqlite_path(engine.url) is None:
        return None, False
    mode = (await ctx.conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
    if str(mode).lower() == "wal":
        return None, False  # WAL readers do not block the app's writers
    return LIVE_FILE_TIMEOUT, True


class _Run:
    """One query's limit, and the errors it raises as novelkit's."""

    def __init__(
        self, ctx: LoadContext, prepared: Prepared, live: bool, seconds: float | None
    ) -> None:
        self.ctx = ctx
        self.prepared = prepared
        self.live = live
        self.seconds = seconds
        self.deadline: float | None = None

    def check_deadline(self) -> None:
        """Stop a stream between chunks once its limit passed (the lock is held meanwhile)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeoutError(self._timeout_message())

    def _timeout_message(self) -> str:
        if self.live:
            return _LIVE_FILE_STOPPED.format(seconds=LIVE_FILE_TIMEOUT)
        where = f"the {database_where(self.ctx.conn.engine.url)}"
        return str(_statement_timed_out(where, self.seconds))

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except QueryTimeoutError as exc:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                raise QueryTimeoutError(self._timeout_message()) from exc
            raise
        except DBAPIError as exc:
            # Not chained: SQLAlchemy's own message lists the statement's parameter
            # values, which must not reach a notebook's traceback.
            raise query_error(
                exc, self.ctx.conn.engine.url, self.ctx.backend, self.prepared.values
            ) from None


@contextmanager
def _held(ctx: LoadContext, seconds: float | None) -> Iterator[float | None]:
    if seconds is None:
        yield None
        return
    with hold_deadline(ctx.conn.sync_connection, seconds) as deadline:
        yield deadline


async def _start(
    target: Target, query: Query, params: Mapping[str, Any] | None, server_timezone: str | None
) -> tuple[LoadContext, Prepared, list[ColumnPlan] | None, float | None, bool]:
    # Any database: a query need not be about Arboris tables.
    ctx = await open_context(target, server_timezone, require_arboris=False)
    prepared = prepare(ctx.conn, query, params, ctx.server_timezone)
    ctx.arrow = await arrow_path_for(
        ctx.conn,
        user_sql=True,
        has_params=bool(prepared.values),
        caller_in_transaction=ctx.caller_in_transaction,
    )
    from_text = None
    if prepared.sql is not None:
        from_text = await text_plans(ctx.conn, prepared.sql, dialect_of(ctx.conn))
    seconds, live = await _sqlite_limit(ctx)
    return ctx, prepared, from_text, seconds, live


async def _end_stream(conn: AsyncConnection, result: Any, *, finished: bool) -> None:
    """Close a streamed result, read to its end or left midway.

    Left midway (the loop stopped, an interrupt between chunks), the engine's
    statement control closes it the backend's way (see ``abandon_result``). A fetch
    cut off by a cancellation may have left the driver halfway through a packet:
    SQLAlchemy has discarded that connection already, and novelkit's cancellation
    listener stopped its statement.
    """
    if conn.invalidated:
        return  # cut off in a fetch: SQLAlchemy discarded the connection, stopping its query
    control = statement_control(conn.engine)
    if not finished and control is not None:
        await control.abandon_result(conn, result)
        return
    await conn.run_sync(lambda _sync: result.close())
