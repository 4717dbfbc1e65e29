"""``load_sql`` and ``iter_sql``: a user's own query as DataFrames, checked, bound, typed.

Both take the loaders' targets (an ``AsyncSession`` or ``AsyncConnection``,
never closed here) and go through one path: :func:`._prepare.prepare` checks
and binds the query, :mod:`._run` runs it under the live-file limit and
turns the database's complaints into :class:`~novelkit.errors.QueryError`,
and :mod:`._shaper` types the columns by the loaders' rules (:mod:`._dtypes`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from .._docstrings import shared_sections
from .._progress import progress_bar
from ..arrow._choice import note_driver_path
from ..arrow._output import Frame, Output, frame_output, stream_output
from ..db._control import statement_control
from ..errors import ConfigurationError
from ._arrow import arrow_route, python_columns
from ._prepare import Query
from ._run import _end_stream, _held, _Run, _start
from ._shaper import _Shaper

__all__ = ["iter_sql", "load_sql"]


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
    run = _Run(ctx, prepared, live, seconds)
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
    run = _Run(ctx, prepared, live, seconds)
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
            control = statement_control(conn.engine)
            untrack = control.track_stream(conn, result) if control is not None else None
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
                # Not the stream's to end when the connection's rollback (the session
                # closing before this generator was) has closed it already.
                ours = untrack() if untrack is not None else True
                if ours and not result.closed:
                    await _end_stream(conn, result, finished=finished)
    finally:
        bar.close()
