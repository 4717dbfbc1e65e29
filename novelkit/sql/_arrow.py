"""A user's query on the Arrow path (MySQL through connectorx), giving the same frame.

Taken only for a query that reads rows (``SELECT``/``WITH``) and binds no values
(connectorx takes no parameters, and values are never written into SQL); on
SQLite a user's query keeps the async driver (see ``novelkit.arrow._choice``).
The result's column names and types come from the async driver first, with
the query wrapped as ``SELECT * FROM (...) LIMIT 0`` (no rows; the server plans
it only), so that every column gets exactly the dtype the driver path gives it;
the rows then come from connectorx and become the same Python values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ClauseElement

from ..arrow._choice import ArrowPath
from ..arrow._columns import time_as_duration
from ..arrow._errors import ArrowUnsupportedError
from ..loaders._query import LoadContext
from ._prepare import Prepared

__all__ = ["ArrowRoute", "arrow_route", "python_columns"]

log = logging.getLogger("novelkit.arrow")


@dataclass
class ArrowRoute:
    """A query that reads through the Arrow path, with its result columns as probed."""

    path: ArrowPath
    sql: str
    names: list[str]
    description: Sequence[Sequence[Any]]

    async def read(self) -> pa.Table | None:
        """The whole result, or None when connectorx cannot read a column (use the driver)."""
        try:
            return await self.path.read_sql(self.sql)
        except ArrowUnsupportedError:
            return None


async def arrow_route(ctx: LoadContext, prepared: Prepared) -> ArrowRoute | None:
    """How the query reads through the Arrow path, or None for the async driver.

    Unless ``fast=True``: only a plain read of one large table (see
    :func:`plain_table_read`); a join or an aggregate returns few rows, which
    the driver reads before connectorx has opened its connection.
    """
    if ctx.arrow is None or (sql := arrow_sql_text(prepared)) is None:
        return None
    tree = parse_mysql(sql)
    stand_in = plain_table_read(tree)
    if stand_in is None and not ctx.arrow.forced:
        return None
    if stand_in is not None and not await ctx.arrow.worth_it(ctx.conn, stand_in):
        return None
    if runs_when_probed(tree):
        # Probing its columns would run it (``SELECT SLEEP(2)`` would take 4 s, the
        # first 2 untagged, out of reach of a KILL QUERY): it runs once, through the
        # driver, whatever fast= says (the frame's attrs name the path).
        log.debug("driver path: probing this query's columns would run it (a FROM-less select)")
        return None
    probed = await probe_columns(ctx, sql)
    if probed is None:
        return None
    return ArrowRoute(ctx.arrow, sql, *probed)


_READS_ROWS = re.compile(r"\s*(\(\s*)*(SELECT|WITH)\b", re.IGNORECASE)
_MYSQL = mysql.dialect(paramstyle="named")
_MYSQL_NULL_TYPE = 6  # the protocol's FIELD_TYPE.NULL: a column that is always NULL
_MYSQL_STRING = 254
#: Field types connectorx cannot read: GEOMETRY (and its subtypes), which it has no
#: Arrow type for, and TIME, which it reads as a time of day and panics on a value past
#: 24 h or below zero (MySQL's TIME spans +-838 h; the values are not known before).
_CONNECTORX_LACKS = frozenset({255, 11})


def arrow_sql_text(prepared: Prepared) -> str | None:
    """The query's SQL for connectorx, or None when it is not a row-reading query."""
    sql = str(
        cast(ClauseElement, prepared.statement).compile(
            dialect=_MYSQL, compile_kwargs={"literal_binds": True}
        )
    )
    return sql if _READS_ROWS.match(sql) else None


def parse_mysql(sql: str) -> Any:
    """``sql`` parsed by sqlglot (MySQL dialect), or None when it cannot parse it; the
    one parse that :func:`plain_table_read` and :func:`runs_when_probed` share."""
    import sqlglot  # not at import: ``import novelkit`` stays light (tests check it)
    from sqlglot.errors import SqlglotError

    try:
        return sqlglot.parse_one(sql, read="mysql")
    except SqlglotError:
        return None


