"""What an Arboris database holds: generation, row counts, and what forks changed.

:func:`inspect_database` reads the schema of a real database once (SQLAlchemy's
inspector, through ``run_sync``), counts the rows of every table in one
statement, and compares what it found with :mod:`novelkit.schema.tables`. The
result is a :class:`DatabaseInfo`, cached per engine.

How a database is classified
----------------------------
Tables are identified by their columns as well as their names, because forks
reuse names for other tables (jddlt's ``character_states``, GTJasonMK's
``llm_configs``). A table with a known name *is* the known table when its
primary key has the known key columns (when it declares one) and at least half
of the known columns are present; otherwise it is a fork **variant**: it is
not counted as the known table (the known table is reported missing) and is
listed in ``variants`` and ``extra``.

The **core** is the 17 classic tables minus ``chapter_outlines`` (removed by
the ycvk fork) and ``user_daily_requests`` (removed by lilicocon): the tables
every Arboris version has (a core table a fork reshaped, such as GTJasonMK's
``llm_configs``, still counts as present for this purpose, and is reported as a
variant). The ``generation`` is

``"fusion"``
    the core is present and most (at least 10) of the 19 fusion tables are;
``"classic"``
    the core is present and none of the fusion tables is (a ycvk database
    without ``chapter_outlines`` is therefore classic, with that table missing);
``"unknown"``
    anything else: part of the core is absent, or only a few fusion tables
    exist (e.g. a classic MySQL database where someone ran one of upstream's
    manual migration scripts).

``missing`` and ``extra`` are relative to that base: the 36 fusion tables for
``"fusion"``, the 17 classic tables (``chapter_outlines`` without ``metadata``)
for ``"classic"``, and for ``"unknown"`` the fusion base if any fusion table (or
``chapter_outlines.metadata``) is present, else the classic one. A database
without ``novel_projects`` is not an Arboris database at all:
:class:`~novelkit.errors.NotArborisDatabaseError`.

The novelkit demo marker (see :func:`read_demo_marker`) is a row, not a schema
change, so a demo database is reported as the generation it was built as.
"""

from __future__ import annotations

import html
import json
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, inspect, literal, select, union_all
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import column, table

from ..errors import ConfigurationError, NotArborisDatabaseError
from ..redact import mask_url
from .tables import CLASSIC_COLUMNS, CLASSIC_TABLES, FUSION_TABLES, KNOWN_COLUMNS, build_metadata

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CORE_TABLES",
    "DEMO_APPLICATION_ID",
    "DEMO_MARKER_KEY",
    "DatabaseInfo",
    "inspect_database",
    "read_demo_marker",
]

#: ``PRAGMA application_id`` of a novelkit demo SQLite file: "NKIT".
DEMO_APPLICATION_ID = 0x4E4B4954
#: ``system_configs.key`` of the demo marker row (its value is JSON).
DEMO_MARKER_KEY = "novelkit.demo"
_MARKER_FIELDS = ("generator_version", "scale", "seed", "generation")

#: Tables every Arboris version has (classic minus ycvk's and lilicocon's removals).
CORE_TABLES: tuple[str, ...] = tuple(
    t for t in CLASSIC_TABLES if t not in ("chapter_outlines", "user_daily_requests")
)
_FUSION_MAJORITY = len(FUSION_TABLES) // 2 + 1
_KNOWN_PKS: dict[str, frozenset[str]] = {
    name: frozenset(c.name for c in t.primary_key.columns)
    for name, t in build_metadata("fusion").tables.items()
}
_COUNT_CHUNK = 100  # SQLite allows 500 terms in a compound SELECT

GenerationFound = Literal["classic", "fusion", "unknown"]


