"""Whether a call reads through the Arrow path, and the one place statements go there.

The Arrow path (the optional extra ``novelkit[fast]``) is taken when the call
allows it and it gives the same frame as the async driver:

- the engine is one novelkit made (its settings are known) and ``fast`` is not
  False (the call's ``fast=``, else the engine's ``create_engine(fast=)``);
- SQLite: a file (not ``:memory:``) in rollback-journal mode (the app's
  default) or a snapshot copy, on a read-only engine, and no read-write
  novelkit engine of this process open on the same file: the ADBC driver links
  its own copy of SQLite, and POSIX locks belong to the process, so closing its
  file would silently release the other engine's locks (sqlite.org's "How To
  Corrupt An SQLite Database File", 2.2.1);
  users' own SQL keeps the async driver, whose statements can be stopped while
  they compute (see ``_sqlite``);
- MySQL: a TCP connection without TLS (connectorx cannot verify a server's
  certificate the way the engine does), and no bound parameters (connectorx
  takes none; users' values are never formatted into SQL).

``fast=True`` insists: a call the Arrow path cannot serve raises
:class:`~novelkit.ConfigurationError` saying why. Which path ran is logged on
``novelkit.arrow`` (debug) and kept in the frame's ``attrs["novelkit_path"]``.

What a statement reads and binds is read off it in :mod:`._statements`; why a
call cannot take the Arrow path is said in :mod:`._reasons`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import quoted_name
from sqlalchemy.sql.compiler import SQLCompiler

from ..db._facts import engine_facts
from ..db._settings import sqlite_path
from ..errors import ConfigurationError
from ..schema.reflect import cached_value, store_value
from ._errors import ArrowUnsupportedError
from ._mysql import ConnectorxMysqlReader, new_tag
from ._reasons import _why_not
from ._sqlite import AdbcSqliteReader
from ._statements import (
    _MYSQL,
    _SQLITE,
    _bound_values,
    _column_connectorx_cannot_read,
    _scalar_subqueries_only,
    _single_table,
    _text_as_text,
)

if TYPE_CHECKING:
    from ..loaders._fetch import Fetched

__all__ = [
    "NOVEL_FILTER",
    "ArrowPath",
    "CallRecord",
    "arrow_path_for",
    "call_record",
]

log = logging.getLogger("novelkit.arrow")

#: Below this many (estimated) rows, and :data:`SMALL_TABLE_BYTES`, a MySQL table is
#: read through the driver (see :meth:`ArrowPath.worth_it`).
SMALL_TABLE_ROWS = 20_000
#: A table of fewer rows but this many bytes of data or more (long texts: 25,470
#: chapter versions hold 500 MB) is worth the Arrow path all the same. InnoDB's row
#: count is a sampled estimate: the versions above were estimated at 19,975.
SMALL_TABLE_BYTES = 8 << 20
#: Below this many rows a SQLite table is read through the driver: ADBC opens a
#: connection of its own per statement (about 3 ms here), more than the driver takes
#: to read a few hundred rows. Measured through a kept engine on the large demo: 300
#: users 16.0 ms by ADBC, 14.0 ms by the driver; but 565 foreshadowings (24 columns)
#: 26.8 ms by ADBC, 29.8 ms by the driver.
SQLITE_SMALL_TABLE_ROWS = 500


@dataclass
class CallRecord:
    """One public call's ``fast=`` choice, and the paths its statements took."""

    fast: bool | None = None
    paths: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """``arrow (adbc-sqlite)``, ``driver``, or both when a call used each."""
        kinds = sorted(set(self.paths))
        return " + ".join(kinds) if kinds else "driver"


#: The record of the public call running in this task (set by ``_output.frame_output``).
call_record: ContextVar[CallRecord | None] = ContextVar("novelkit_call_record", default=None)


