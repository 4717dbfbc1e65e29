"""The dtype of each result column of a user's query, by the loaders' rules.

For each result column, the first of these that applies decides:

1. ``parse_dates=[...]`` / ``parse_json=[...]`` name it;
2. it is a known Arboris column selected by its own name from its table (a
   Core column of that table, or what :func:`._columns.column_origins` reads in
   the SQL text): the loaders' kind for it (integers nullable, UTC timestamps,
   parsed JSON, status categories, text);
3. its type is known: a Core statement's column type, MySQL's type code in the
   driver's description, or the reflected type of a table column a text query
   selects by its own name (a fork's column);
4. its values: whole numbers become ``Int64``, other numbers ``Float64``, text
   the loaders' ``string``, anything else stays as the driver gave it.

A conversion a column's values do not fit (text in a SQLite INTEGER column)
falls back to rule 4 for that column rather than failing the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from ..loaders._convert import (
    Kind,
    convert_column,
    kind_of_type as column_kind,
    known_kinds,
    to_utc,
)
from ..loaders._json import parse_json_values
from ..loaders._nullable import to_int, to_string
from ..schema.reflect import reflect_table

if TYPE_CHECKING:
    from ._columns import ColumnOrigin
    from ._lex import Dialect

__all__ = [
    "ColumnPlan",
    "convert",
    "kind_of_type",
    "plan_columns",
    "settled",
    "text_plans",
    "unique_names",
]


@dataclass(frozen=True)
class ColumnPlan:
    """How one result column is converted: a kind (None: from its values) and its source."""

    kind: Kind | None
    table: str | None = None
    column: str | None = None


def unique_names(names: Sequence[str]) -> list[str]:
    """Result column names made unique the way pandas users expect: ``id``, ``id_1``, ``id_2``.

    A suffixed name never takes the name of another result column.
    """
    originals = set(names)
    used: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate = name
        if candidate in used:
            n = 1
            while f"{name}_{n}" in used or f"{name}_{n}" in originals:
                n += 1
            candidate = f"{name}_{n}"
        used.add(candidate)
        out.append(candidate)
    return out


def kind_of_type(sa_type: TypeEngine[Any] | None) -> Kind | None:
    """The conversion kind for a SQLAlchemy type; None when it says nothing useful.

    The loaders' mapping (:func:`~novelkit.loaders._convert.kind_of_type`), except
    that a type it does not know is not taken for text here: a user's expression of
    an unknown type keeps the dtype its values call for.
    """
    if sa_type is None or isinstance(sa_type, sa.types.NullType):
        return None
    kind = column_kind(sa_type)
    if kind == "str" and not isinstance(sa_type, sa.String):
        return None
    return kind


# MySQL's field type codes (the protocol's, the same in every driver).
_MYSQL_KINDS: dict[int, Kind] = {
    **dict.fromkeys((1, 2, 3, 8, 9, 13), "int"),  # TINY SHORT LONG LONGLONG INT24 YEAR
    **dict.fromkeys((0, 4, 5, 246), "float"),  # DECIMAL FLOAT DOUBLE NEWDECIMAL
    **dict.fromkeys((7, 12), "datetime"),  # TIMESTAMP DATETIME
    **dict.fromkeys((10, 14), "date"),  # DATE NEWDATE
    11: "duration",  # TIME
    245: "json",
    **dict.fromkeys((15, 247, 248, 253, 254), "str"),  # VARCHAR ENUM SET VAR_STRING STRING
    # BLOB types (249-252) hold text and bytes alike: decided by the values.
}


def _known(table: str | None, column: str | None) -> Kind | None:
    if table is None or column is None:
        return None
    return known_kinds(table).get(column)


def _core_plans(columns: Sequence[sa.ColumnElement[Any]], names: Sequence[str]) -> list[ColumnPlan]:
    plans = []
    for element, name in zip(columns, names, strict=True):
        table = getattr(element, "table", None)
        table_name = getattr(table, "name", None) if table is not None else None
        column = getattr(element, "name", None)
        if isinstance(table_name, str) and column == name and (kind := _known(table_name, name)):
            plans.append(ColumnPlan(kind, table_name, name))
        else:
            plans.append(ColumnPlan(kind_of_type(getattr(element, "type", None))))
    return plans


async def text_plans(conn: Any, sql: str, dialect: Dialect) -> list[ColumnPlan]:
    """Plans read from where a text query's columns come from (rule 2, and 3 for forks).

    Reflects the tables it needs before the query runs (a MySQL connection
    that streams a result can run nothing else). The list is shorter than the
    result when a ``*`` cannot be expanded: positions after it are unknown.
    """
    # Imported here: sqlglot loads on the first query, not with ``import novelkit``.
    from ._columns import Star, column_origins

    origins = column_origins(sql, dialect)
    plans: list[ColumnPlan] = []
    for origin in origins or ():
        if isinstance(origin, Star):
            shape = await reflect_table(conn, origin.table) if origin.table else None
            if shape is None:
                break  # the positions after an unknown star cannot be matched up
            for column in shape.columns:
                known = _known(shape.name, column.name)
                kind = known or kind_of_type(column.type)
                plans.append(ColumnPlan(kind, shape.name if known else None, column.name))
            continue
        plans.append(await _origin_plan(conn, origin))
    return plans


async def _origin_plan(conn: Any, origin: ColumnOrigin) -> ColumnPlan:
    table, column = origin.table, origin.column
    if table is None or column is None or origin.name != column:
        return ColumnPlan(None)  # an expression, or a column under another name
    known = _known(table, column)
    if known is not None:
        return ColumnPlan(known, table, column)
    shape = await reflect_table(conn, table)
    found = next((c for c in shape.columns if c.name == column), None) if shape else None
    return ColumnPlan(kind_of_type(found.type) if found is not None else None)


def plan_columns(
    dialect: Dialect,
    names: Sequence[str],
    description: Sequence[Sequence[Any]] | None,
    *,
    from_text: Sequence[ColumnPlan] | None,
    core_columns: Sequence[sa.ColumnElement[Any]] | None,
) -> list[ColumnPlan]:
    """Rules 2 and 3 of the module docstring, for every result column in order."""
    count = len(names)
    plans = [ColumnPlan(None)] * count
    if dialect == "mysql" and description is not None and len(description) == count:
        plans = [ColumnPlan(_MYSQL_KINDS.get(d[1])) for d in description]
    if core_columns is not None and len(core_columns) == count:
        typed = _core_plans(core_columns, names)
        return [t if t.kind is not None else p for t, p in zip(typed, plans, strict=True)]
    if from_text is not None and len(from_text) <= count:
        for i, plan in enumerate(from_text):
            if plan.table is not None or (plan.kind is not None and plans[i].kind is None):
                plans[i] = plan
    return plans


def settled(plan: ColumnPlan, converted: pd.Series) -> ColumnPlan:
    """The plan that gives later chunks of a stream the dtype this chunk got."""
    if plan.kind is not None:
        return plan
    dtype = converted.dtype
    if isinstance(dtype, pd.StringDtype):
        return ColumnPlan("str")
    for name, kind in (("Int64", "int"), ("Float64", "float"), ("boolean", "bool")):
        if str(dtype) == name:
            return ColumnPlan(kind)  # type: ignore[arg-type]
    return plan


def _from_values(values: pd.Series) -> pd.Series:
    """Rule 4: the dtype the values call for."""
    inferred = pd.api.types.infer_dtype(values.to_numpy(dtype=object), skipna=True)
    if inferred == "integer":
        return to_int(values)
    if inferred in ("floating", "mixed-integer-float", "decimal"):
        return pd.to_numeric(values).astype("Float64")
    if inferred == "string":
        return to_string(values)
    if inferred == "boolean":
        return values.astype("boolean")
    return values


def _holds_bytes(values: pd.Series) -> bool:
    """Whether the first non-null value is ``bytes``."""
    for value in values:
        if value is not None and value is not pd.NA:
            return isinstance(value, bytes)
    return False


_CONVERSION_FAILURES = (TypeError, ValueError, OverflowError, pa.ArrowException)


def convert(
    values: pd.Series,
    plan: ColumnPlan,
    *,
    name: str,
    parse_date: bool,
    parse_json: bool,
    server_timezone: Any,
) -> pd.Series:
    """One result column converted by the rules of the module docstring."""
    if parse_json:
        parsed = parse_json_values(values.to_numpy(dtype=object), where=f"column {name!r}")
        return pd.Series(parsed, index=values.index, dtype=object)
    if parse_date:
        return to_utc(values, server_timezone)
    if plan.kind is None or (plan.kind == "str" and plan.table is None and _holds_bytes(values)):
        # Bytes under a text type code are a binary column (MySQL's VARBINARY,
        # CAST(... AS BINARY)): kept as bytes, not decoded.
        return _from_values(values)
    try:
        return convert_column(
            plan.table or "result",
            plan.column or name,
            values,
            plan.kind,
            parse_json=True,
            server_timezone=server_timezone,
        )
    except _CONVERSION_FAILURES:
        # Values the declared type does not hold (SQLite does not enforce types).
        return _from_values(values)
