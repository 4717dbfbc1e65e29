"""Where a SELECT's result columns come from, for inferring their dtypes.

:func:`column_origins` parses the statement with sqlglot and, for each result
column in order, tells which table column it is a plain reference to, if any.
It knows no schema: ``*`` and ``t.*`` come back as a :class:`Star` for the
caller to expand with the reflected tables, and an unqualified column is
resolved only when the FROM clause has a single source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from novelkit.sql._lex import Dialect

__all__ = ["ColumnOrigin", "Star", "column_origins"]

# Deeper nesting of subqueries and CTEs is not resolved (origin None).
_MAX_DEPTH = 16


class ColumnOrigin(NamedTuple):
    """One result column: its name and the table column it plainly refers to.

    Attributes
    ----------
    name
        The result column's name: the alias if there is one, else the column
        name as written (unquoted). For an unaliased expression it is sqlglot's
        rendering (``COUNT(*)``), which may differ from the label the database
        gives: match result columns by position.
    table
        The base table's name as written, without a schema or database
        (``main.chapters`` gives ``"chapters"``); None when the column is an
        expression, ambiguous, or comes from something else than a table.
    column
        The table column's name as written; None with ``table``.
    """

    name: str
    table: str | None
    column: str | None


@dataclass(frozen=True, slots=True)
class Star:
    """A ``*`` or ``t.*`` in the select list, to expand with the schema.

    Attributes
    ----------
    table
        The one base table whose columns it stands for, in the table's own
        order; None when it stands for several sources, a subquery or a CTE.
    qualifier
        What was written before ``.*`` (an alias or a table name); None for a
        bare ``*``.
    """

    table: str | None
    qualifier: str | None = None


Origins = list[ColumnOrigin | Star]


# CTE names (lower-cased) and their queries; None for a recursive one.
_CTEs = dict[str, exp.Expr | None]


class _Source(NamedTuple):
    alias: str  # lower-cased, for lookups
    table: str | None  # a base table
    derived: exp.Expr | None  # a subquery's or CTE's query


def column_origins(sql: str, dialect: Dialect) -> Origins | None:
    """For each result column of a SELECT, in order, where it comes from.

    A column that is a plain reference to a table's column gives
    ``ColumnOrigin(name, table, column)``, also under an alias:
    ``SELECT word_count AS wc FROM chapters`` gives ``("wc", "chapters",
    "word_count")``, so a caller that wants "a known column selected by its own
    name" compares ``name`` with ``column``. Expressions give ``(name, None,
    None)``, and so do unqualified columns when the FROM clause has several
    sources (ambiguous without the schema). Through a subquery or CTE, a column
    keeps the origin of the inner column it names, when that one is plain; a
    set operation (UNION...) keeps an origin only where all branches agree.

    Parameters
    ----------
    sql
        One statement, with ``:name`` placeholders if any.
    dialect
        ``"sqlite"`` or ``"mysql"``.

    Returns
    -------
    list of ColumnOrigin or Star, or None
        None when the statement is not a query with a select list (PRAGMA,
        SHOW, VALUES...), is several statements, or sqlglot cannot parse it:
        the caller then skips inference. Never raises for such SQL.

    Examples
    --------
    >>> for origin in column_origins("SELECT c.word_count, c.title AS t, 1 + 1, c.* "
    ...                              "FROM chapters c", "sqlite"):
    ...     print(origin)
    ColumnOrigin(name='word_count', table='chapters', column='word_count')
    ColumnOrigin(name='t', table='chapters', column='title')
    ColumnOrigin(name='1 + 1', table=None, column=None)
    Star(table='chapters', qualifier='c')
    """
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
        if len(statements) != 1:
            return None
        return _query(statements[0], {}, dialect, 0)
    except (SqlglotError, RecursionError):
        # Unparseable or too deep to walk: unknown origins, never an error.
        return None


def _query(node: exp.Expr | None, ctes: _CTEs, dialect: Dialect, depth: int) -> Origins | None:
    if depth > _MAX_DEPTH:
        return None
    while isinstance(node, exp.Subquery):  # (SELECT ...)
        node = node.this
    if node is None:
        return None
    with_ = node.args.get("with_")
    if isinstance(with_, exp.With):
        ctes = dict(ctes)
        for cte in with_.expressions:
            # A recursive CTE refers to itself: leave it unresolved.
            ctes[cte.alias.lower()] = None if with_.args.get("recursive") else cte.this
    if isinstance(node, exp.Select):
        return _select(node, ctes, dialect, depth)
    if isinstance(node, exp.SetOperation):
        left = _query(node.left, ctes, dialect, depth + 1)
        right = _query(node.right, ctes, dialect, depth + 1)
        return _merge(left, right)
    return None


def _merge(left: Origins | None, right: Origins | None) -> Origins | None:
    if left is None or right is None or len(left) != len(right):
        return None
    merged: Origins = []
    for a, b in zip(left, right, strict=True):
        if isinstance(a, Star) or isinstance(b, Star):
            if a != b:
                return None  # the positions after differing stars cannot be matched up
            merged.append(a)
        elif (a.table, a.column) == (b.table, b.column):
            merged.append(a)
        else:
            merged.append(ColumnOrigin(a.name, None, None))
    return merged


def _sources(select: exp.Select, ctes: _CTEs) -> list[_Source]:
    from_ = select.args.get("from_")
    items = [from_.this] if isinstance(from_, exp.From) else []
    items += [join.this for join in select.args.get("joins") or []]
    sources: list[_Source] = []
    for item in items:
        alias = item.alias_or_name.lower()
        if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
            name = item.name
            if not item.args.get("db") and name.lower() in ctes:
                sources.append(_Source(alias, None, ctes[name.lower()]))
            else:
                sources.append(_Source(alias, name, None))
        elif isinstance(item, exp.Subquery):
            sources.append(_Source(alias, None, item.this))
        else:  # a table function, VALUES, LATERAL...
            sources.append(_Source(alias, None, None))
    return sources


def _select(select: exp.Select, ctes: _CTEs, dialect: Dialect, depth: int) -> Origins:
    sources = _sources(select, ctes)
    by_alias = {source.alias: source for source in sources}
    origins: Origins = []
    for item in select.expressions:
        if isinstance(item, exp.Star):
            sole = sources[0] if len(sources) == 1 else None
            origins.append(Star(sole.table if sole is not None else None))
            continue
        if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            qualifier = item.table
            source = by_alias.get(qualifier.lower())
            origins.append(Star(source.table if source is not None else None, qualifier))
            continue
        inner = item.this if isinstance(item, exp.Alias) else item
        name = item.alias if isinstance(item, exp.Alias) else None
        if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Identifier):
            column = inner.name
            if inner.table:
                source = by_alias.get(inner.table.lower())
            else:
                source = sources[0] if len(sources) == 1 else None
            table, origin = _resolve(source, column, ctes, dialect, depth)
            origins.append(ColumnOrigin(name or column, table, origin))
        else:
            origins.append(ColumnOrigin(name or inner.sql(dialect), None, None))
    return origins


def _resolve(
    source: _Source | None,
    column: str,
    ctes: _CTEs,
    dialect: Dialect,
    depth: int,
) -> tuple[str | None, str | None]:
    if source is None:
        return None, None
    if source.table is not None:
        return source.table, column
    if source.derived is None:
        return None, None
    inner = _query(source.derived, ctes, dialect, depth + 1)
    if inner is None or any(isinstance(o, Star) for o in inner):
        return None, None  # a star might hold a column of the same name
    matches = [o for o in inner if isinstance(o, ColumnOrigin) and o.name.lower() == column.lower()]
    if len(matches) != 1:
        return None, None
    return matches[0].table, matches[0].column
