"""novelkit.schema.tables creates what the Arboris app creates, on SQLite and MariaDB.

The reference is the app-created fixture in tests/data: ``create_all`` from our
definitions must give the same columns (names, order, types, nullability),
primary keys, foreign keys with their ON DELETE rules, and indexes.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from nktest_support import FIXTURE_SQLITE, MySQLDatabase
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import novelkit
from novelkit.errors import ConfigurationError
from novelkit.schema.tables import (
    CLASSIC_COLUMNS,
    CLASSIC_TABLES,
    FUSION_TABLES,
    KNOWN_COLUMNS,
    build_metadata,
)

Shape = dict[str, dict[str, Any]]


def _shape(sync_conn: Connection) -> Shape:
    """Everything create_all decides, per table, in a comparable form."""
    insp = inspect(sync_conn)
    dialect = sync_conn.dialect
    shape: Shape = {}
    for name in insp.get_table_names():
        shape[name] = {
            "columns": [
                (c["name"], str(c["type"].compile(dialect=dialect)), c["nullable"])
                for c in insp.get_columns(name)
            ],
            "pk": tuple(insp.get_pk_constraint(name)["constrained_columns"]),
            "fks": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk.get("options") or {}).get("ondelete"),
                )
                for fk in insp.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in insp.get_indexes(name)
            ),
            "uniques": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(name)),
        }
    return shape


async def _engine_shape(engine: AsyncEngine) -> Shape:
    async with engine.connect() as conn:
        return await conn.run_sync(_shape)


async def _create(engine: AsyncEngine, generation: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(build_metadata(generation).create_all)  # type: ignore[arg-type]


def _classic_view(fusion: Shape) -> Shape:
    """The fusion fixture as a classic database would have it."""
    classic = {name: dict(fusion[name]) for name in CLASSIC_TABLES}
    outlines = classic["chapter_outlines"]
    outlines["columns"] = [c for c in outlines["columns"] if c[0] != "metadata"]
    return classic


def _sqlite_ddl(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))


def test_table_lists() -> None:
    assert len(CLASSIC_TABLES) == 17
    assert len(FUSION_TABLES) == 19
    assert not set(CLASSIC_TABLES) & set(FUSION_TABLES)
    assert set(KNOWN_COLUMNS) == set(CLASSIC_TABLES) | set(FUSION_TABLES)
    assert set(CLASSIC_COLUMNS) == set(CLASSIC_TABLES)
    assert "metadata" in KNOWN_COLUMNS["chapter_outlines"]
    assert "metadata" not in CLASSIC_COLUMNS["chapter_outlines"]
    assert KNOWN_COLUMNS["story_time_trackers"][4:6] == ("current_date", "current_time")


def test_build_metadata_returns_fresh_collections() -> None:
    first, second = build_metadata(), build_metadata()
    assert first is not second
    assert len(first.tables) == 36
    assert len(build_metadata("classic").tables) == 17


def test_unknown_generation_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="classic"):
        build_metadata("modern")  # type: ignore[arg-type]


async def test_sqlite_fusion_ddl_is_the_apps(tmp_path: Path) -> None:
    path = tmp_path / "fusion.db"
    engine = novelkit.create_engine(path, read_only=False, create=True)
    try:
        await _create(engine, "fusion")
    finally:
        await engine.dispose()
    # Byte for byte: every CREATE TABLE and CREATE INDEX statement.
    assert _sqlite_ddl(path) == _sqlite_ddl(FIXTURE_SQLITE)


@pytest.mark.parametrize("generation", ["classic", "fusion"])
async def test_sqlite_shape_matches_fixture(tmp_path: Path, generation: str) -> None:
    created = novelkit.create_engine(tmp_path / "new.db", read_only=False, create=True)
    reference = novelkit.create_engine(FIXTURE_SQLITE)
    try:
        await _create(created, generation)
        mine, theirs = await _engine_shape(created), await _engine_shape(reference)
    finally:
        await created.dispose()
        await reference.dispose()
    expected = theirs if generation == "fusion" else _classic_view(theirs)
    assert mine == expected


# conftest.load_mysql_dump leaves its dump file open (ResourceWarning); see the report.
@pytest.mark.mysql
@pytest.mark.parametrize("generation", ["classic", "fusion"])
async def test_mysql_shape_matches_fixture(
    mysql_db: MySQLDatabase, mysql_fixture_db: MySQLDatabase, generation: str
) -> None:
    created = novelkit.create_engine(mysql_db.url, read_only=False)
    reference = novelkit.create_engine(mysql_fixture_db.ro_url)
    try:
        await _create(created, generation)
        mine, theirs = await _engine_shape(created), await _engine_shape(reference)
    finally:
        await created.dispose()
        await reference.dispose()
    expected = theirs if generation == "fusion" else _classic_view(theirs)
    assert mine == expected
    # The type variants the app relies on, as MariaDB reports them.
    cols = {c[0]: c[1] for c in mine["chapter_versions"]["columns"]}
    assert cols["id"].startswith("BIGINT")
    assert cols["content"] == "LONGTEXT"
    assert dict((c[0], c[1]) for c in mine["users"]["columns"])["id"].startswith("INTEGER")
