"""Which tables and columns a real database has: the one schema cache, per engine.

Loaders ask only for the tables they read (:func:`reflect_table`);
:func:`reflect_all` reads every table at once (for ``inspect_database``).
Whatever a caller derives from the schema (``DatabaseInfo``) is kept in the same
entry. The cache lives as long as the engine (weakly keyed), and
:func:`clear_schema_cache` empties all of it when a database's schema changed
underneath a running notebook (``db.inspect(refresh=True)`` calls it).
"""

from __future__ import annotations

import functools
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.types import String, TypeEngine

from ..db._errors import translate_error

__all__ = [
    "ColumnShape",
    "TableShape",
    "cached_shapes",
    "cached_value",
    "clear_schema_cache",
    "reflect_all",
    "reflect_table",
    "store_value",
    "table_names",
]


P = ParamSpec("P")
T = TypeVar("T")


def _keeps_error_events(
    reflect: Callable[Concatenate[Connection, P], T],
) -> Callable[Concatenate[Connection, P], T]:
    """Run an Inspector reflection without leaving the connection deaf to error listeners.

    SQLAlchemy's MySQL dialect reads ``SHOW CREATE TABLE`` through
    ``connection.execution_options(skip_user_error_events=True)``, which sets that
    option on the connection itself, for good: every later error on the connection
    (the loader's own statement, a statement timeout) then skipped novelkit's error
    translation and reached the user as a raw driver error.
    """

    @functools.wraps(reflect)
    def wrapper(sync_conn: Connection, *args: P.args, **kwargs: P.kwargs) -> T:
        before = sync_conn.get_execution_options().get("skip_user_error_events", False)
        try:
            return reflect(sync_conn, *args, **kwargs)
        except DBAPIError as exc:
            # Raised with the translation skipped (SHOW CREATE TABLE refused to an
            # account without rights on the table): translated here instead.
            translated = translate_error(exc.orig or exc, sync_conn.engine.url)
            if translated is None:
                raise
            raise translated from None
        finally:
            sync_conn.execution_options(skip_user_error_events=before)

    return wrapper


#: MySQL character sets whose bytes are UTF-8 (ASCII is a subset of it).
_UTF8_CHARSETS = frozenset({"utf8mb4", "utf8mb3", "utf8", "ascii"})


@dataclass(frozen=True)
class ColumnShape:
    """A column as the database declares it."""

    name: str
    type: TypeEngine  # type: ignore[type-arg]
    nullable: bool
    #: The encoding of the text the column stores where it is not known to be UTF-8:
    #: MySQL, a text column's character set (its own or else its table's default);
    #: SQLite, the database's encoding when it is UTF-16 (every column). None else.
    charset: str | None = None

    @property
    def stores_utf8(self) -> bool:
        """Whether the column's stored bytes are UTF-8 (selected as bytes, they are text)."""
        return self.charset is None or self.charset.lower() in _UTF8_CHARSETS


