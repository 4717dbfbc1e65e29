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

The novelkit demo marker (see :mod:`novelkit.demo._marker`) is a row, not a
schema change, so a demo database is reported as the generation it was built as.
The result is kept in the schema cache of :mod:`novelkit.schema.reflect`, which
``refresh=True`` empties for the loaders too.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, literal, select, table, union_all
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .._redact import mask_url
from ..demo._marker import read_demo_marker
from ..errors import ConfigurationError, NotArborisDatabaseError
from ._info import DatabaseInfo, GenerationFound
from .reflect import (
    cached_shapes,
    cached_value,
    clear_schema_cache,
    reflect_all,
    store_value,
)
from .tables import CLASSIC_COLUMNS, CLASSIC_TABLES, FUSION_TABLES, KNOWN_COLUMNS, build_metadata

__all__ = [
    "CORE_TABLES",
    "DatabaseInfo",
    "GenerationFound",
    "inspect_database",
    "known_generation",
    "not_arboris_error",
]

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


def not_arboris_error(url: str, found: Iterable[str]) -> NotArborisDatabaseError:
    """The error for a database without ``novel_projects``, naming what it has instead."""
    found = list(found)
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
        shapes = await reflect_all(conn)
        columns = {name: shape.column_names for name, shape in shapes.items()}
        pks = {name: frozenset(shape.primary_key) for name, shape in shapes.items()}
        if "novel_projects" not in columns:
            raise not_arboris_error(url, columns)
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


_CACHE_KEY = "database_info"


def known_generation(engine: AsyncEngine) -> GenerationFound | None:
    """The generation, if what was read of the database already tells it; reads nothing.

    From the cached :class:`DatabaseInfo` (:func:`inspect_database`), else from
    the schema cache when it holds every table (after any loader call on SQLite,
    or ``db.tables``), classified as :func:`inspect_database` does; None
    otherwise (nothing read yet, or only some tables reflected, as on MySQL).
    """
    info = cached_value(engine, _CACHE_KEY)
    if isinstance(info, DatabaseInfo):
        return info.generation
    shapes = cached_shapes(engine)
    if shapes is None or "novel_projects" not in shapes:
        return None
    columns = {name: shape.column_names for name, shape in shapes.items()}
    pks = {name: frozenset(shape.primary_key) for name, shape in shapes.items()}
    return _classify(columns, pks)[0]


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
    if refresh:
        # The one schema cache: loaders and tables() see what this refresh sees.
        clear_schema_cache(engine)
    cached = cached_value(engine, _CACHE_KEY)
    if isinstance(cached, DatabaseInfo):
        return cached
    info = await _inspect(engine)
    store_value(engine, _CACHE_KEY, info)
    return info
