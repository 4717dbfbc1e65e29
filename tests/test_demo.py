"""The demo database generator on real SQLite files and a real MariaDB."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pymysql
import pytest
from nktest_support import FIXTURE_SQLITE, MySQLDatabase
from sqlalchemy.engine import URL

from novelkit.db import default_demo_path
from novelkit.demo import (
    APPLICATION_ID,
    DEMO_MARKER_KEY,
    GENERATOR_VERSION,
    DemoSummary,
    _build as demo_build,
    build_demo,
    build_demo_async,
    ensure_default_demo,
)
from novelkit.errors import ConfigurationError, DatabaseNotFoundError, LockTimeoutError
from novelkit.schema.tables import CLASSIC_TABLES, FUSION_TABLES

GENERATIONS = ["fusion", "classic"]
MEMORY_LAYER = ("character_states", "timeline_events", "causal_chains", "story_time_trackers")


def tables_of(generation: str) -> set[str]:
    return set(CLASSIC_TABLES) | (set(FUSION_TABLES) if generation == "fusion" else set())


# -- helpers: read a database with plain DB-API connections ---------------------------


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def mysql_rows(db: MySQLDatabase, sql: str) -> list[tuple[Any, ...]]:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


def snapshot_sqlite(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    names = [r[0] for r in sqlite_rows(path, "SELECT name FROM sqlite_master WHERE type='table'")]
    return {n: sorted(map(repr, sqlite_rows(path, f'SELECT * FROM "{n}"'))) for n in names}


def snapshot_mysql(db: MySQLDatabase) -> dict[str, list[str]]:
    names = [r[0] for r in mysql_rows(db, "SHOW TABLES")]
    return {n: sorted(map(repr, mysql_rows(db, f"SELECT * FROM `{n}`"))) for n in names}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Quirks both backends have, as (name, SQL returning a count that must be > 0).
COMMON_QUIRKS = {
    "project without blueprint": "SELECT count(*) FROM novel_projects p WHERE NOT EXISTS "
    "(SELECT 1 FROM novel_blueprints b WHERE b.project_id = p.id)",
    "chapter with versions but no selection": "SELECT count(*) FROM chapters c WHERE "
    "c.selected_version_id IS NULL AND EXISTS "
    "(SELECT 1 FROM chapter_versions v WHERE v.chapter_id = c.id)",
    "chapter stuck generating": "SELECT count(*) FROM chapters WHERE status = 'generating'",
    "selected chapter waiting_for_confirm": "SELECT count(*) FROM chapters "
    "WHERE status = 'waiting_for_confirm' AND selected_version_id IS NOT NULL",
    "duplicate chapters": "SELECT count(*) FROM (SELECT project_id, chapter_number FROM chapters "
    "GROUP BY project_id, chapter_number HAVING count(*) > 1) d",
    "duplicate outlines": "SELECT count(*) FROM (SELECT project_id, chapter_number "
    "FROM chapter_outlines GROUP BY project_id, chapter_number HAVING count(*) > 1) d",
    "NULL outline summary": "SELECT count(*) FROM chapter_outlines WHERE summary IS NULL",
    "empty outline summary": "SELECT count(*) FROM chapter_outlines WHERE summary = ''",
    "very long chapter": "SELECT count(*) FROM chapter_versions "
    "WHERE char_length(content) >= 19000",
    "JSON null text in conversations": "SELECT count(*) FROM novel_conversations "
    "WHERE metadata = 'null'",
    "JSON null text in world_setting": "SELECT count(*) FROM novel_blueprints "
    "WHERE world_setting = 'null'",
    "orphan chapter": "SELECT count(*) FROM chapters c WHERE NOT EXISTS "
    "(SELECT 1 FROM novel_projects p WHERE p.id = c.project_id)",
    "orphan outline": "SELECT count(*) FROM chapter_outlines o WHERE NOT EXISTS "
    "(SELECT 1 FROM novel_projects p WHERE p.id = o.project_id)",
    "evaluation of a deleted version": "SELECT count(*) FROM chapter_evaluations e WHERE "
    "e.version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chapter_versions v "
    "WHERE v.id = e.version_id)",
    "OAuth user without e-mail": "SELECT count(*) FROM users "
    "WHERE external_id LIKE 'linuxdo:%' AND email IS NULL",
    "secret-looking configs": "SELECT count(*) FROM system_configs "
    "WHERE `key` IN ('llm.api_key', 'smtp.password')",
}
# Must be 0.
COMMON_INVARIANTS = {
    "word_count is len(selected content)": "SELECT count(*) FROM chapters c "
    "JOIN chapter_versions v ON v.id = c.selected_version_id "
    "WHERE c.word_count != char_length(v.content)",
    "score is never written": "SELECT count(*) FROM chapter_evaluations WHERE score IS NOT NULL",
    "more than 3 versions": "SELECT count(*) FROM (SELECT chapter_id FROM chapter_versions "
    "GROUP BY chapter_id HAVING count(*) > 3) d",
    "short version text": "SELECT count(*) FROM chapter_versions WHERE char_length(content) < 2000",
}


def for_sqlite(sql: str) -> str:
    return sql.replace("char_length(", "length(").replace("`key`", '"key"')


def check_common(query: Any, generation: str) -> None:
    for name, sql in COMMON_QUIRKS.items():
        assert query(sql)[0][0] > 0, name
    for name, sql in COMMON_INVARIANTS.items():
        assert query(sql)[0][0] == 0, name
    statuses = {r[0] for r in query("SELECT DISTINCT status FROM novel_projects")}
    assert statuses == {
        "draft",
        "blueprint_ready",
        "part_outlines_ready",
        "chapter_outlines_ready",
        "writing",
        "completed",
    }
    titles = [
        r[0]
        for r in query(
            "SELECT title FROM novel_projects UNION ALL SELECT title FROM chapter_outlines"
        )
    ]
    assert any(any(ord(ch) >= 0x1F300 for ch in t) for t in titles), "emoji title"
    assert any(
        any(ch.isascii() and ch.isalpha() for ch in t)
        and any("\u4e00" <= ch <= "\u9fff" for ch in t)
        for t in titles
    ), "mixed title"
    decisions = {r[0] for r in query("SELECT DISTINCT decision FROM chapter_evaluations")}
    assert decisions == (
        {"reviewed", "skipped", "failed", None} if generation == "fusion" else {None}
    )
    for (content,) in query("SELECT content FROM novel_conversations"):
        value = json.loads(content)
        assert set(value) in (
            {"id", "value"},
            {"ai_message", "ui_control", "conversation_state", "is_complete"},
        )
    (setting,) = query(
        "SELECT world_setting FROM novel_blueprints WHERE world_setting LIKE '%core_rules%' LIMIT 1"
    )[0]
    assert {"core_rules", "key_locations", "factions"} <= set(json.loads(setting))
    marker = query(f"SELECT value FROM system_configs WHERE `key` = '{DEMO_MARKER_KEY}'")
    assert json.loads(marker[0][0])["generation"] == generation
    if generation == "fusion":
        statuses = {r[0] for r in query("SELECT DISTINCT status FROM foreshadowings")}
        assert statuses == {
            "planted",
            "developing",
            "revealed",
            "abandoned",
            "partial",
            "open",
            "resolved",
        }
        for name in ("factions", "faction_relationships", "faction_members", "project_memories"):
            assert query(f"SELECT count(*) FROM {name}")[0][0] > 0, name


# -- SQLite ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=GENERATIONS)
def tiny_sqlite(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "tiny.db"
    summary = build_demo(path, scale="tiny", generation=request.param, progress=False)
    return path, summary, request.param


def test_tiny_sqlite_counts(tiny_sqlite: tuple[Path, DemoSummary, str]) -> None:
    path, summary, generation = tiny_sqlite
    assert summary.scale == "tiny"
    assert summary.seed == 0
    assert summary.generation == generation
    assert set(summary.counts) == tables_of(generation)
    for name, count in summary.counts.items():
        assert sqlite_rows(path, f'SELECT count(*) FROM "{name}"')[0][0] == count, name
    assert summary.counts["users"] == 5
    assert summary.counts["novel_projects"] == 9
    assert summary.counts["chapter_versions"] > summary.counts["chapters"] > 40
    assert summary.counts["chapter_outlines"] > summary.counts["chapters"]
    if generation == "fusion":
        # The app cannot write the memory-layer tables on SQLite (bare BIGINT keys).
        assert all(summary.counts[name] == 0 for name in MEMORY_LAYER)


def test_tiny_sqlite_quirks(tiny_sqlite: tuple[Path, DemoSummary, str]) -> None:
    path, _, generation = tiny_sqlite
    check_common(lambda sql: sqlite_rows(path, for_sqlite(sql)), generation)
    assert sqlite_rows(path, "PRAGMA application_id")[0][0] == APPLICATION_ID
    assert sqlite_rows(path, "PRAGMA journal_mode")[0][0] == "wal"
    # JSON is \uXXXX-escaped text: the Chinese in world_setting is not searchable as such.
    escaped = sqlite_rows(
        path, "SELECT count(*) FROM novel_blueprints WHERE instr(world_setting, '\\u') > 0"
    )[0][0]
    assert escaped > 0
    assert (
        sqlite_rows(path, "SELECT count(*) FROM novel_blueprints WHERE world_setting LIKE '%的%'")[
            0
        ][0]
        == 0
    )
    lengths = {r[0] for r in sqlite_rows(path, "SELECT length(updated_at) FROM novel_projects")}
    assert lengths == {19, 26}  # with and without microseconds in one column


def test_sqlite_determinism(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    build_demo(first, scale="tiny", seed=7, progress=False)
    build_demo(second, scale="tiny", seed=7, progress=False)
    build_demo(other, scale="tiny", seed=8, progress=False)
    assert snapshot_sqlite(first) == snapshot_sqlite(second)
    a, c = snapshot_sqlite(first), snapshot_sqlite(other)
    assert a["chapter_versions"] != c["chapter_versions"]
    assert a["novel_projects"] != c["novel_projects"]


def test_refuses_non_demo_sqlite_without_force(fixture_sqlite: Path) -> None:
    before = digest(fixture_sqlite)
    beside = sorted(fixture_sqlite.parent.iterdir())
    with pytest.raises(ConfigurationError, match="not a novelkit demo"):
        build_demo(fixture_sqlite, scale="tiny", progress=False)
    assert digest(fixture_sqlite) == before
    # Nothing left beside the app's database either (it left arboris.db.lock there).
    assert sorted(fixture_sqlite.parent.iterdir()) == beside
    summary = build_demo(fixture_sqlite, scale="tiny", force=True, progress=False)
    assert summary.counts["novel_projects"] == 9
    assert sqlite_rows(fixture_sqlite, "PRAGMA application_id")[0][0] == APPLICATION_ID


def test_refuses_corrupt_file_without_force(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigurationError, match="force=True"):
        build_demo(path, scale="tiny", progress=False)
    assert path.read_bytes().startswith(b"this is not")
    build_demo(path, scale="tiny", force=True, progress=False)
    assert sqlite_rows(path, "SELECT count(*) FROM novel_projects")[0][0] == 9


def test_rebuild_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    build_demo(path, scale="tiny", seed=1, progress=False)
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        old_titles = reader.execute("SELECT title FROM novel_projects ORDER BY id").fetchall()
        inode = path.stat().st_ino
        build_demo(path, scale="tiny", seed=2, progress=False)  # an existing demo: rebuilt
        assert path.stat().st_ino != inode  # a new file moved into place
        # A connection opened before the rebuild still reads the old, complete file.
        assert reader.execute("SELECT title FROM novel_projects ORDER BY id").fetchall() == (
            old_titles
        )
    finally:
        reader.close()
    marker = sqlite_rows(path, f"SELECT value FROM system_configs WHERE key = '{DEMO_MARKER_KEY}'")
    assert json.loads(marker[0][0]) == {
        "generator_version": GENERATOR_VERSION,
        "scale": "tiny",
        "seed": 2,
        "generation": "fusion",
    }
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["demo.db", "demo.db.lock"]


def test_concurrent_builds_do_not_race(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        try:
            build_demo(path, scale="tiny", seed=seed, progress=False)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in (3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sqlite_rows(path, "PRAGMA integrity_check")[0][0] == "ok"
    assert sqlite_rows(path, "SELECT count(*) FROM novel_projects")[0][0] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db", "demo.db.lock"]


def test_build_demo_inside_a_running_loop(tmp_path: Path) -> None:
    async def notebook_cell() -> DemoSummary:
        return build_demo(tmp_path / "demo.db", scale="tiny", progress=False)

    summary = asyncio.run(notebook_cell())
    assert summary.counts["novel_projects"] == 9


async def test_build_demo_async(tmp_path: Path) -> None:
    summary = await build_demo_async(
        tmp_path / "demo.db", scale="tiny", generation="classic", progress=False
    )
    assert set(summary.counts) == set(CLASSIC_TABLES)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scale": "huge"}, "Unknown demo scale"),
        ({"generation": "modern"}, "Unknown generation"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_parameters(tmp_path: Path, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        build_demo(tmp_path / "demo.db", progress=False, **kwargs)
    assert not (tmp_path / "demo.db").exists()


def test_in_memory_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="needs a file"):
        build_demo("sqlite://", scale="tiny", progress=False)


def test_summary_repr(tmp_path: Path) -> None:
    summary = build_demo(tmp_path / "demo.db", scale="tiny", progress=False)
    text = repr(summary)
    assert text.startswith("<DemoSummary fusion scale='tiny' seed=0: 36 tables")
    assert "novel_projects=9" in text
    assert str(tmp_path) in text
    with pytest.raises(AttributeError):
        summary.seed = 1  # type: ignore[misc]


def test_default_scale_sqlite(tmp_path: Path) -> None:
    started = time.perf_counter()
    summary = build_demo(tmp_path / "demo.db", progress=False)
    assert time.perf_counter() - started < 15
    counts = summary.counts
    assert counts["novel_projects"] == 40
    assert 1500 <= counts["chapter_outlines"] <= 2500
    assert 700 <= counts["chapters"] <= 1100
    assert counts["chapter_versions"] >= 1200
    check_common(lambda sql: sqlite_rows(tmp_path / "demo.db", for_sqlite(sql)), "fusion")


# -- the embedded default ---------------------------------------------------------------


def test_ensure_default_demo_builds_once() -> None:
    path = ensure_default_demo()
    assert path == default_demo_path().resolve()
    marker = sqlite_rows(path, f"SELECT value FROM system_configs WHERE key = '{DEMO_MARKER_KEY}'")
    assert json.loads(marker[0][0])["scale"] == "default"
    stamp = path.stat().st_mtime_ns
    assert ensure_default_demo() == path
    assert path.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("content", [b"", b"\x00garbage" * 500])
def test_ensure_default_demo_replaces_empty_or_corrupt(content: bytes) -> None:
    path = default_demo_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert ensure_default_demo() == path.resolve()
    assert sqlite_rows(path, "SELECT count(*) FROM novel_projects")[0][0] == 40


def test_ensure_default_demo_rebuilds_other_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    path = default_demo_path()
    build_demo(path, scale="tiny", seed=5, progress=False)

    async def notebook_cell() -> Path:
        return ensure_default_demo()

    assert asyncio.run(notebook_cell()) == path.resolve()
    marker = sqlite_rows(path, f"SELECT value FROM system_configs WHERE key = '{DEMO_MARKER_KEY}'")
    assert json.loads(marker[0][0]) == {
        "generator_version": GENERATOR_VERSION,
        "scale": "default",
        "seed": 0,
        "generation": "fusion",
    }
    assert capsys.readouterr() == ("", "")  # prints nothing


def test_ensure_default_demo_keeps_a_foreign_database() -> None:
    path = default_demo_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURE_SQLITE, path)
    before = digest(path)
    with pytest.raises(ConfigurationError, match="not a novelkit demo"):
        ensure_default_demo()
    assert digest(path) == before


# -- MariaDB --------------------------------------------------------------------------


@pytest.mark.mysql
@pytest.mark.parametrize("generation", GENERATIONS)
def test_tiny_mysql(mysql_db: MySQLDatabase, generation: str) -> None:
    summary = build_demo(mysql_db.url, scale="tiny", generation=generation, progress=False)
    assert "***" in summary.url
    assert (mysql_db.url.password or "") not in summary.url
    assert set(summary.counts) == tables_of(generation)
    for name, count in summary.counts.items():
        assert mysql_rows(mysql_db, f"SELECT count(*) FROM `{name}`")[0][0] == count, name
    assert summary.counts["novel_projects"] == 9
    check_common(lambda sql: mysql_rows(mysql_db, sql), generation)
    if generation == "fusion":
        assert all(summary.counts[name] > 0 for name in MEMORY_LAYER)
    # Orphans were written with FOREIGN_KEY_CHECKS=0 in that session only.
    assert mysql_rows(mysql_db, "SELECT @@GLOBAL.foreign_key_checks")[0][0] == 1


@pytest.mark.mysql
def test_mysql_rebuild_is_deterministic(mysql_db: MySQLDatabase) -> None:
    build_demo(mysql_db.url, scale="tiny", seed=3, progress=False)
    first = snapshot_mysql(mysql_db)
    build_demo(mysql_db.url, scale="tiny", seed=3, progress=False)  # a demo: rebuilt
    assert snapshot_mysql(mysql_db) == first
    build_demo(mysql_db.url, scale="tiny", seed=4, progress=False)
    assert snapshot_mysql(mysql_db)["chapter_versions"] != first["chapter_versions"]


@pytest.mark.mysql
def test_mysql_refuses_non_demo_without_force(mysql_db: MySQLDatabase) -> None:
    conn = mysql_db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE novel_projects (id VARCHAR(36) PRIMARY KEY)")
            cur.execute("INSERT INTO novel_projects VALUES ('keep-me')")
    finally:
        conn.close()
    with pytest.raises(ConfigurationError, match="not a novelkit demo"):
        build_demo(mysql_db.url, scale="tiny", progress=False)
    assert mysql_rows(mysql_db, "SELECT id FROM novel_projects") == [("keep-me",)]
    summary = build_demo(mysql_db.url, scale="tiny", force=True, progress=False)
    assert summary.counts["novel_projects"] == 9


@pytest.mark.mysql
def test_mysql_database_must_exist(mysql_db: MySQLDatabase) -> None:
    url: URL = mysql_db.url.set(database=mysql_db.name + "_missing")
    with pytest.raises(DatabaseNotFoundError):
        build_demo(url, scale="tiny", progress=False)
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password,
            database=url.database,
        ).close()


@pytest.mark.mysql
def test_default_scale_mysql(mysql_db: MySQLDatabase) -> None:
    summary = build_demo(mysql_db.url, progress=False)
    assert summary.counts["novel_projects"] == 40
    assert summary.counts["chapter_versions"] >= 1200
    check_common(lambda sql: mysql_rows(mysql_db, sql), "fusion")


@pytest.mark.mysql
def test_mysql_concurrent_builds_take_turns(mysql_db: MySQLDatabase) -> None:
    build_demo(mysql_db.url, scale="tiny", seed=3, progress=False)
    expected = snapshot_mysql(mysql_db)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build_demo(mysql_db.url, scale="tiny", seed=3, progress=False)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)

    # Interleaved, one build's DROP/CREATE would land in the middle of the other's
    # inserts: missing tables, duplicate keys or twice the rows.
    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert snapshot_mysql(mysql_db) == expected


@pytest.mark.mysql
def test_mysql_build_waits_for_the_lock_then_gives_up(
    mysql_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_build, "MYSQL_BUILD_LOCK_SECONDS", 1)
    holder = mysql_db.connect()
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (f"novelkit_demo.{mysql_db.name}",))
            assert cur.fetchone()[0] == 1
        started = time.monotonic()
        with pytest.raises(LockTimeoutError, match="Another novelkit demo build") as caught:
            build_demo(mysql_db.url, scale="tiny", progress=False)
        assert 0.9 < time.monotonic() - started < 30
        assert (mysql_db.url.password or "") not in str(caught.value)
        assert mysql_rows(mysql_db, "SHOW TABLES") == []  # nothing was touched
    finally:
        holder.close()  # releases the lock
    assert build_demo(mysql_db.url, scale="tiny", progress=False).counts["novel_projects"] == 9
