"""Which tables and columns a real database has, read lazily and cached per engine.

Loaders ask only for the tables they read; nothing here counts rows. The cache
lives as long as the engine (weakly keyed), and :func:`clear_schema_cache`
empties it when a database's schema changed underneath a running notebook.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.types import TypeEngine

__all__ = [
    "ColumnShape",
    "TableShape",
    "clear_schema_cache",
    "reflect_table",
    "table_names",
]


@dataclass(frozen=True)
class ColumnShape:
    """A column as the database declares it."""

    name: str
    type: TypeEngine  # type: ignore[type-arg]
    nullable: bool


@dataclass(frozen=True)
class TableShape:
    """A table's columns in database order."""

    name: str
    columns: tuple[ColumnShape, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def has(self, column: str) -> bool:
        return column in self.column_names


@dataclass
class _EngineSchema:
    names: frozenset[str] | None = None
    tables: dict[str, TableShape | None] | None = None

    def __post_init__(self) -> None:
        self.tables = {}


_cache: weakref.WeakKeyDictionary[Engine, _EngineSchema] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _entry(engine: Engine) -> _EngineSchema:
    with _lock:
        entry = _cache.get(engine)
        if entry is None:
            entry = _cache[engine] = _EngineSchema()
        return entry


async def _connection(target: AsyncSession | AsyncConnection) -> AsyncConnection:
    if isinstance(target, AsyncSession):
        return await target.connection()
    return target


def clear_schema_cache(engine: AsyncEngine | Engine) -> None:
    """Forget what was reflected for ``engine`` (after a schema change)."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    with _lock:
        _cache.pop(sync, None)


async def table_names(target: AsyncSession | AsyncConnection) -> frozenset[str]:
    """Names of the tables in the database (cached per engine)."""
    conn = await _connection(target)
    entry = _entry(conn.sync_engine)
    if entry.names is None:
        entry.names = frozenset(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    return entry.names


def _reflect(sync_conn: Connection, name: str) -> TableShape | None:
    try:
        columns = inspect(sync_conn).get_columns(name)
    except NoSuchTableError:
        return None
    if not columns:
        # SQLite answers an empty list for a missing table.
        return None
    return TableShape(
        name=name,
        columns=tuple(
            ColumnShape(name=c["name"], type=c["type"], nullable=bool(c.get("nullable", True)))
            for c in columns
        ),
    )


async def reflect_table(target: AsyncSession | AsyncConnection, name: str) -> TableShape | None:
    """The columns of table ``name``, or None when the database has no such table."""
    conn = await _connection(target)
    entry = _entry(conn.sync_engine)
    assert entry.tables is not None
    if name not in entry.tables:
        entry.tables[name] = await conn.run_sync(_reflect, name)
    return entry.tables[name]