def plain_table_read(tree: Any) -> sa.Select[Any] | None:
    """A stand-in SELECT of the one table the parsed query reads, when it is a plain read.

    Plain: one table, no join, grouping, aggregate, DISTINCT or LIMIT; the
    stand-in lets :meth:`~novelkit.arrow._choice.ArrowPath.worth_it` weigh the
    table's size as it does for the loaders' statements. None otherwise (and for
    a query sqlglot could not parse, ``tree`` None).
    """
    from sqlglot import exp

    if not isinstance(tree, exp.Select):
        return None
    # (sqlglot 30 names a WITH clause "with_"; earlier versions "with".)
    clauses = ("joins", "group", "distinct", "limit", "having", "with_", "with")
    if any(tree.args.get(k) for k in clauses):
        return None
    if tree.find(exp.AggFunc) is not None or tree.find(exp.Subquery) is not None:
        return None
    tables = list(tree.find_all(exp.Table))
    if len(tables) != 1 or not tables[0].name:
        return None
    # Only weighed, never run: a column of the table's own, as a plain read has.
    table = sa.table(tables[0].name, sa.column("any_column"))
    return sa.select(table.c.any_column)


def runs_when_probed(tree: Any) -> bool:
    """Whether the probe would run the parsed query: it selects from no table (no FROM,
    or ``FROM DUAL``), or one of its sources (a CTE, a derived table) does.

    MariaDB materialises such a source even under ``LIMIT 0`` (checked with
    ``SLEEP``: a FROM-less select, a CTE chain ending in one, one joined to a
    table), while a query over real tables is only planned, unions included.
    False for a query sqlglot could not parse (``tree`` None): the probe then runs.
    """
    return _materialised(tree, {})


def _materialised(node: Any, ctes: dict[str, Any]) -> bool:
    from sqlglot import exp

    if isinstance(node, exp.Subquery):
        return _materialised(node.this, ctes)
    if not isinstance(node, exp.Select):
        return False  # a union, VALUES...: planned only
    with_ = node.args.get("with_") or node.args.get("with")
    if with_ is not None:
        ctes = ctes | {cte.alias_or_name.lower(): cte.this for cte in with_.expressions}
    from_ = node.args.get("from_") or node.args.get("from")
    if from_ is None:
        return True
    for source in [from_.this, *(join.this for join in node.args.get("joins") or ())]:
        if isinstance(source, exp.Table):
            name = source.name.lower()
            if source.db:
                continue
            if name == "dual":
                return True
            inner = {k: v for k, v in ctes.items() if k != name}  # no self-reference loop
            if name in ctes and _materialised(ctes[name], inner):
                return True
        elif _materialised(source, ctes):
            return True
    return False


async def probe_columns(
    ctx: LoadContext, sql: str
) -> tuple[list[str], Sequence[Sequence[Any]]] | None:
    """The result's names and driver description, or None when the query cannot be wrapped.

    (Duplicate column names cannot be a derived table's: such a query keeps the
    driver path, which names them ``id``, ``id_1``.)
    """
    try:
        result = await ctx.conn.exec_driver_sql(
            f"SELECT * FROM ({sql}) AS novelkit_columns LIMIT 0".replace("%", "%%")
        )
    except DBAPIError:
        return None
    try:
        names, description = list(result.keys()), result.cursor.description
    finally:
        result.close()
    if any(_maybe_null_type(column) for column in description or ()):
        return None  # a bare NULL column: connectorx has no type for it (it panics)
    if any(column[1] in _CONNECTORX_LACKS for column in description or ()):
        # connectorx would (or may) panic, and Rust prints the panic into the notebook.
        return None
    return names, description


def _maybe_null_type(column: Sequence[Any]) -> bool:
    """A column the unwrapped query may send as type NULL.

    In the derived table a bare ``NULL`` becomes ``CHAR(0)`` (type 254, size 0);
    a real ``CHAR(0)`` column is rare enough to read through the driver too.
    """
    return column[1] == _MYSQL_NULL_TYPE or (column[1] == _MYSQL_STRING and not column[3])


def _python(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    if pa.types.is_large_binary(kind):
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    if pa.types.is_time(kind):
        column = time_as_duration(column)  # timedelta, as the driver gives a TIME
    values = column.to_pylist()
    return np.fromiter(values, dtype=object, count=len(values))


def python_columns(data: pa.Table | pa.RecordBatch) -> list[np.ndarray]:
    """Each column's values as the async driver gives them (Python objects), in order."""
    return [_python(column) for column in data.columns]