@dataclass
class ArrowPath:
    """A reader for one connection's database, and how to compile statements for it."""

    reader: AdbcSqliteReader | ConnectorxMysqlReader
    #: The engine whose echo setting the Arrow path's statements follow.
    engine: AsyncEngine | None = None
    #: ``fast=True``: every statement goes this way, small tables included.
    forced: bool = False

    async def worth_it(
        self, conn: AsyncConnection, statement: sa.Executable, rows_of: str | None = None
    ) -> bool:
        """Whether to read ``statement`` here rather than through the async driver.

        connectorx opens its own connections for each statement (20-30 ms here),
        more than the driver takes to read a small result: unless ``fast=True``,
        only a read of one table the server estimates at :data:`SMALL_TABLE_ROWS`
        rows or :data:`SMALL_TABLE_BYTES` of data or more goes this way on MySQL: a
        plain read of that table, or a
        statement that gives a row per row of the table named by ``rows_of`` (a
        loader's join that keeps every row of it). Other joins and aggregates
        return few rows. SQLite's reader costs a few milliseconds: every statement
        goes but a plain read of a table of fewer than
        :data:`SQLITE_SMALL_TABLE_ROWS` rows and a row of scalar subqueries.
        """
        if self.forced:
            return True
        name = rows_of or _single_table(statement)
        if isinstance(self.reader, AdbcSqliteReader):
            if name is None:
                # Joins and aggregates run the same in SQLite either way, but for a row
                # of scalar subqueries (admin_stats' counts): one row, the driver's.
                return not _scalar_subqueries_only(statement)
            rows, _size = await _table_size(conn, name)
            return rows >= SQLITE_SMALL_TABLE_ROWS
        if name is None:
            return False
        rows, size = await _table_size(conn, name)
        return rows >= SMALL_TABLE_ROWS or size >= SMALL_TABLE_BYTES

    def echo(self, sql: str) -> None:
        """Show the statement as the engine's echo shows the driver's (with the path)."""
        if self.engine is not None:
            # SQLAlchemy's instance logger: logs only when the engine's echo is on.
            self.engine.sync_engine.logger.info("[%s] %s", self.reader.name, sql)

    async def read(
        self,
        statement: sa.Executable,
        *,
        partition_on: str | None = None,
        on_batch: Callable[[pa.RecordBatch], None] | None = None,
    ) -> pa.Table:
        """Run a SQLAlchemy statement novelkit built; its result as an Arrow table.

        ``on_batch`` is given each batch on the event loop's thread, in order, as it
        arrives, while the reader reads on (SQLite: ADBC's next batch; MySQL with
        ``partition_on``: the next key ranges); the table returned then has the
        result's columns and no rows.
        """
        tag = new_tag()
        delivered = 0
        if on_batch is not None:
            given = on_batch

            def counted(batch: pa.RecordBatch) -> None:
                nonlocal delivered
                delivered += batch.num_rows
                given(batch)

            on_batch = counted
        if isinstance(self.reader, AdbcSqliteReader):
            compiled = cast(sa.ClauseElement, statement).compile(
                dialect=_SQLITE, compile_kwargs={"render_postcompile": True}
            )
            order = cast(SQLCompiler, compiled).positiontup or ()
            params = [compiled.params[name] for name in order]
            self.echo(str(compiled))
            table = await self.reader.read(str(compiled), params, on_batch=on_batch)
        else:
            bound = _bound_values(statement)
            if bound:
                # connectorx takes no parameters, and values are never written into
                # SQL: a statement with bound values (a novel_id filter) goes through
                # the driver. (literal_execute ones, integers novelkit read from the
                # database, are written in by the driver path too.)
                raise ArrowUnsupportedError(
                    _FILTERED_BY_NOVEL if NOVEL_FILTER in bound else "the statement binds values"
                )
            if (column := _column_connectorx_cannot_read(statement)) is not None:
                raise ArrowUnsupportedError(column)
            statement = _text_as_text(statement)
            if partition_on is not None and isinstance(statement, sa.Select):
                # A condition that is always true, in every key range's statement and
                # the one that finds the ranges' bounds: the tag.
                statement = statement.where(sa.literal_column(f"'{tag}'").is_not(None))
            sql = str(
                cast(sa.ClauseElement, statement).compile(
                    dialect=_MYSQL,
                    compile_kwargs={"literal_binds": True, "render_postcompile": True},
                )
            )
            if partition_on is None:
                sql = f"/* {tag} */ {sql}"
            self.echo(sql)
            table = await self.reader.read(
                sql, tag=tag, partition_on=partition_on, on_batch=on_batch
            )
        self.note(table.num_rows + delivered)
        return table

    async def fetch(
        self,
        conn: AsyncConnection,
        statement: sa.Executable,
        *,
        text: Collection[str] = (),
        lengths: Collection[str] = (),
        json: Collection[str] = (),
        partition_on: str | None = None,
        rows_of: str | None = None,
    ) -> Fetched | None:
        """:func:`~novelkit.loaders._fetch.fetch_columns` on the Arrow path.

        None when the reader cannot read this result (a column type it lacks,
        values whose SQLite storage types vary): the caller reads it with the
        async driver, which gives the same columns.
        """
        # These import the loaders, which import this module.
        from ..loaders._fetch import LengthCounter
        from ._columns import ArrowColumns

        if not await self.worth_it(conn, statement, rows_of):
            log.debug("driver path for one statement: a small table, a join or an aggregate")
            return None
        with LengthCounter(lengths) as counter:
            columns = ArrowColumns(text=text, counter=counter, json=json)
            try:
                table = await self.read(statement, partition_on=partition_on, on_batch=columns.add)
            except ArrowUnsupportedError as exc:
                if self.forced and exc.args == (_FILTERED_BY_NOVEL,):
                    # The user's own choice (a filter) that fast=True cannot serve: said,
                    # as for users' SQL with parameters. (novelkit's own constants, such
                    # as a metric's key, are bound too: those reads quietly take the driver.)
                    raise ConfigurationError(
                        f"fast=True, but the Arrow path cannot serve this: {_FILTERED_BY_NOVEL} "
                        "(connectorx takes no parameters, and novelkit never writes values "
                        "into SQL). Leave fast unset to read it through the driver."
                    ) from None
                log.debug(
                    "driver path for one statement: the Arrow reader cannot read it (%s)", exc
                )
                return None
            columns.add_unless_added(table)
            await counter.counted()
            return columns.fetched(table)

    async def read_sql(self, sql: str) -> pa.Table:
        """Run a user's checked SQL text without parameters (MySQL only)."""
        if not isinstance(self.reader, ConnectorxMysqlReader):
            raise TypeError("users' SQL reads through the Arrow path on MySQL only")
        tag = new_tag()
        self.echo(sql)
        table = await self.reader.read(f"/* {tag} */ {sql}", tag=tag)
        self.note(table.num_rows)
        return table

    def note(self, rows: int) -> None:
        """Log and record that a statement took this path."""
        log.debug("arrow path (%s): %s rows", self.reader.name, rows)
        record = call_record.get()
        if record is not None:
            record.paths.append(f"arrow ({self.reader.name})")


