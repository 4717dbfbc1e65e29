"""``load_sql`` and ``iter_sql``: a user's own query as DataFrames, checked, bound, typed.

Both take the loaders' targets (an ``AsyncSession`` or ``AsyncConnection``,
never closed here) and go through one path: :func:`._prepare.prepare` checks
and binds the query, :func:`_running` runs it under the live-file limit and
turns the database's complaints into :class:`~novelkit.errors.QueryError`,
and :mod:`._dtypes` types the columns by the loaders' rules.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from .._docstrings import shared_sections
from .._progress import progress_bar
from ..arrow._choice import arrow_path_for, note_driver_path
from ..arrow._output import Frame, Output, frame_output, stream_output
from ..db._control import statement_control
from ..db._facts import engine_facts
from ..db._settings import sqlite_path
from ..db._sqlite import hold_deadline
from ..errors import ConfigurationError, QueryTimeoutError
from ..loaders._query import LoadContext, Target, open_context
from ._arrow import arrow_route, python_columns
from ._dtypes import ColumnPlan, convert, plan_columns, settled, text_plans, unique_names
from ._errors import query_error
from ._prepare import Prepared, Query, dialect_of, prepare

__all__ = ["LIVE_FILE_TIMEOUT", "iter_sql", "load_sql"]


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

    def __init__(self, ctx: LoadContext, prepared: Prepared, live: bool) -> None:
        self.ctx = ctx
        self.prepared = prepared
        self.live = live
        self.deadline: float | None = None

    def check_deadline(self) -> None:
        """Stop a stream between chunks once its limit passed (the lock is held meanwhile)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeoutError(self._timeout_message())

    def _timeout_message(self) -> str:
        if self.live:
            return _LIVE_FILE_STOPPED.format(seconds=LIVE_FILE_TIMEOUT)
        return (
            "The query ran past the engine's statement_timeout and was stopped. Raise "
            "statement_timeout= or narrow the query."
        )

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


# -- building the frame ---------------------------------------------------------------


def _check_names(option: str, given: Sequence[str] | None, names: Sequence[str]) -> set[str]:
    if given is None:
        return set()
    chosen = [given] if isinstance(given, str) else list(given)
    unknown = [c for c in chosen if c not in names]
    if unknown:
        listed = ", ".join(repr(c) for c in unknown)
        raise ConfigurationError(
            f"{option} names {listed}, which the query does not return; its columns: "
            f"{', '.join(names)}."
        )
    return set(chosen)


