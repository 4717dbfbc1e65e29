"""``tables()``: the database's own tables as SQLAlchemy ``Table`` objects, for composing queries.

Reflected through the one schema cache (:mod:`novelkit.schema.reflect`), so a
fork's tables and columns are there, and ``db.inspect(refresh=True)`` (or
``clear_schema_cache``) refreshes them with everything else. The namespace
completes with Tab in Jupyter (``t.chapters.c.chapter_number``) and shows the
tables with their columns, types, nullability and row counts.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from ..errors import WrongTypeError
from ..loaders._query import unknown_table
from ..schema.inspect import _count_rows
from ..schema.reflect import TableShape, cached_value, reflect_all, store_value

__all__ = ["Tables", "tables"]

_CACHE_KEY = "sql.tables"


def _type_name(column: sa.Column[Any]) -> str:
    try:
        return str(column.type)
    except sa.exc.CompileError:
        return type(column.type).__name__


class Tables:
    """A database's tables by name: ``t.chapters``, ``t["chapters"]``, ``for name in t``.

    Each value is a :class:`sqlalchemy.Table` in :attr:`metadata`, with the
    reflected columns (``t.chapters.c.word_count``), their types, nullability
    and primary key. Built by :func:`tables`.
    """

    def __init__(
        self, metadata: sa.MetaData, counts: dict[str, int], backend: str | None = None
    ) -> None:
        self._metadata = metadata
        self._counts = dict(counts)
        self._backend = backend
        # Plain instance attributes, not __getattr__: IPython's completer evaluates
        # "t.chapters" (to complete ".c.chapter_number") only on objects that do not
        # override attribute lookup. A table named like a property stays in t[...].
        for name, table in metadata.tables.items():
            if name.isidentifier() and not hasattr(type(self), name):
                self.__dict__[name] = table

    @property
    def metadata(self) -> sa.MetaData:
        """The :class:`sqlalchemy.MetaData` holding every table."""
        return self._metadata

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows per table when the tables were read."""
        return dict(self._counts)

    def __getitem__(self, name: str) -> sa.Table:
        table = self._metadata.tables.get(name)
        if table is None:
            names = list(self._metadata.tables)
            raise unknown_table(
                name, names, backend=self._backend, advice="repr(tables) lists them."
            )
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._metadata.tables))

    def __len__(self) -> int:
        return len(self._metadata.tables)

    def __contains__(self, name: object) -> bool:
        return name in self._metadata.tables

    def _rows(self) -> list[tuple[str, sa.Table, int | None]]:
        return [(n, self._metadata.tables[n], self._counts.get(n)) for n in self]

    def __repr__(self) -> str:
        lines = [f"Tables({len(self)} tables)"]
        for name, table, count in self._rows():
            rows = "?" if count is None else f"{count:,}"
            lines.append(f"  {name} ({rows} rows)")
            for column in table.columns:
                flags = " PK" if column.primary_key else ""
                flags += "" if column.nullable else " NOT NULL"
                lines.append(f"      {column.name}  {_type_name(column)}{flags}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [
            f"<b>novelkit tables</b> ({len(self)})<table><thead><tr><th>table</th><th>rows</th>"
            "<th>columns (type, nullability; PK = primary key)</th></tr></thead><tbody>"
        ]
        for name, table, count in self._rows():
            columns = ", ".join(
                f"<code>{html.escape(c.name)}</code> {html.escape(_type_name(c))}"
                f"{' PK' if c.primary_key else ''}{'' if c.nullable else ' NOT NULL'}"
                for c in table.columns
            )
            rows = "?" if count is None else f"{count:,}"
            parts.append(
                f"<tr><td><code>{html.escape(name)}</code></td><td>{rows}</td>"
                f"<td style='text-align:left'>{columns}</td></tr>"
            )
        parts.append("</tbody></table>")
        return "".join(parts)


class _CompletingColumns(ReadOnlyColumnCollection):  # type: ignore[type-arg]
    """A table's ``.c`` whose ``dir()`` lists its columns, so that Tab completes them."""

    def __dir__(self) -> list[str]:
        names = {k for k in self.keys() if isinstance(k, str) and k.isidentifier()}
        return sorted(set(super().__dir__()) | names)


def _completing(table: sa.Table) -> None:
    """Give ``table.c`` column names in ``dir()`` (SQLAlchemy's own has none).

    ``Table.c`` is memoized in the instance's ``__dict__``: put there a
    collection over the same columns. Left alone if SQLAlchemy stores it
    otherwise (completion is then only missing, nothing breaks).
    """
    if isinstance(table.__dict__.get("c"), ReadOnlyColumnCollection):
        table.__dict__["c"] = _CompletingColumns(table._columns)


def _build(shapes: dict[str, TableShape]) -> sa.MetaData:
    metadata = sa.MetaData()
    for name in sorted(shapes):
        shape = shapes[name]
        table = sa.Table(
            name,
            metadata,
            *(
                sa.Column(
                    c.name, c.type, nullable=c.nullable, primary_key=c.name in shape.primary_key
                )
                for c in shape.columns
            ),
        )
        _completing(table)
    return metadata


async def tables(target: AsyncSession | AsyncConnection) -> Tables:
    """The database's tables as SQLAlchemy ``Table`` objects, to compose :func:`load_sql` queries.

    Every table the database has, a fork's included, with its reflected
    columns. Read once per engine and kept with the loaders' schema cache
    (``db.inspect(refresh=True)`` reads them again); row counts are those of
    that first read.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` (never closed here).

    Returns
    -------
    Tables
        ``t.chapters`` (or ``t["chapters"]``) is a :class:`sqlalchemy.Table`;
        its repr lists every table with its columns, types, nullability and
        row count.

    Examples
    --------
    >>> from sqlalchemy import func, select
    >>> t = await novelkit.tables(session)  # doctest: +SKIP
    >>> query = (select(t.chapters.c.project_id, func.count().label("chapters"))
    ...          .group_by(t.chapters.c.project_id))  # doctest: +SKIP
    >>> frame = await novelkit.load_sql(session, query)  # doctest: +SKIP
    """
    if isinstance(target, AsyncSession):
        conn = await target.connection()
    elif isinstance(target, AsyncConnection):
        conn = target
    else:
        raise WrongTypeError(
            "tables() takes an AsyncSession or AsyncConnection; use novelkit.open_session(engine), "
            "or db.tables on novelkit.connect()."
        )
    engine = conn.engine
    cached = cached_value(engine, _CACHE_KEY)
    if isinstance(cached, Tables):
        return cached
    shapes = await reflect_all(conn)
    counts = await _count_rows(conn, sorted(shapes))
    built = Tables(_build(shapes), counts, conn.dialect.name)
    store_value(engine, _CACHE_KEY, built)
    return built