@dataclass(frozen=True)
class TableShape:
    """A table's columns in database order."""

    name: str
    columns: tuple[ColumnShape, ...]
    #: The declared primary key's columns (empty when none is declared or not read).
    primary_key: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def has(self, column: str) -> bool:
        return column in self.column_names

    def column(self, name: str) -> ColumnShape | None:
        """The column called ``name``, or None."""
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class _EngineSchema:
    names: frozenset[str] | None = None
    tables: dict[str, TableShape | None] = field(default_factory=dict)
    complete: bool = False  # every table of ``names`` is in ``tables``
    derived: dict[str, Any] = field(default_factory=dict)
    tried_at_once: bool = False  # SQLite: the one-statement reflection was attempted


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
    if entry.names is None and conn.dialect.name == "sqlite":
        await _reflect_sqlite_at_once(conn, entry)
    if entry.names is None:
        entry.names = frozenset(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    return entry.names


def _shape(
    name: str,
    columns: list[Any],
    primary_key: tuple[str, ...],
    options: dict[str, Any] | None = None,
    encoding: str | None = None,
) -> TableShape:
    """A reflected table; ``options`` its reflected table options (MySQL's default
    character set is there, and a column declares its own only when it differs);
    ``encoding`` a SQLite database's encoding when it is not UTF-8."""
    default_charset = (options or {}).get("mysql_default charset")

    def charset(column_type: Any) -> str | None:
        if encoding is not None:
            return encoding
        if not isinstance(column_type, String):
            return None
        return getattr(column_type, "charset", None) or default_charset

    return TableShape(
        name=name,
        columns=tuple(
            ColumnShape(
                name=c["name"],
                type=c["type"],
                nullable=bool(c.get("nullable", True)),
                charset=charset(c["type"]),
            )
            for c in columns
        ),
        primary_key=primary_key,
    )


@_keeps_error_events
def _reflect(sync_conn: Connection, name: str) -> TableShape | None:
    return _reflect_with(sync_conn, name, _encoding_of(sync_conn))


def _encoding_of(sync_conn: Connection) -> str | None:
    return _sqlite_encoding(sync_conn) if sync_conn.dialect.name == "sqlite" else None


def _reflect_with(sync_conn: Connection, name: str, encoding: str | None) -> TableShape | None:
    """:func:`_reflect` with the database's text encoding already known (SQLite)."""
    insp = inspect(sync_conn)
    try:
        columns = insp.get_columns(name)
        key = tuple(insp.get_pk_constraint(name).get("constrained_columns") or ())
    except NoSuchTableError:
        return None
    if not columns:
        # SQLite answers an empty list for a missing table.
        return None
    if sync_conn.dialect.name == "sqlite":
        return _shape(name, columns, key, encoding=encoding)
    # MySQL's options come from the same SHOW CREATE TABLE the columns were read from.
    return _shape(name, columns, key, insp.get_table_options(name))


def _sqlite_encoding(sync_conn: Connection) -> str | None:
    """A SQLite database's text encoding when it is not UTF-8 (``utf-16le``), else None.

    ``CAST(text AS BLOB)`` gives the bytes in that encoding, so text is selected as
    text there (see ``loaders._fetch.as_utf8_bytes``).
    """
    encoding = str(sync_conn.exec_driver_sql("PRAGMA encoding").scalar() or "UTF-8")
    return None if encoding.upper() == "UTF-8" else encoding.lower()


@_keeps_error_events
def _reflect_every(sync_conn: Connection) -> dict[str, TableShape]:
    insp = inspect(sync_conn)
    names = insp.get_table_names()
    try:
        columns = {key[1]: cols for key, cols in insp.get_multi_columns(filter_names=names).items()}
    except OperationalError:
        # A table SQLite cannot describe (a fork's virtual table of a module this
        # build lacks) fails the whole reading: read the others one by one.
        return _reflect_readable(sync_conn, names)
    keys = {
        key[1]: tuple(pk.get("constrained_columns") or ())
        for key, pk in insp.get_multi_pk_constraint(filter_names=names).items()
    }
    options = {
        key[1]: found for key, found in insp.get_multi_table_options(filter_names=names).items()
    }
    encoding = _encoding_of(sync_conn)
    return {
        n: _shape(n, columns.get(n, []), keys.get(n, ()), options.get(n), encoding) for n in names
    }


#: Every column of every table of a SQLite database in one statement: the per-table
#: reflection runs two statements a table (four thread hops each through aiosqlite),
#: which was most of a small loader's time on a new engine.
_SQLITE_SCHEMA = text(
    'SELECT m.name, p.name, p.type, p."notnull", p.pk, p.hidden '
    "FROM sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS p "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite~_%' ESCAPE '~' "
    "ORDER BY m.name, p.cid"
)
#: SQLite reports a generated column's type with these words in it.
_GENERATED = re.compile(r"\b(GENERATED|ALWAYS)\b", re.IGNORECASE)


def _sqlite_schema(sync_conn: Connection) -> dict[str, TableShape] | None:
    """Every table's shape from :data:`_SQLITE_SCHEMA`, typed as SQLAlchemy reflects them.

    None when SQLite cannot answer it at once (older than 3.26, or a table whose
    definition it cannot read, such as a virtual table of a module this build
    lacks): the caller then reflects table by table, as before.
    """
    dialect = sync_conn.dialect
    if dialect.server_version_info is None or dialect.server_version_info < (3, 26):
        return None
    try:
        rows = sync_conn.execute(_SQLITE_SCHEMA).all()
    except OperationalError:
        return None
    encoding = _sqlite_encoding(sync_conn)
    # Every table has at least one column, so every table is in ``rows``.
    names = {row[0] for row in rows}
    columns: dict[str, list[ColumnShape]] = {n: [] for n in names}
    keys: dict[str, list[tuple[int, str]]] = {n: [] for n in names}
    types: dict[str, TypeEngine] = {}  # type: ignore[type-arg]
    for table, name, declared, not_null, key, hidden in rows:
        if hidden == 1:  # a virtual table's hidden column: not part of its rows
            continue
        declared = (_GENERATED.sub("", declared or "") if hidden else declared or "").upper()
        if declared not in types:
            # The affinity rules SQLAlchemy's own SQLite reflection applies (its
            # get_columns calls this for each column it reads).
            types[declared] = dialect._resolve_type_affinity(declared.strip())  # type: ignore[attr-defined]
        columns[table].append(
            ColumnShape(name=name, type=types[declared], nullable=not not_null, charset=encoding)
        )
        if key:
            keys[table].append((key, name))
    return {
        n: TableShape(
            name=n,
            columns=tuple(columns[n]),
            primary_key=tuple(name for _, name in sorted(keys[n])),
        )
        for n in names
    }


async def _reflect_sqlite_at_once(conn: AsyncConnection, entry: _EngineSchema) -> None:
    if entry.tried_at_once:
        return
    entry.tried_at_once = True
    shapes = await conn.run_sync(_sqlite_schema)
    if shapes is not None:
        entry.names = frozenset(shapes)
        entry.tables = dict(shapes)
        entry.complete = True


def _reflect_readable(sync_conn: Connection, names: list[str]) -> dict[str, TableShape]:
    shapes = {}
    encoding = _encoding_of(sync_conn)  # once, not per table
    for name in names:
        try:
            shape = _reflect_with(sync_conn, name, encoding)
        except OperationalError:
            continue  # left out, as if absent: nothing of it can be read
        if shape is not None:
            shapes[name] = shape
    return shapes


async def reflect_table(target: AsyncSession | AsyncConnection, name: str) -> TableShape | None:
    """The columns of table ``name``, or None when the database has no such table."""
    conn = await _connection(target)
    entry = _entry(conn.sync_engine)
    if not entry.complete and conn.dialect.name == "sqlite":
        await _reflect_sqlite_at_once(conn, entry)
    if name not in entry.tables:
        entry.tables[name] = None if entry.complete else await conn.run_sync(_reflect, name)
    return entry.tables[name]


async def reflect_all(target: AsyncSession | AsyncConnection) -> dict[str, TableShape]:
    """Every table of the database with its columns and primary key (cached per engine)."""
    conn = await _connection(target)
    entry = _entry(conn.sync_engine)
    if not entry.complete and conn.dialect.name == "sqlite":
        await _reflect_sqlite_at_once(conn, entry)
    if not entry.complete:
        shapes = await conn.run_sync(_reflect_every)
        entry.names = frozenset(shapes)
        entry.tables = dict(shapes)
        entry.complete = True
    return {n: t for n, t in entry.tables.items() if t is not None}


def cached_shapes(engine: AsyncEngine | Engine) -> dict[str, TableShape] | None:
    """Every table's shape if the whole schema was read already, else None; reads nothing.

    For what may be shown without a query (a repr): the first loader call reads
    every table at once on SQLite, :func:`reflect_all` on any backend.
    """
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    with _lock:
        entry = _cache.get(sync)
    if entry is None or not entry.complete:
        return None
    # A copy: the loop's thread may add a name while this one reads.
    return {n: t for n, t in entry.tables.copy().items() if t is not None}


def cached_value(engine: AsyncEngine | Engine, key: str) -> Any:
    """What a caller stored with :func:`store_value` for ``engine``, or None."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    return _entry(sync).derived.get(key)


def store_value(engine: AsyncEngine | Engine, key: str, value: Any) -> None:
    """Keep ``value`` with ``engine``'s schema: forgotten by :func:`clear_schema_cache`."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    _entry(sync).derived[key] = value