@dataclass(frozen=True)
class DatabaseInfo:
    """What :func:`inspect_database` found in a database.

    Attributes
    ----------
    backend
        ``"sqlite"`` or ``"mysql"`` (MariaDB included).
    url
        The engine's URL with the password masked.
    generation
        ``"classic"``, ``"fusion"`` or ``"unknown"``: the base the database
        matches (rules in :mod:`novelkit.schema.inspect`).
    tables
        Known tables of the base that are present (variants excluded) → row count.
    missing
        Known table → its absent columns. A table absent entirely (or present
        only as a fork variant) maps to ``()`` and is also in ``missing_tables``.
    missing_tables
        Known tables of the base that are absent entirely, in schema order.
    extra
        What the base does not have: a table outside the base (or a variant) →
        all its columns; a known table → the columns a fork added to it.
    variants
        Known table names used by a fork for another table → its columns.
    extra_rows
        Row counts of the tables outside the base and of the variants.
    columns
        Every table in the database → its columns, in database order (what
        loaders may select).
    demo
        The novelkit demo marker (``generator_version``, ``scale``, ``seed``,
        ``generation``) or None for a database novelkit did not build.
    """

    backend: str
    url: str
    generation: GenerationFound
    tables: dict[str, int]
    missing: dict[str, tuple[str, ...]]
    missing_tables: tuple[str, ...]
    extra: dict[str, tuple[str, ...]]
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra_rows: dict[str, int] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    demo: dict[str, Any] | None = None

    @property
    def total_rows(self) -> int:
        """Rows in the known tables."""
        return sum(self.tables.values())

    def has_column(self, table_name: str, column_name: str) -> bool:
        """Whether ``table_name`` exists and has ``column_name``."""
        return column_name in self.columns.get(table_name, ())

    def _base(self) -> dict[str, tuple[str, ...]]:
        fusion = any(t in self.tables or t in self.missing for t in FUSION_TABLES)
        return KNOWN_COLUMNS if fusion else CLASSIC_COLUMNS

    def _rows(self) -> list[tuple[str, str, int | None, tuple[str, ...], tuple[str, ...]]]:
        rows: list[tuple[str, str, int | None, tuple[str, ...], tuple[str, ...]]] = []
        base = self._base()
        for name in base:
            if name in self.variants:
                cols = self.variants[name]
                lacking = tuple(c for c in KNOWN_COLUMNS[name] if c not in cols)
                added = tuple(c for c in cols if c not in KNOWN_COLUMNS[name])
                rows.append((name, "variant", self.extra_rows.get(name), lacking, added))
            elif name in self.tables:
                missing = self.missing.get(name, ())
                rows.append((name, "known", self.tables[name], missing, self.extra.get(name, ())))
            elif name in self.missing:
                rows.append((name, "missing", None, (), ()))
        for name in sorted(self.extra):
            if name not in base:
                status = "variant" if name in self.variants else "extra"
                rows.append((name, status, self.extra_rows.get(name), (), self.extra[name]))
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per table: what is known, missing, extra or a fork variant.

        Returns
        -------
        pandas.DataFrame
            Columns ``table``, ``status`` (``known``, ``missing``, ``extra`` or
            ``variant``), ``rows`` (nullable Int64; NA for missing tables),
            ``missing_columns`` and ``extra_columns`` (tuples of names; for a
            variant, the known columns it lacks and the ones it has instead).

        Examples
        --------
        >>> info = await novelkit.inspect_database(engine)  # doctest: +SKIP
        >>> info.to_frame().query("status != 'known'")      # doctest: +SKIP
        """
        import pandas as pd

        frame = pd.DataFrame(
            self._rows(),
            columns=["table", "status", "rows", "missing_columns", "extra_columns"],
        )
        return frame.astype({"rows": "Int64"})

    def _summary(self) -> list[tuple[str, str]]:
        demo = "no"
        if self.demo is not None:
            demo = ", ".join(f"{k}={self.demo.get(k)}" for k in _MARKER_FIELDS)
        return [
            ("database", f"{self.backend}: {self.url}"),
            ("generation", self.generation),
            ("known tables", f"{len(self.tables)} ({self.total_rows} rows)"),
            ("missing", _names(self.missing_tables, self._missing_columns())),
            ("extra", _names(self._extra_tables(), self._extra_columns())),
            ("fork variants", ", ".join(self.variants) or "none"),
            ("novelkit demo", demo),
        ]

    def _missing_columns(self) -> list[str]:
        return [f"{t}.{c}" for t, cols in self.missing.items() for c in cols]

    def _extra_tables(self) -> list[str]:
        return [t for t in self.extra if t not in self.tables]

    def _extra_columns(self) -> list[str]:
        return [f"{t}.{c}" for t, cols in self.extra.items() if t in self.tables for c in cols]

    def __repr__(self) -> str:
        lines = [f"DatabaseInfo({self.generation!r} {self.backend} database {self.url})"]
        lines += [f"  {label}: {value}" for label, value in self._summary()[2:]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>"
            f"{esc(v)}</td></tr>"
            for k, v in self._summary()
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{esc(cell)}</td>"
                for cell in (
                    name,
                    status,
                    "" if rows is None else str(rows),
                    ", ".join(missing),
                    ", ".join(added),
                )
            )
            + "</tr>"
            for name, status, rows, missing, added in self._rows()
        )
        columns = "".join(
            f"<th>{c}</th>" for c in ("table", "status", "rows", "missing columns", "extra columns")
        )
        return (
            f"<div><strong>Arboris database</strong><table>{head}</table>"
            f"<table><thead><tr>{columns}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def _names(tables: tuple[str, ...] | list[str], columns: list[str]) -> str:
    parts = [f"table {t}" for t in tables] + list(columns)
    return ", ".join(parts) or "none"


async def _connection(target: AsyncConnection | AsyncSession) -> AsyncConnection:
    if isinstance(target, AsyncSession):
        return await target.connection()
    return target


def _parse_marker(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        marker = json.loads(value)
    except ValueError:
        return None
    return marker if isinstance(marker, dict) else None


async def read_demo_marker(conn: AsyncConnection | AsyncSession) -> dict[str, Any] | None:
    """The novelkit demo marker of the database behind ``conn``, or None.

    A demo database carries a ``system_configs`` row with key
    ``"novelkit.demo"`` whose value is JSON ``{"generator_version": str,
    "scale": str, "seed": int, "generation": str}``; a demo SQLite file also
    has ``PRAGMA application_id`` = :data:`DEMO_APPLICATION_ID` ("NKIT").
    On SQLite the application id decides: without it the file is not a demo
    (whatever its rows say); with it but without a readable row, the marker's
    fields are all None (a demo from an interrupted or foreign build).

    Parameters
    ----------
    conn
        An open connection (or session) on the database; nothing is written.

    Returns
    -------
    dict or None
        The marker's JSON object, or None when the database is not a demo.
    """
    conn = await _connection(conn)
    is_sqlite = conn.dialect.name == "sqlite"
    if is_sqlite:
        app_id = (await conn.exec_driver_sql("PRAGMA application_id")).scalar()
        if app_id != DEMO_APPLICATION_ID:
            return None
    has_configs = await conn.run_sync(lambda c: inspect(c).has_table("system_configs"))
    value = None
    if has_configs:
        configs = table("system_configs", column("key"), column("value"))
        value = (
            await conn.execute(select(configs.c.value).where(configs.c.key == DEMO_MARKER_KEY))
        ).scalar()
    marker = _parse_marker(value)
    if marker is None and is_sqlite:
        return dict.fromkeys(_MARKER_FIELDS)
    return marker


def _read_schema(
    sync_conn: Connection,
) -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]]]:
    insp = inspect(sync_conn)
    names = insp.get_table_names()
    columns = {
        key[1]: tuple(c["name"] for c in cols)
        for key, cols in insp.get_multi_columns(filter_names=names).items()
    }
    pks = {
        key[1]: frozenset(pk.get("constrained_columns") or ())
        for key, pk in insp.get_multi_pk_constraint(filter_names=names).items()
    }
    return {n: columns.get(n, ()) for n in names}, pks


async def _count_rows(conn: AsyncConnection, names: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for start in range(0, len(names), _COUNT_CHUNK):
        chunk = names[start : start + _COUNT_CHUNK]
        selects = [
            select(literal(name).label("t"), func.count().label("n")).select_from(table(name))
            for name in chunk
        ]
        statement = selects[0] if len(selects) == 1 else union_all(*selects)
        for name, n in (await conn.execute(statement)).all():
            counts[name] = int(n)
    return counts


def _matches(name: str, cols: tuple[str, ...], pk: frozenset[str]) -> bool:
    expected = KNOWN_COLUMNS[name]
    if pk and pk != _KNOWN_PKS[name]:
        return False
    return 2 * len(set(expected) & set(cols)) >= len(expected)


def _not_arboris(url: str, found: list[str]) -> NotArborisDatabaseError:
    if not found:
        what = "the database is empty (it has no tables)"
    else:
        shown = ", ".join(sorted(found)[:20]) + (", …" if len(found) > 20 else "")
        what = f"found {len(found)} other table(s) instead: {shown}"
    return NotArborisDatabaseError(
        f"{url} is not an Arboris Novel database: it has no novel_projects table; {what}. "
        "Point novelkit at the Arboris database (the backend's storage/arboris.db, or the "
        "MySQL database the app uses, 'arboris' by default)."
    )


def _classify(
    columns: dict[str, tuple[str, ...]], pks: dict[str, frozenset[str]]
) -> tuple[GenerationFound, dict[str, tuple[str, ...]], set[str]]:
    variants = {
        n
        for n in columns
        if n in KNOWN_COLUMNS and not _matches(n, columns[n], pks.get(n, frozenset()))
    }
    matching = set(columns) - variants
    fusion_count = sum(t in matching for t in FUSION_TABLES)
    # A fork that reshapes a core table (GTJasonMK's llm_configs) is still built
    # on the same base: for the core, a variant counts as present.
    core_ok = all(t in columns for t in CORE_TABLES)
    generation: GenerationFound = "unknown"
    if core_ok and fusion_count >= _FUSION_MAJORITY:
        generation = "fusion"
    elif core_ok and fusion_count == 0:
        generation = "classic"
    # outline metadata is the one column fusion added to a classic table: a fork
    # that kept only core tables but has it grew from fusion.
    fusion_columns = "metadata" in columns.get("chapter_outlines", ())
    use_fusion = generation == "fusion" or (
        generation == "unknown" and (fusion_count > 0 or fusion_columns)
    )
    return generation, KNOWN_COLUMNS if use_fusion else CLASSIC_COLUMNS, variants


async def _inspect(engine: AsyncEngine) -> DatabaseInfo:
    url = mask_url(engine.url)
    async with engine.connect() as conn:
        columns, pks = await conn.run_sync(_read_schema)
        if "novel_projects" not in columns:
            raise _not_arboris(url, list(columns))
        generation, base, variants = _classify(columns, pks)
        counts = await _count_rows(conn, list(columns))
        demo = await read_demo_marker(conn)
    tables: dict[str, int] = {}
    missing: dict[str, tuple[str, ...]] = {}
    extra: dict[str, tuple[str, ...]] = {}
    for name, expected in base.items():
        if name not in columns or name in variants:
            missing[name] = ()
            continue
        tables[name] = counts[name]
        lacking = tuple(c for c in expected if c not in columns[name])
        added = tuple(c for c in columns[name] if c not in expected)
        if lacking:
            missing[name] = lacking
        if added:
            extra[name] = added
    outside = sorted(n for n in columns if n not in base or n in variants)
    extra.update({n: columns[n] for n in outside})
    return DatabaseInfo(
        backend="sqlite" if engine.dialect.name == "sqlite" else "mysql",
        url=url,
        generation=generation,
        tables=tables,
        missing=missing,
        missing_tables=tuple(n for n, cols in missing.items() if not cols),
        extra=extra,
        variants={n: columns[n] for n in sorted(variants)},
        extra_rows={n: counts[n] for n in outside},
        columns=columns,
        demo=demo,
    )


_cache: weakref.WeakKeyDictionary[Engine, DatabaseInfo] = weakref.WeakKeyDictionary()


async def inspect_database(engine: AsyncEngine, *, refresh: bool = False) -> DatabaseInfo:
    """Find out which Arboris schema a database has, and what forks changed in it.

    Reads the table and column names (SQLAlchemy's inspector through
    ``run_sync``), counts the rows of every table and reads the demo marker.
    The result is cached per engine; nothing is written.

    Parameters
    ----------
    engine
        An async engine, e.g. from :func:`novelkit.create_engine`.
    refresh
        Read the database again instead of answering from the cache (after the
        schema or the data changed).

    Returns
    -------
    DatabaseInfo
        Generation, known tables with row counts, missing and extra tables and
        columns, fork variants, demo marker. ``repr`` and the notebook HTML
        view summarise it; :meth:`DatabaseInfo.to_frame` lists every table.

    Raises
    ------
    NotArborisDatabaseError
        The database has no ``novel_projects`` table (the message lists what it
        has instead), is empty, or the file is not a SQLite database.
    ConfigurationError
        ``engine`` is not an :class:`~sqlalchemy.ext.asyncio.AsyncEngine`.

    Examples
    --------
    >>> engine = novelkit.create_engine("storage/arboris.db")  # doctest: +SKIP
    >>> info = await novelkit.inspect_database(engine)          # doctest: +SKIP
    >>> info.generation, info.tables["chapters"]                # doctest: +SKIP
    ('fusion', 42)
    >>> await engine.dispose()                                  # doctest: +SKIP
    """
    if not isinstance(engine, AsyncEngine):
        raise ConfigurationError(
            f"inspect_database needs an AsyncEngine (from novelkit.create_engine), "
            f"not {type(engine).__name__}."
        )
    key = engine.sync_engine
    if not refresh:
        cached = _cache.get(key)
        if cached is not None:
            return cached
    info = await _inspect(engine)
    _cache[key] = info
    return info