#: Seconds a table's size estimate is kept with the engine's schema. A table that
#: crosses :data:`SMALL_TABLE_ROWS` meanwhile is read on the other path for a while,
#: which gives the same frame; asking each call cost a round trip per table (about
#: 0.7 ms, a tenth of a small table's whole load).
ESTIMATE_SECONDS = 60.0
_ESTIMATES_KEY = "arrow.table_sizes"


async def _table_size(conn: AsyncConnection, name: str) -> tuple[int, int]:
    """``name``'s rows and bytes of data, kept :data:`ESTIMATE_SECONDS` with the
    engine's schema (forgotten with it, by ``inspect(refresh=True)``).

    MySQL: the server's estimates. SQLite: the rows counted up to
    :data:`SQLITE_SMALL_TABLE_ROWS` (a few microseconds whatever the table's size, on
    any table or view: ``MAX(rowid)`` fails on a fork's ``WITHOUT ROWID`` table), and
    no bytes.
    """
    kept: dict[str, tuple[int, int, float]] = cached_value(conn.engine, _ESTIMATES_KEY) or {}
    now = time.monotonic()
    known = kept.get(name)
    if known is not None and now - known[2] < ESTIMATE_SECONDS:
        return known[0], known[1]
    if conn.dialect.name == "sqlite":
        first = (
            sa.select(sa.literal_column("1"))
            .select_from(sa.table(quoted_name(name, True)))
            .limit(SQLITE_SMALL_TABLE_ROWS)
            .subquery()
        )
        counted = await conn.execute(sa.select(sa.func.count()).select_from(first))
        rows, size = int(counted.scalar_one()), 0
    else:
        found = (
            await conn.execute(
                sa.text(
                    "SELECT TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :name"
                ),
                {"name": name},
            )
        ).first()
        rows, size = (int(found[0] or 0), int(found[1] or 0)) if found is not None else (0, 0)
    # A new dict, swapped in whole: calls on other threads' loops read it unlocked.
    store_value(conn.engine, _ESTIMATES_KEY, {**kept, name: (rows, size, now)})
    return rows, size


#: The bound name of the loaders' novel filter (``loaders._novel_ids.exact_in``).
NOVEL_FILTER = "novel_ids"
_FILTERED_BY_NOVEL = "the statement binds the novel ids of a novel_id filter"


def note_driver_path() -> None:
    """Record that a statement of the current call went through the async driver."""
    record = call_record.get()
    if record is not None:
        record.paths.append("driver")


async def arrow_path_for(
    conn: AsyncConnection,
    fast: bool | None = None,
    *,
    user_sql: bool = False,
    has_params: bool = False,
    caller_in_transaction: bool | None = None,
) -> ArrowPath | None:
    """The Arrow path for a call on ``conn``, or None for the async driver.

    ``caller_in_transaction``: whether the caller's session or connection was in a
    transaction before the call began (default: whether ``conn`` is now).
    """
    if caller_in_transaction is None:
        caller_in_transaction = conn.in_transaction()
    record = call_record.get()
    if fast is None and record is not None:
        fast = record.fast
    facts = engine_facts(conn.engine)
    if fast is None and facts is not None:
        fast = facts.fast
    if fast is False:
        return None
    journal_mode = None
    if conn.dialect.name == "sqlite" and facts is not None and not facts.snapshot:
        # Asked of the connection, not read from the file's header: opening and
        # closing the file here would itself release this process's locks on it.
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        journal_mode = str(mode).lower()
    reason = _why_not(
        conn,
        user_sql=user_sql,
        has_params=has_params,
        caller_in_transaction=caller_in_transaction,
        journal_mode=journal_mode,
    )
    if reason is not None:
        if fast is True:
            raise ConfigurationError(f"fast=True, but the Arrow path cannot serve this: {reason}.")
        log.debug("driver path: %s", reason)
        return None
    assert facts is not None  # _why_not checked
    if conn.dialect.name == "sqlite":
        path = sqlite_path(conn.engine.url)
        assert path is not None
        return ArrowPath(
            AdbcSqliteReader(
                path, busy_timeout=facts.busy_timeout, statement_timeout=facts.statement_timeout
            ),
            conn.engine,
            forced=fast is True,
        )
    return ArrowPath(
        ConnectorxMysqlReader(
            conn.engine, read_only=facts.read_only, statement_timeout=facts.statement_timeout
        ),
        conn.engine,
        forced=fast is True,
    )
