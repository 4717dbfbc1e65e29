"""Bulk Core inserts of demo rows, converted to what the app stores on each backend.

Values are converted here, per column type, and sent through untyped columns
so that nothing is converted twice:

- JSON: ``json.dumps`` with its defaults, as SQLAlchemy's JSON type does for
  the app (non-ASCII escaped as ``\\uXXXX``); ``None`` becomes the JSON text
  ``null``; a missing key is SQL NULL.
- DATETIME on SQLite: ``YYYY-MM-DD HH:MM:SS`` (the server default's format)
  or with ``.ffffff`` when the value has microseconds (a Python-side
  ``datetime.now()``); on MySQL a ``datetime`` without microseconds (the
  columns are ``DATETIME`` without fractional seconds).
- BOOLEAN: 0/1.

Rows are buffered and written in dependency order in batches of at most a few
megabytes, well inside MariaDB's default 16 MB ``max_allowed_packet``.
``chapters.selected_version_id`` is set by an UPDATE after the versions exist,
because the two tables reference each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, MetaData, bindparam, column, table
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import TableClause

from ..errors import NovelkitError
from ._project import Rows

__all__ = ["RowWriter"]

Converter = Callable[[Any], Any]

BATCH_BYTES = 4_000_000
BATCH_ROWS = 20_000
_DEFERRED = ("chapters", "selected_version_id")


def _json(value: Any) -> str:
    return json.dumps(value)


def _sqlite_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")


def _mysql_datetime(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(microsecond=0)


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _boolean(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _identity(value: Any) -> Any:
    return value


def _converters(metadata: MetaData, *, sqlite: bool) -> dict[str, dict[str, Converter]]:
    result: dict[str, dict[str, Converter]] = {}
    for name, tbl in metadata.tables.items():
        columns: dict[str, Converter] = {}
        for col in tbl.columns:
            kind = col.type
            if isinstance(kind, JSON):
                columns[col.name] = _json
            elif isinstance(kind, DateTime):
                columns[col.name] = _sqlite_datetime if sqlite else _mysql_datetime
            elif isinstance(kind, Date):
                columns[col.name] = _sqlite_date if sqlite else _identity
            elif isinstance(kind, Boolean):
                columns[col.name] = _boolean
            else:
                columns[col.name] = _identity
        result[name] = columns
    return result


class RowWriter:
    """Buffers rows per table and inserts them in batches on one connection.

    Parameters
    ----------
    conn
        The connection to write through (the caller owns its transaction).
    metadata
        The generation's tables; rows may only use their columns.
    sqlite
        Convert values for SQLite (else MySQL).
    commit_batches
        Commit after every batch (MySQL: keeps transactions small).
    """

    def __init__(
        self, conn: AsyncConnection, metadata: MetaData, *, sqlite: bool, commit_batches: bool
    ) -> None:
        self.conn = conn
        self.commit_batches = commit_batches
        self.converters = _converters(metadata, sqlite=sqlite)
        self.order = list(metadata.tables)
        self.tables: dict[str, TableClause] = {
            name: table(name, *(column(c.name) for c in tbl.columns))
            for name, tbl in metadata.tables.items()
        }
        self.counts: dict[str, int] = dict.fromkeys(self.order, 0)
        self._buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in self.order}
        self._selections: list[dict[str, int]] = []
        self._bytes = 0
        self._rows = 0

    def _convert(self, name: str, row: dict[str, Any]) -> dict[str, Any]:
        converters = self.converters[name]
        unknown = row.keys() - converters.keys()
        if unknown:
            raise NovelkitError(
                f"demo rows for {name} name unknown columns: {sorted(unknown)}; this is a bug "
                "in novelkit's demo generator, please report it."
            )
        out = {}
        for key, convert in converters.items():
            out[key] = convert(row[key]) if key in row else None
            value = out[key]
            if isinstance(value, str):
                self._bytes += len(value) * 3
        return out

    async def add(self, rows: Rows) -> None:
        """Queue ``rows`` (table → list of row dicts); writes when the buffers are full."""
        for name, items in rows.items():
            buffer = self._buffers[name]
            for row in items:
                converted = self._convert(name, row)
                if name == _DEFERRED[0] and converted[_DEFERRED[1]] is not None:
                    self._selections.append(
                        {"b_id": converted["id"], "b_version": converted[_DEFERRED[1]]}
                    )
                    converted[_DEFERRED[1]] = None
                buffer.append(converted)
            self._rows += len(items)
        if self._bytes > BATCH_BYTES or self._rows > BATCH_ROWS:
            await self.flush()

    async def flush(self) -> None:
        """Write everything buffered, parents before children."""
        for name in self.order:
            buffer = self._buffers[name]
            start = 0
            while start < len(buffer):
                end, size = start, 0
                while end < len(buffer) and (end == start or size < BATCH_BYTES):
                    size += sum(len(v) * 3 for v in buffer[end].values() if isinstance(v, str))
                    end += 1
                await self.conn.execute(self.tables[name].insert(), buffer[start:end])
                start = end
            self.counts[name] += len(buffer)
            buffer.clear()
        if self._selections:
            chapters = self.tables[_DEFERRED[0]]
            statement = (
                chapters.update()
                .where(chapters.c.id == bindparam("b_id"))
                .values({_DEFERRED[1]: bindparam("b_version")})
            )
            await self.conn.execute(statement, self._selections)
            self._selections = []
        self._bytes = self._rows = 0
        if self.commit_batches:
            await self.conn.commit()