class _Shaper:
    """Turns fetched rows into typed frames, the same way for every chunk of a stream."""

    def __init__(
        self,
        ctx: LoadContext,
        raw_names: Sequence[str],
        description: Sequence[Sequence[Any]] | None,
        prepared: Prepared,
        from_text: Sequence[ColumnPlan] | None,
        parse_dates: Sequence[str] | None,
        parse_json: Sequence[str] | None,
    ) -> None:
        self.names = unique_names(list(raw_names))
        self.dates = _check_names("parse_dates", parse_dates, self.names)
        self.json = _check_names("parse_json", parse_json, self.names)
        self.plans = plan_columns(
            dialect_of(ctx.conn),
            self.names,
            description,
            from_text=from_text,
            core_columns=prepared.columns,
        )
        self.zone = ctx.server_timezone

    def frame(self, rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
        # One column at a time by index, as the loaders do (no zip(*rows)).
        count = len(rows)
        return self.frame_of(
            [
                np.fromiter(map(itemgetter(position), rows), dtype=object, count=count)
                for position in range(len(self.names))
            ],
            count,
        )

    def frame_of(self, stored: Sequence[np.ndarray], count: int) -> pd.DataFrame:
        """The frame of columns of stored values (Python objects), in result order."""
        columns: dict[str, pd.Series] = {}
        for position, (name, plan) in enumerate(zip(self.names, self.plans, strict=True)):
            values = pd.Series(stored[position], dtype=object)
            converted = convert(
                values,
                plan,
                name=name,
                parse_date=name in self.dates,
                parse_json=name in self.json,
                server_timezone=self.zone,
            )
            self.plans[position] = settled(plan, converted) if count else plan
            columns[name] = converted
        return pd.DataFrame(columns, index=pd.RangeIndex(count))


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


# -- the public functions ---------------------------------------------------------------

#: The parameters :func:`load_sql` and :func:`iter_sql` share, described once.
_SHARED_PARAMETERS = {
    "query_and_params": """
        query
            SQL text with ``:name`` placeholders, or a SQLAlchemy statement
            (``select(...)``, ``text(...)``), e.g. composed from :func:`tables`.
        params
            A value for each placeholder, by name. Values are bound, never written
            into the SQL; a list binds as ``IN :ids`` (no parentheses). A value is
            a str, int, float, Decimal, bool, bytes, None, a date, datetime, time,
            timedelta or UUID (numpy scalars as the Python values they hold), or a
            list, tuple or set of these; another type (a dict, an array) is
            refused before anything is sent. Datetimes (here, or written into a
            SQLAlchemy statement) are bound as the app
            stores its times: an aware ``datetime`` or ``pandas.Timestamp`` is
            converted to the zone stored times are read in (``server_timezone``;
            by default UTC on SQLite, the server's session zone on MySQL), a naive
            one is taken as already in that zone; on SQLite both become the app's
            text ``YYYY-MM-DD HH:MM:SS`` (``.ffffff`` only when the microseconds
            are not zero), so that comparisons with stored times are right to the
            second. ``pandas.NaT`` binds ``NULL``.
        """,
    "result_options": """
        parse_dates, parse_json
            Result columns to read as UTC timestamps or as JSON, beyond those
            whose type novelkit knows.
        server_timezone
            The zone MySQL ``DATETIME`` values are in (measured on the server by
            default; on SQLite the app writes UTC); aware datetime parameters are
            converted to it.
        """,
}


@frame_output
@shared_sections(**_SHARED_PARAMETERS)
async def load_sql(
    target: AsyncSession | AsyncConnection,
    query: Query,
    params: Mapping[str, Any] | None = None,
    *,
    parse_dates: Sequence[str] | None = None,
    parse_json: Sequence[str] | None = None,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Run your own query and get a DataFrame, read-only, with bound parameters and dtypes.

    The query runs on ``target``'s connection (never closed here). On a
    read-only engine (the default) it must be one statement that only reads:
    SELECT, WITH ... SELECT, EXPLAIN, SHOW, DESCRIBE, read-only PRAGMAs.
    Anything else is refused before it runs. On a live SQLite file in
    rollback-journal mode (the app's default) a query is stopped after
    :data:`LIVE_FILE_TIMEOUT` (4 s) unless the engine has a ``statement_timeout``
    or reads a snapshot, so that the app's writes never wait past their 5 s.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` on a novelkit engine.
    {{query_and_params}}
    {{result_options}}

    Returns
    -------
    pandas.DataFrame, polars.DataFrame or pyarrow.Table
        As ``to=`` says. One column per result column, in order; duplicate names get ``_1``,
        ``_2`` suffixes. Known Arboris columns selected by their own name, Core
        columns and MySQL's typed columns get the loaders' dtypes (``Int64``,
        UTC ``datetime64``, parsed JSON, ``string``); others follow their
        values. Secrets are not redacted: you get what you select.

    Raises
    ------
    ReadOnlyError
        A statement that could write, lock or change the server's state.
    ConfigurationError
        A placeholder without a value, a value without a placeholder, SQL that
        cannot be read, a ``parse_dates``/``parse_json`` name the query lacks;
        :class:`~novelkit.WrongTypeError` for a value no database binds.
    QueryError
        The database refused the statement (syntax, unknown column...): its
        message and code, without passwords or parameter values.
    QueryTimeoutError
        The query ran past ``statement_timeout`` or the live-file limit.

    Examples
    --------
    >>> frame = await novelkit.load_sql(  # doctest: +SKIP
    ...     session,
    ...     "SELECT project_id, AVG(word_count) AS mean_words FROM chapters "
    ...     "WHERE status = :status GROUP BY project_id",
    ...     {"status": "successful"},
    ... )
    >>> t = await novelkit.tables(session)  # doctest: +SKIP
    >>> from sqlalchemy import func, select
    >>> per_novel = select(t.chapters.c.project_id, func.count().label("n")).group_by(
    ...     t.chapters.c.project_id)  # doctest: +SKIP
    >>> counts = await novelkit.load_sql(session, per_novel)  # doctest: +SKIP
    """
    ctx, prepared, from_text, seconds, live = await _start(target, query, params, server_timezone)
    run = _Run(ctx, prepared, live)
    typed = (parse_dates, parse_json)
    route = await arrow_route(ctx, prepared)
    if route is not None and (table := await route.read()) is not None:
        shaper = _Shaper(ctx, route.names, route.description, prepared, from_text, *typed)
        return shaper.frame_of(python_columns(table), table.num_rows)
    note_driver_path()
    with _held(ctx, seconds) as deadline:
        run.deadline = deadline
        with run.errors():
            result = await ctx.conn.execute(prepared.statement)
            try:
                if not result.returns_rows:
                    return pd.DataFrame()
                names = list(result.keys())
                cursor = result.cursor
                description = cursor.description
                rows = cursor.fetchall()
            finally:
                result.close()
    shaper = _Shaper(ctx, names, description, prepared, from_text, parse_dates, parse_json)
    return shaper.frame(rows)


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


@stream_output
@shared_sections(**_SHARED_PARAMETERS)
async def iter_sql(
    target: AsyncSession | AsyncConnection,
    query: Query,
    params: Mapping[str, Any] | None = None,
    *,
    chunksize: int = 10_000,
    parse_dates: Sequence[str] | None = None,
    parse_json: Sequence[str] | None = None,
    server_timezone: str | None = None,
    progress: bool | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> AsyncIterator[Frame]:
    """:func:`load_sql` as DataFrames of at most ``chunksize`` rows, with bounded memory.

    Rows come from a server-side cursor on MySQL, and chunk by chunk from the
    statement on SQLite: at most one chunk of rows is held at a time. Every
    chunk has the same columns and dtypes (a column whose type is not known
    keeps the dtype its values gave it in the first chunk). A progress bar counts rows with
    ``progress=True`` (default: on a terminal, or as ``NOVELKIT_PROGRESS``
    says). The checks and errors are :func:`load_sql`'s.

    The statement stays open until the last chunk is read or the loop stops,
    holding SQLite's read lock meanwhile: on SQLite the engine's
    ``statement_timeout``, or on a live rollback-journal file the 4 s limit,
    covers the whole loop, your code between chunks included (past it the
    next chunk raises :class:`~novelkit.QueryTimeoutError`). Stream long scans
    from a snapshot (``connect(snapshot=True)``). Python does not close an async
    generator left by ``break``: wrap it in ``contextlib.aclosing(...)`` so that
    the statement stops (and, on MySQL, the connection is free) as the loop ends;
    ``db.iter_sql`` does this itself.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` on a novelkit engine.
    {{query_and_params}}
    chunksize
        The most rows a chunk holds.
    {{result_options}}
    progress
        Show a progress bar counting rows (None: on a terminal, or as
        ``NOVELKIT_PROGRESS`` says).

    Examples
    --------
    >>> total = 0
    >>> async for chunk in novelkit.iter_sql(  # doctest: +SKIP
    ...     session, "SELECT id, content FROM chapter_versions", chunksize=1000
    ... ):
    ...     total += chunk["content"].str.len().sum()
    """
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ConfigurationError(f"chunksize={chunksize!r} is not valid; give a whole number >= 1.")
    ctx, prepared, from_text, seconds, live = await _start(target, query, params, server_timezone)
    run = _Run(ctx, prepared, live)
    bar = progress_bar(progress, desc="rows", unit="rows", leave=False)
    conn = ctx.conn
    note_driver_path()
    finished = False
    try:
        with _held(ctx, seconds) as deadline:
            run.deadline = deadline
            with run.errors():
                result = await conn.run_sync(
                    lambda sync: sync.execute(
                        prepared.statement,
                        execution_options={"stream_results": True, "max_row_buffer": chunksize},
                    )
                )
            try:
                if not result.returns_rows:
                    return
                shaper = _Shaper(
                    ctx,
                    list(result.keys()),
                    result.cursor.description,
                    prepared,
                    from_text,
                    parse_dates,
                    parse_json,
                )
                while True:
                    run.check_deadline()
                    with run.errors():
                        rows = await conn.run_sync(lambda _sync: result.fetchmany(chunksize))
                    if not rows:
                        finished = True
                        return
                    bar.update(len(rows))
                    frame = shaper.frame(rows)
                    del rows
                    yield frame
            finally:
                if not result.closed:
                    await _end_stream(conn, result, finished=finished)
    finally:
        bar.close()
