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

import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pyarrow as pa
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ClauseElement

from ..loaders._query import LoadContext
from ._prepare import Prepared

__all__ = ["arrow_sql_text", "probe_columns", "python_columns"]

_READS_ROWS = re.compile(r"\s*(\(\s*)*(SELECT|WITH)\b", re.IGNORECASE)
_MYSQL = mysql.dialect(paramstyle="named")
_MYSQL_NULL_TYPE = 6  # the protocol's FIELD_TYPE.NULL: a column that is always NULL
_MYSQL_STRING = 254


def arrow_sql_text(prepared: Prepared) -> str | None:
    """The query's SQL for connectorx, or None when it is not a row-reading query."""
    sql = str(
        cast(ClauseElement, prepared.statement).compile(
            dialect=_MYSQL, compile_kwargs={"literal_binds": True}
        )
    )
    return sql if _READS_ROWS.match(sql) else None


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
    values = column.to_pylist()
    return np.fromiter(values, dtype=object, count=len(values))


def python_columns(data: pa.Table | pa.RecordBatch) -> list[np.ndarray]:
    """Each column's values as the async driver gives them (Python objects), in order."""
    return [_python(column) for column in data.columns]
