"""inspect_database on real databases: the app fixture, fork variants, non-Arboris files.

Fork variants are made in each test from a private copy of the fixture, the way
../shared/arboris-schema.md section 2 describes the forks.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd
import pymysql
import pytest
from nktest_support import (
    FIXTURE_SQLITE,
    MySQLDatabase,
    load_mysql_dump,
    mysql_counts,
    sqlite_counts,
)
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL

import novelkit
from novelkit.demo import (
    APPLICATION_ID as DEMO_APPLICATION_ID,
    DEMO_MARKER_KEY,
    read_demo_marker,
)
from novelkit.errors import ConfigurationError, NotArborisDatabaseError
from novelkit.schema.inspect import CORE_TABLES, DatabaseInfo, inspect_database
from novelkit.schema.tables import CLASSIC_TABLES, FUSION_TABLES, KNOWN_COLUMNS, build_metadata

# conftest.load_mysql_dump leaves its dump file open (ResourceWarning); see the report.

JDDLT_CHARACTER_STATES = """
CREATE TABLE character_states (
    id INTEGER PRIMARY KEY,
    character_id INTEGER NOT NULL,
    chapter_number INTEGER NOT NULL,
    data JSON,
    change_note TEXT,
    created_at DATETIME
)"""
GTJASONMK_LLM_CONFIGS = """
CREATE TABLE llm_configs (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    config_name VARCHAR(100) NOT NULL,
    llm_provider_url TEXT,
    llm_provider_api_key TEXT,
    llm_provider_model TEXT,
    is_active BOOLEAN NOT NULL DEFAULT 0
)"""
RAG_RETRIEVAL_LOGS = """
CREATE TABLE rag_retrieval_logs (
    id INTEGER PRIMARY KEY, project_id VARCHAR(36), occurred_at DATETIME,
    latency_ms INTEGER, chunk_count INTEGER, summary_count INTEGER,
    duplicate_ratio FLOAT, provider VARCHAR(32)
)"""
AI_DETECTION_RESULTS = """
CREATE TABLE ai_detection_results (
    id INTEGER PRIMARY KEY, project_id VARCHAR(36), chapter_number INTEGER,
    confidence FLOAT, segments JSON
)"""


async def _inspect(target: Path | str | URL, **kwargs: bool) -> DatabaseInfo:
    engine = novelkit.create_engine(target)
    try:
        return await inspect_database(engine, **kwargs)
    finally:
        await engine.dispose()


def _alter(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        for statement in statements:
            conn.execute(statement)


@contextmanager
def _mysql(db: MySQLDatabase) -> Iterator[pymysql.connections.Connection]:
    conn = db.connect()
    try:
        yield conn
    finally:
        conn.close()


def _classic_database(path: Path) -> None:
    engine = create_sync_engine(f"sqlite:///{path}")
    try:
        build_metadata("classic").create_all(engine)
    finally:
        engine.dispose()


# --- the app-created fixture ---------------------------------------------------------


async def test_fixture_sqlite_is_fusion(fixture_sqlite: Path) -> None:
    info = await _inspect(fixture_sqlite)
    assert info.backend == "sqlite"
    assert info.generation == "fusion"
    assert set(info.tables) == set(KNOWN_COLUMNS)
    counts = sqlite_counts(fixture_sqlite)
    assert info.total_rows == sum(counts.values())
    assert info.tables == counts
    assert info.missing == {}
    assert info.missing_tables == ()
    assert info.extra == {}
    assert info.variants == {}
    assert info.demo is None
    assert info.columns["story_time_trackers"] == KNOWN_COLUMNS["story_time_trackers"]
    assert info.has_column("chapter_outlines", "metadata")
    assert not info.has_column("chapter_outlines", "volume_id")


@pytest.mark.mysql
async def test_fixture_mysql_is_fusion(mysql_fixture_db: MySQLDatabase) -> None:
    info = await _inspect(mysql_fixture_db.ro_url)
    assert info.backend == "mysql"
    assert info.generation == "fusion"
    assert set(info.tables) == set(KNOWN_COLUMNS)
    # MariaDB's FK cascade removed the dangling evaluation (tests/data/README.md).
    counts = mysql_counts(mysql_fixture_db)
    assert info.tables["chapter_evaluations"] == counts["chapter_evaluations"]
    assert (
        info.tables["chapter_evaluations"]
        == sqlite_counts(FIXTURE_SQLITE)["chapter_evaluations"] - 1
    )
    assert info.total_rows == sum(counts.values())
    assert (info.missing, info.extra, info.variants) == ({}, {}, {})
    password = mysql_fixture_db.ro_url.password
    assert password
    for text in (repr(info), info._repr_html_(), info.url):
        assert password not in text
    assert "***" in info.url
    html = info._repr_html_()
    for name in KNOWN_COLUMNS:
        assert f">{name}<" in html


async def test_result_is_cached_per_engine(fixture_sqlite: Path) -> None:
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        first = await inspect_database(engine)
        assert await inspect_database(engine) is first
        _alter(fixture_sqlite, RAG_RETRIEVAL_LOGS)
        assert await inspect_database(engine) is first
        fresh = await inspect_database(engine, refresh=True)
    finally:
        await engine.dispose()
    assert fresh is not first
    assert "rag_retrieval_logs" in fresh.extra
    assert "rag_retrieval_logs" not in first.extra


async def test_sync_engine_is_rejected(fixture_sqlite: Path) -> None:
    engine = create_sync_engine(f"sqlite:///{fixture_sqlite}")
    try:
        with pytest.raises(ConfigurationError, match="AsyncEngine"):
            await inspect_database(engine)  # type: ignore[arg-type]
    finally:
        engine.dispose()


# --- fork variants on SQLite ---------------------------------------------------------


async def test_fork_columns_are_extra(fixture_sqlite: Path) -> None:
    _alter(
        fixture_sqlite,
        "ALTER TABLE novel_projects ADD COLUMN project_type VARCHAR(32) NOT NULL DEFAULT 'novel'",
        "ALTER TABLE chapters ADD COLUMN finalize_status VARCHAR(16)",
        "ALTER TABLE chapters ADD COLUMN finalize_error TEXT",
    )
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    assert info.extra == {
        "novel_projects": ("project_type",),
        "chapters": ("finalize_status", "finalize_error"),
    }
    assert info.missing == {}
    assert info.total_rows == sum(sqlite_counts(fixture_sqlite).values())
    frame = info.to_frame().set_index("table")
    assert frame.loc["chapters", "status"] == "known"
    assert frame.loc["chapters", "extra_columns"] == ("finalize_status", "finalize_error")
    assert "chapters.finalize_status" in repr(info)


async def test_fork_tables_are_extra(fixture_sqlite: Path) -> None:
    _alter(
        fixture_sqlite,
        RAG_RETRIEVAL_LOGS,
        AI_DETECTION_RESULTS,
        "INSERT INTO rag_retrieval_logs (project_id, latency_ms) VALUES ('p', 12), ('p', 30)",
    )
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    assert info.extra["rag_retrieval_logs"][:3] == ("id", "project_id", "occurred_at")
    assert info.extra["ai_detection_results"] == (
        "id",
        "project_id",
        "chapter_number",
        "confidence",
        "segments",
    )
    assert info.extra_rows == {"ai_detection_results": 0, "rag_retrieval_logs": 2}
    assert "rag_retrieval_logs" not in info.tables
    counts = sqlite_counts(fixture_sqlite)
    assert (
        info.total_rows
        == sum(counts.values()) - counts["rag_retrieval_logs"] - counts["ai_detection_results"]
    )
    frame = info.to_frame().set_index("table")
    assert frame.loc["rag_retrieval_logs", "status"] == "extra"
    assert frame.loc["rag_retrieval_logs", "rows"] == 2
    assert len(frame) == len(KNOWN_COLUMNS) + 2


async def test_dropped_fusion_table_is_missing(fixture_sqlite: Path) -> None:
    _alter(fixture_sqlite, "DROP TABLE faction_relationship_history")
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    assert info.missing == {"faction_relationship_history": ()}
    assert info.missing_tables == ("faction_relationship_history",)
    assert "faction_relationship_history" not in info.tables
    assert info.total_rows == sum(sqlite_counts(fixture_sqlite).values())
    row = info.to_frame().set_index("table").loc["faction_relationship_history"]
    assert row["status"] == "missing"
    assert row["rows"] is pd.NA


async def test_dropped_fusion_column_is_missing(fixture_sqlite: Path) -> None:
    _alter(fixture_sqlite, "ALTER TABLE foreshadowings DROP COLUMN author_note")
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    assert info.missing == {"foreshadowings": ("author_note",)}
    assert info.missing_tables == ()
    assert info.tables["foreshadowings"] == sqlite_counts(fixture_sqlite)["foreshadowings"]


async def test_jddlt_character_states_is_a_variant(fixture_sqlite: Path) -> None:
    _alter(
        fixture_sqlite,
        "DROP TABLE character_states",
        JDDLT_CHARACTER_STATES,
        "INSERT INTO character_states (character_id, chapter_number, data) VALUES (1, 1, '{}')",
    )
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    jddlt = ("id", "character_id", "chapter_number", "data", "change_note", "created_at")
    assert info.variants == {"character_states": jddlt}
    assert info.extra == {"character_states": jddlt}
    assert info.missing == {"character_states": ()}
    assert info.missing_tables == ("character_states",)
    assert "character_states" not in info.tables
    assert info.extra_rows == {"character_states": 1}
    row = info.to_frame().set_index("table").loc["character_states"]
    assert row["status"] == "variant"
    assert row["rows"] == 1
    assert "data" in row["extra_columns"]
    assert "emotion" in row["missing_columns"]


async def test_gtjasonmk_llm_configs_is_a_variant_of_a_core_table(tmp_path: Path) -> None:
    path = tmp_path / "gtjasonmk.db"
    _classic_database(path)
    _alter(path, "DROP TABLE llm_configs", GTJASONMK_LLM_CONFIGS)
    info = await _inspect(path)
    # All four known columns are there, but the key is another one: a variant.
    assert info.generation == "classic"
    assert "llm_configs" in info.variants
    assert info.missing_tables == ("llm_configs",)


async def test_ycvk_without_chapter_outlines(fixture_sqlite: Path, tmp_path: Path) -> None:
    _alter(fixture_sqlite, "DROP TABLE chapter_outlines")
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    assert info.missing == {"chapter_outlines": ()}

    classic = tmp_path / "ycvk.db"
    _classic_database(classic)
    _alter(
        classic,
        "DROP TABLE chapter_outlines",
        "ALTER TABLE novel_projects ADD COLUMN metadata JSON",
        RAG_RETRIEVAL_LOGS,
    )
    info = await _inspect(classic)
    assert info.generation == "classic"
    assert info.missing == {"chapter_outlines": ()}
    assert info.extra == {
        "novel_projects": ("metadata",),
        "rag_retrieval_logs": info.columns["rag_retrieval_logs"],
    }


async def test_lilicocon_without_user_daily_requests(fixture_sqlite: Path) -> None:
    _alter(
        fixture_sqlite,
        "DROP TABLE user_daily_requests",
        "ALTER TABLE novel_blueprints ADD COLUMN content_rating VARCHAR(16) DEFAULT 'safe'",
    )
    info = await _inspect(fixture_sqlite)
    assert info.generation == "fusion"
    assert info.missing == {"user_daily_requests": ()}
    assert info.extra == {"novel_blueprints": ("content_rating",)}
    assert info.total_rows == sum(sqlite_counts(fixture_sqlite).values())


async def test_classic_database(tmp_path: Path) -> None:
    path = tmp_path / "classic.db"
    _classic_database(path)
    info = await _inspect(path)
    assert info.generation == "classic"
    assert info.tables == dict.fromkeys(CLASSIC_TABLES, 0)
    assert (info.missing, info.extra, info.variants) == ({}, {}, {})
    assert list(info.to_frame()["table"]) == list(CLASSIC_TABLES)
    # The outline metadata column a ycvk migration adds to a classic database.
    _alter(path, "ALTER TABLE chapter_outlines ADD COLUMN metadata JSON")
    info = await _inspect(path)
    assert info.generation == "classic"
    assert info.extra == {"chapter_outlines": ("metadata",)}


async def test_classic_with_a_few_fusion_tables_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "partial.db"
    _classic_database(path)
    engine = create_sync_engine(f"sqlite:///{path}")
    try:
        fusion = build_metadata("fusion")
        fusion.create_all(engine, tables=[fusion.tables["novel_constitutions"]])
    finally:
        engine.dispose()
    info = await _inspect(path)
    assert info.generation == "unknown"
    # Compared with the fusion base: the other 18 fusion tables are missing.
    assert set(info.missing_tables) == set(FUSION_TABLES) - {"novel_constitutions"}
    assert "novel_constitutions" in info.tables


async def test_missing_core_table_is_unknown(fixture_sqlite: Path) -> None:
    _alter(fixture_sqlite, "DROP TABLE prompts")
    info = await _inspect(fixture_sqlite)
    assert "prompts" in CORE_TABLES
    assert info.generation == "unknown"
    assert info.missing == {"prompts": ()}


async def test_fusion_fork_with_only_core_tables_keeps_the_fusion_columns(
    fixture_sqlite: Path,
) -> None:
    # What benchmarks/fork_shape.py makes: six tables of a fusion database, no fusion
    # table left, so "unknown"; outline metadata says which base to compare with.
    keep = {"users", "novel_projects", "novel_blueprints", "chapter_outlines", "chapters"}
    with closing(sqlite3.connect(fixture_sqlite)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    _alter(fixture_sqlite, *(f'DROP TABLE "{n}"' for n in names if n not in keep))
    info = await _inspect(fixture_sqlite)
    assert info.generation == "unknown"
    assert "metadata" not in info.extra.get("chapter_outlines", ())
    assert set(info.missing_tables) == (set(CLASSIC_TABLES) | set(FUSION_TABLES)) - keep

    _alter(fixture_sqlite, "ALTER TABLE chapter_outlines DROP COLUMN metadata")
    classic = await _inspect(fixture_sqlite, refresh=True)
    assert set(classic.missing_tables) == set(CLASSIC_TABLES) - keep


# --- not Arboris ---------------------------------------------------------------------


async def test_non_arboris_sqlite_names_novel_projects(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    _alter(path, "CREATE TABLE foo (x INTEGER)", "CREATE TABLE bar (y TEXT)")
    with pytest.raises(NotArborisDatabaseError, match="novel_projects") as caught:
        await _inspect(path)
    assert "foo" in str(caught.value)
    assert "bar" in str(caught.value)


async def test_empty_file_is_not_arboris(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(NotArborisDatabaseError, match="empty"):
        await _inspect(path)


async def test_text_file_is_not_arboris(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("These are my notes, not a database.\n" * 50, encoding="utf-8")
    with pytest.raises(NotArborisDatabaseError, match="not a SQLite database"):
        await _inspect(path)


# --- display ---------------------------------------------------------------------------


async def test_repr_and_html_escape_names(fixture_sqlite: Path) -> None:
    _alter(fixture_sqlite, 'CREATE TABLE "<b>odd&table</b>" (id INTEGER PRIMARY KEY)')
    info = await _inspect(fixture_sqlite)
    html = info._repr_html_()
    assert "&lt;b&gt;odd&amp;table&lt;/b&gt;" in html
    assert "<b>odd" not in html
    assert ">chapter_versions<" in html
    assert ">fusion<" in html
    text = repr(info)
    assert text.startswith("DatabaseInfo('fusion' sqlite database sqlite+aiosqlite:///")
    assert f"{sum(sqlite_counts(fixture_sqlite).values())} rows" in text


# --- the demo marker ---------------------------------------------------------------------


async def test_demo_marker_on_sqlite(fixture_sqlite: Path) -> None:
    marker = {"generator_version": "1", "scale": "tiny", "seed": 0, "generation": "fusion"}
    # The row alone does not make a SQLite file a demo: the application id does.
    _alter(
        fixture_sqlite,
        f"INSERT INTO system_configs (key, value) VALUES ('{DEMO_MARKER_KEY}', "
        f"'{json.dumps(marker)}')",
    )
    info = await _inspect(fixture_sqlite)
    assert info.demo is None
    _alter(fixture_sqlite, f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
    info = await _inspect(fixture_sqlite)
    assert info.demo == marker
    assert info.generation == "fusion"
    assert (info.missing, info.extra) == ({}, {})
    assert "scale=tiny" in repr(info)
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        async with engine.connect() as conn:
            assert await read_demo_marker(conn) == marker
        async with novelkit.open_session(engine) as session:
            assert await read_demo_marker(session) == marker
    finally:
        await engine.dispose()


async def test_demo_application_id_without_row(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    _classic_database(path)
    _alter(path, f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
    info = await _inspect(path)
    assert info.generation == "classic"
    assert info.demo == {
        "generator_version": None,
        "scale": None,
        "seed": None,
        "generation": None,
    }


# --- fork variants on MariaDB ----------------------------------------------------------


@pytest.mark.mysql
async def test_mysql_fork_variants(mysql_db: MySQLDatabase) -> None:
    load_mysql_dump(mysql_db)
    marker = {"generator_version": "1", "scale": "tiny", "seed": 3, "generation": "fusion"}
    with _mysql(mysql_db) as conn, conn.cursor() as cur:
        cur.execute(
            "ALTER TABLE novel_projects ADD COLUMN project_type VARCHAR(32) NOT NULL "
            "DEFAULT 'novel'"
        )
        cur.execute("DROP TABLE faction_relationship_history")
        cur.execute("DROP TABLE user_daily_requests")
        cur.execute(RAG_RETRIEVAL_LOGS)
        cur.execute(
            "INSERT INTO system_configs (`key`, `value`) VALUES (%s, %s)",
            (DEMO_MARKER_KEY, json.dumps(marker)),
        )
    info = await _inspect(mysql_db.ro_url)
    assert info.generation == "fusion"
    assert info.extra == {
        "novel_projects": ("project_type",),
        "rag_retrieval_logs": info.columns["rag_retrieval_logs"],
    }
    assert info.missing == {"faction_relationship_history": (), "user_daily_requests": ()}
    assert info.tables["system_configs"] == mysql_counts(mysql_db)["system_configs"]
    assert info.demo == marker
