"""The Arrow path (``novelkit[fast]``) against the async driver: same frames, same stops.

Every loader, SQL and story-text function runs twice on the same database, with
``fast=True`` (ADBC on SQLite, connectorx on MariaDB) and ``fast=False`` (the
async driver), and the frames must be equal (``pandas.testing``). The databases
are real: the app-created fixture, the tiny demo (built by ``novelkit demo`` /
``build_demo_async``) and a fork-shaped copy of the fixture (extra integer, JSON,
datetime and text columns, a fork status, an extra table), each on SQLite and on
MariaDB over TCP. Then: when the Arrow path is not taken and why (``fast=True``
says it), how it stops (statement timeouts, cancellation, the read lock left
behind), and that its errors never show a password.

Failing tests marked ``xfail(strict=True)`` are bugs of the Arrow path, each
described in its reason.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import functools
import gc
import itertools
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa
from _loaders_support import Source, mysql_source, sqlite_source
from nktest_support import FIXTURE_SQLITE, MySQLDatabase, load_mysql_dump, make_database
from sqlalchemy.ext.asyncio import create_async_engine

import novelkit
from novelkit import (
    ConfigurationError,
    NovelkitError,
    QueryError,
    QueryTimeoutError,
    StoredValueWarning,
)

#: Slack on every deadline: a loaded 2-core machine (deadlines, never speeds).
MARGIN = 3.0
#: "Promptly" for a cancelled call.
PROMPT = 5.0
#: No test may hang: every awaited call is bounded by this.
HANG_GUARD = 120.0


@pytest.fixture(autouse=True)
def _sqlite_tables_count_as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SQLite table weighs enough for the Arrow path by default, as a large one does:
    the fixtures' tables are tiny. (The small-table rule has its own test, which sets the
    threshold back.)"""
    from novelkit.arrow import _choice

    monkeypatch.setattr(_choice, "SQLITE_SMALL_TABLE_ROWS", 0)


# -- the databases ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParityDB:
    """One database both paths read, with what the calls need to know about it."""

    label: str
    source: Source
    novel_id: str  # the project with the most chapters (cooccurrence, novel_id= filters)

    @property
    def backend(self) -> str:
        return self.source.backend

    def tables(self) -> list[str]:
        if self.backend == "sqlite":
            rows = self.source.rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            return sorted(r["name"] for r in rows)
        return sorted(next(iter(r.values())) for r in self.source.rows("SHOW TABLES"))


def _biggest_novel(src: Source) -> str:
    rows = src.rows(
        "SELECT project_id, COUNT(*) AS n FROM chapters GROUP BY project_id "
        "ORDER BY n DESC, project_id LIMIT 1"
    )
    return str(rows[0]["project_id"])


def _cli_demo(path: Path) -> None:
    """``novelkit demo PATH --scale tiny``, as a user runs it, in the app's journal mode.

    The demo is built in WAL mode, where the Arrow path is not taken on the live file
    (see test_sqlite_wal_files_keep_the_driver_unless_snapshot); the Arboris app's own
    files are in rollback-journal mode, which is what the parity tests read.
    """
    subprocess.run(
        [sys.executable, "-m", "novelkit", "demo", str(path), "--scale", "tiny", "--no-progress"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    _to_rollback_journal(path)


def _to_rollback_journal(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    finally:
        conn.close()


def _in_thread(make: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    """Run ``make(*args, **kwargs)`` on a loop of its own in another thread (sync fixtures)."""

    async def run() -> Any:
        return await make(*args, **kwargs)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


FORK_TABLE = "fork_tags"


def _make_fork(src: Source) -> None:
    """What forks of Arboris add: columns of several types, a status, a table of their own."""
    mysql = src.backend == "mysql"
    ids = [r["id"] for r in src.rows("SELECT id FROM chapters ORDER BY id")]
    project = src.rows("SELECT id FROM novel_projects ORDER BY id")[0]["id"]
    real = "DOUBLE" if mysql else "REAL"
    src.execute(
        "ALTER TABLE chapters ADD COLUMN fork_score INTEGER",
        "ALTER TABLE chapters ADD COLUMN fork_meta JSON",
        "ALTER TABLE chapters ADD COLUMN fork_seen_at DATETIME",
        "ALTER TABLE chapters ADD COLUMN fork_note TEXT",
        'UPDATE chapters SET fork_score = id * 3, fork_meta = \'{"tags": ["a", "b"], '
        "\"n\": 1}', fork_seen_at = '2025-03-04 05:06:07' WHERE id % 2 = 0",
        "UPDATE chapters SET fork_note = '第二稿，待审' WHERE id % 3 = 0",
        f"UPDATE chapters SET status = 'archived' WHERE id = {ids[0]}",
        "ALTER TABLE chapter_versions ADD COLUMN model_name VARCHAR(64)",
        "UPDATE chapter_versions SET model_name = 'deepseek-chat' WHERE id % 2 = 1",
        "ALTER TABLE novel_projects ADD COLUMN project_type VARCHAR(32)",
        "UPDATE novel_projects SET project_type = 'webnovel'",
        f"UPDATE novel_projects SET status = 'published' WHERE id = '{project}'",
        "ALTER TABLE users ADD COLUMN nickname VARCHAR(64)",
        f"ALTER TABLE chapter_outlines ADD COLUMN fork_weight {real}",
        "UPDATE chapter_outlines SET fork_weight = id / 4.0",
        f"CREATE TABLE {FORK_TABLE} (id INTEGER PRIMARY KEY, project_id VARCHAR(36), "
        f"tag VARCHAR(64), weight {real}, payload JSON, created_at DATETIME, flags INTEGER)",
        f"INSERT INTO {FORK_TABLE} (id, project_id, tag, weight, payload, created_at, flags) "
        f"VALUES (1, '{project}', '主线', 0.5, '{{\"k\": [1, 2]}}', '2025-01-02 03:04:05', 7), "
        f"(2, '{project}', NULL, NULL, NULL, NULL, NULL), "
        "(3, 'deadbeef-0000-4000-8000-000000000000', 'orphan', 2.25, '[]', "
        "'2025-06-07 08:09:10', -1)",
        "CREATE TABLE fork_empty (id INTEGER PRIMARY KEY, note TEXT)",
    )


SOURCES = [
    "fixture-sqlite",
    pytest.param("fixture-mysql", marks=pytest.mark.mysql),
    "demo-sqlite",
    pytest.param("demo-mysql", marks=pytest.mark.mysql),
    "fork-sqlite",
    pytest.param("fork-mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(scope="module", params=SOURCES)
def parity_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ParityDB]:
    """One database per kind and backend, made once per module, only read by the tests."""
    label = str(request.param)
    kind, backend = label.split("-")
    if backend == "sqlite":
        path = tmp_path_factory.mktemp(kind) / "arboris.db"
        if kind == "demo":
            _cli_demo(path)
        else:
            shutil.copyfile(FIXTURE_SQLITE, path)
        src = sqlite_source(path)
        if kind == "fork":
            _make_fork(src)
        yield ParityDB(label, src, _biggest_novel(src))
        return
    if kind == "fixture":
        db = request.getfixturevalue("mysql_fixture_db")
        src = mysql_source(db)
        yield ParityDB(label, src, _biggest_novel(src))
        return
    for db in make_database(f"arrow{kind}"):
        if kind == "demo":
            _in_thread(novelkit.build_demo_async, db.url, scale="tiny", progress=False)
        else:
            load_mysql_dump(db)
        src = mysql_source(db)
        if kind == "fork":
            _make_fork(src)
        yield ParityDB(label, src, _biggest_novel(src))


@contextlib.asynccontextmanager
async def _session(url: Any, **options: Any) -> AsyncIterator[Any]:
    engine = novelkit.create_engine(url, **options)
    try:
        async with novelkit.open_session(engine) as session:
            yield session
    finally:
        await engine.dispose()


async def _concat(stream: AsyncIterator[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([chunk async for chunk in stream], ignore_index=True)


#: The Arboris schema's FLOAT (single precision) columns on MariaDB: compared within
#: float32's precision by the parity tests (see test_mysql_float_columns_are_exact...).
FLOAT32_COLUMNS = frozenset(
    {
        "quality_score",
        "score",
        "avg_resolution_distance",
        "unresolved_ratio",
        "overall_quality_score",
        "ai_confidence",
    }
)


def assert_same_frame(fast: pd.DataFrame, driver: pd.DataFrame, obj: str = "DataFrame") -> None:
    """Equal frames: every value exact, but FLOAT columns within float32's precision."""
    pd.testing.assert_frame_equal(fast, driver, obj=obj)
    exact = [c for c in driver.columns if c not in FLOAT32_COLUMNS]
    if len(set(driver.columns)) == len(driver.columns):
        pd.testing.assert_frame_equal(fast[exact], driver[exact], check_exact=True, obj=obj)


# -- 1. parity: every loader and story-text function --------------------------------------

Call = Callable[[Any, bool, ParityDB], Awaitable[pd.DataFrame]]

CALLS: dict[str, Call] = {
    "outlines": lambda t, f, d: novelkit.load_outlines(t, fast=f),
    "outlines_flat_json": lambda t, f, d: novelkit.load_outlines(t, flatten_json=True, fast=f),
    "novels": lambda t, f, d: novelkit.load_novels(t, fast=f),
    "novels_one": lambda t, f, d: novelkit.load_novels(t, d.novel_id, fast=f),
    "chapters": lambda t, f, d: novelkit.load_chapters(t, fast=f),
    "chapters_dedupe": lambda t, f, d: novelkit.load_chapters(t, dedupe=True, fast=f),
    "chapters_one_novel": lambda t, f, d: novelkit.load_chapters(t, d.novel_id, fast=f),
    "versions": lambda t, f, d: novelkit.load_versions(t, fast=f),
    "versions_content": lambda t, f, d: novelkit.load_versions(t, content=True, fast=f),
    "versions_content_metadata": lambda t, f, d: novelkit.load_versions(
        t, content=True, metadata=True, fast=f
    ),
    "evaluations": lambda t, f, d: novelkit.load_evaluations(t, fast=f),
    "characters": lambda t, f, d: novelkit.load_characters(t, fast=f),
    "characters_flat_json": lambda t, f, d: novelkit.load_characters(t, flatten_json=True, fast=f),
    "relationships": lambda t, f, d: novelkit.load_relationships(t, fast=f),
    "conversations": lambda t, f, d: novelkit.load_conversations(t, fast=f),
    "foreshadowings": lambda t, f, d: novelkit.load_foreshadowings(t, fast=f),
    "users": lambda t, f, d: novelkit.load_users(t, fast=f),
    "usage": lambda t, f, d: novelkit.load_usage(t, fast=f),
    "admin_stats": lambda t, f, d: novelkit.load_admin_stats(t, fast=f),
    "activity": lambda t, f, d: novelkit.load_activity(t, fast=f),
    "iter_frames_chapters": lambda t, f, d: _concat(
        novelkit.iter_frames(t, "chapters", chunksize=5, progress=False, fast=f)
    ),
    "iter_frames_versions_content": lambda t, f, d: _concat(
        novelkit.iter_frames(
            t, "chapter_versions", chunksize=7, content=True, progress=False, fast=f
        )
    ),
    "search_text": lambda t, f, d: novelkit.search_text(t, "的", progress=False, fast=f),
    "search_text_regex": lambda t, f, d: novelkit.search_text(
        t, "“[^”]{1,6}”", regex=True, context=5, progress=False, fast=f
    ),
    "text_stats": lambda t, f, d: novelkit.text_stats(t, progress=False, fast=f),
    "mentions": lambda t, f, d: novelkit.mentions(t, progress=False, fast=f),
    "cooccurrence": lambda t, f, d: novelkit.cooccurrence(
        t, novel_id=d.novel_id, progress=False, fast=f
    ),
    "cooccurrence_paragraph": lambda t, f, d: novelkit.cooccurrence(
        t, novel_id=d.novel_id, window="paragraph", progress=False, fast=f
    ),
}


async def _both(call: Call, db: ParityDB) -> tuple[pd.DataFrame, pd.DataFrame]:
    async with _session(db.source.url) as session:
        fast = await asyncio.wait_for(call(session, True, db), HANG_GUARD)
        driver = await asyncio.wait_for(call(session, False, db), HANG_GUARD)
    return fast, driver


def _assert_paths(fast: pd.DataFrame, driver: pd.DataFrame) -> None:
    assert str(fast.attrs.get("novelkit_path", "")).startswith("arrow"), fast.attrs
    assert driver.attrs.get("novelkit_path") == "driver", driver.attrs


#: Calls filtered by a novel on MariaDB: the ids are bound values, which connectorx
#: cannot take, so fast=True refuses them (ConfigurationError, saying why) and the
#: default choice reads them through the driver: that frame is compared.
MYSQL_NOVEL_FILTERED = {
    "novels_one",
    "chapters_one_novel",
    "cooccurrence",
    "cooccurrence_paragraph",
}


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_each_function_gives_the_same_frame_on_both_paths(
    parity_db: ParityDB, name: str
) -> None:
    if parity_db.backend == "mysql" and name in MYSQL_NOVEL_FILTERED:
        async with _session(parity_db.source.url) as session:
            with pytest.raises(ConfigurationError, match=r"fast=True.*novel ids"):
                await CALLS[name](session, True, parity_db)
            chosen = await CALLS[name](session, None, parity_db)  # type: ignore[arg-type]
            driver = await CALLS[name](session, False, parity_db)
        assert_same_frame(chosen, driver)
        assert len(driver) > 0
        return
    fast, driver = await _both(CALLS[name], parity_db)
    assert_same_frame(fast, driver)
    assert len(driver) > 0 or name in ("evaluations",), f"{name}: nothing to compare"
    _assert_paths(fast, driver)


@pytest.mark.mysql
async def test_fast_true_on_mariadb_with_a_novel_filter_is_arrow_or_says_why(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    src = mysql_source(mysql_fixture_db)
    novel = _biggest_novel(src)
    async with _session(src.url) as session:
        for load in (novelkit.load_novels, novelkit.load_outlines, novelkit.load_versions):
            # The ids are bound (never written into SQL), which connectorx cannot take.
            with pytest.raises(ConfigurationError, match=r"fast=True.*novel_id filter"):
                await load(session, novel, fast=True)
            # Left to choose, the filtered read goes through the driver, and says so.
            chosen = await load(session, novel)
            driver = await load(session, novel, fast=False)
            assert "driver" in chosen.attrs["novelkit_path"], chosen.attrs
            assert_same_frame(chosen, driver)
            assert len(driver) > 0
        # The session is still usable, and unfiltered fast=True reads still take the path.
        whole = await novelkit.load_outlines(session, fast=True)
    assert whole.attrs["novelkit_path"].startswith("arrow"), whole.attrs


async def test_every_table_loads_the_same_on_both_paths(parity_db: ParityDB) -> None:
    """load_table on each table of the database (the fork's own tables included)."""
    tables = parity_db.tables()
    if parity_db.label.startswith("fork"):
        assert {FORK_TABLE, "fork_empty"} <= set(tables)
    compared = 0
    async with _session(parity_db.source.url) as session:
        for table in tables:
            fast = await novelkit.load_table(session, table, fast=True)
            driver = await novelkit.load_table(session, table, fast=False)
            assert_same_frame(fast, driver, obj=table)
            _assert_paths(fast, driver)
            compared += 1
    assert compared == len(tables) >= 17


async def test_every_table_streams_the_same_on_both_paths(parity_db: ParityDB) -> None:
    """iter_frames on each table in small chunks: chunk for chunk, or the same refusal."""
    async with _session(parity_db.source.url) as session:
        for table in parity_db.tables():
            outcomes: list[Any] = []
            for fast in (True, False):
                try:
                    chunks = [
                        c
                        async for c in novelkit.iter_frames(
                            session, table, chunksize=4, progress=False, fast=fast
                        )
                    ]
                except NovelkitError as exc:  # e.g. a table without a key to page on
                    outcomes.append(type(exc))
                else:
                    outcomes.append(chunks)
            fast_chunks, driver_chunks = outcomes
            if isinstance(driver_chunks, type):
                assert fast_chunks is driver_chunks, table
                continue
            assert isinstance(fast_chunks, list), table
            assert [len(c) for c in fast_chunks] == [len(c) for c in driver_chunks], table
            for a, b in zip(fast_chunks, driver_chunks, strict=True):
                assert_same_frame(a, b, obj=table)
                if parity_db.backend == "sqlite":  # MariaDB: see the xfail test on pages
                    _assert_paths(a, b)
                else:
                    assert b.attrs["novelkit_path"] == "driver"


async def test_fork_columns_and_table_come_through_the_arrow_path(
    tmp_path: Path,
) -> None:
    """The fork's extra columns on the Arrow path: last, as stored, typed (SQLite)."""
    path = tmp_path / "fork.db"
    shutil.copyfile(FIXTURE_SQLITE, path)
    src = sqlite_source(path)
    _make_fork(src)
    async with _session(path) as session:
        chapters = await novelkit.load_chapters(session, fast=True)
        tags = await novelkit.load_table(session, FORK_TABLE, fast=True)
    assert chapters.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert list(chapters.columns)[-4:] == ["fork_score", "fork_meta", "fork_seen_at", "fork_note"]
    assert str(chapters["fork_score"].dtype) == "Int64"
    assert str(chapters["fork_seen_at"].dtype) == "datetime64[us, UTC]"
    even = chapters[chapters["id"] % 2 == 0].iloc[0]
    assert even["fork_meta"] == {"tags": ["a", "b"], "n": 1}  # declared JSON: parsed
    assert even["fork_seen_at"] == pd.Timestamp("2025-03-04 05:06:07", tz="UTC")
    assert "archived" in list(chapters["status"].cat.categories)
    assert tags["id"].tolist() == [1, 2, 3]
    assert tags["tag"].tolist()[0] == "主线"
    assert pd.isna(tags["tag"].iloc[1])
    assert tags["flags"].tolist()[2] == -1


@pytest.mark.mysql
async def test_iter_frames_pages_go_through_connectorx_with_fast_true(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    async with _session(mysql_fixture_db.ro_url) as session:
        chunks = [
            c
            async for c in novelkit.iter_frames(
                session, "chapter_versions", chunksize=7, progress=False, fast=True
            )
        ]
    assert len(chunks) > 2
    paths = [c.attrs["novelkit_path"] for c in chunks]
    assert all(p.startswith("arrow") for p in paths), paths


# -- 1b. what the fixture's data does not show ------------------------------------------

#: Story-text calls over every version (or the latest): the fixture has chapters
#: without a selected version, whose versions must say is_selected False.
ALL_VERSIONS: dict[str, Call] = {
    "search_text_all": lambda t, f, d: novelkit.search_text(
        t, "“[^”]{1,6}”", regex=True, versions="all", context=5, progress=False, fast=f
    ),
    "text_stats_all": lambda t, f, d: novelkit.text_stats(
        t, versions="all", progress=False, fast=f
    ),
    "text_stats_latest": lambda t, f, d: novelkit.text_stats(
        t, versions="latest", progress=False, fast=f
    ),
    "mentions_latest": lambda t, f, d: novelkit.mentions(
        t, versions="latest", progress=False, fast=f
    ),
}


@pytest.mark.parametrize("name", sorted(ALL_VERSIONS))
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
async def test_story_text_over_all_versions_is_the_same_on_both_paths(
    request: pytest.FixtureRequest, backend: str, name: str
) -> None:
    if backend == "sqlite":
        src = sqlite_source(request.getfixturevalue("fixture_sqlite"))
    else:
        src = mysql_source(request.getfixturevalue("mysql_fixture_db"))
    unselected = src.rows("SELECT COUNT(*) AS n FROM chapters WHERE selected_version_id IS NULL")
    assert unselected[0]["n"] > 0
    fast, driver = await _both(ALL_VERSIONS[name], ParityDB(backend, src, _biggest_novel(src)))
    assert driver["is_selected"].notna().all()
    assert_same_frame(fast, driver)


def _inflate_chapters(path: Path, rows: int) -> None:
    """Copy chapters until the table holds ``rows`` (plain sqlite3)."""
    conn = sqlite3.connect(path)
    try:
        while (count := conn.execute("SELECT COUNT(*) FROM chapters").fetchone()[0]) < rows:
            conn.execute(
                "INSERT INTO chapters (project_id, chapter_number, real_summary, status, "
                "word_count, selected_version_id, created_at, updated_at) "
                "SELECT project_id, chapter_number, real_summary, status, word_count, "
                f"selected_version_id, created_at, updated_at FROM chapters LIMIT {rows - count}"
            )
        conn.commit()
    finally:
        conn.close()


#: More rows than the ADBC reader's first batch (4096), whatever the batch size settles at.
PAST_FIRST_BATCH = 9_000


async def test_adbc_reader_hands_each_batch_to_the_loop_while_it_reads(
    fixture_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch reaches ``on_batch`` on the event loop's thread, in order, as the worker
    reads on, and is not kept by the reader (the table returned has the columns, no
    rows); cancelled meanwhile, the worker stops and lets go of the file at once."""
    import threading

    from novelkit.arrow import _sqlite

    monkeypatch.setattr(_sqlite, "BATCH_ROWS", 100)
    _inflate_chapters(fixture_sqlite, 1000)
    reader = _sqlite.AdbcSqliteReader(fixture_sqlite, busy_timeout=5, statement_timeout=None)
    sql = "SELECT id, real_summary FROM chapters ORDER BY id"
    seen: list[tuple[int, pa.RecordBatch]] = []
    table = await reader.read(
        sql, (), on_batch=lambda batch: seen.append((threading.get_ident(), batch))
    )
    assert {thread for thread, _ in seen} == {threading.get_ident()}
    assert len(seen) == 10
    whole = await reader.read(sql, ())  # without on_batch: the whole table
    assert whole.num_rows == 1000
    assert pa.Table.from_batches([b for _, b in seen]).equals(whole)
    assert table.num_rows == 0
    assert table.schema == whole.schema

    first = asyncio.Event()
    count = 0

    def slow(batch: pa.RecordBatch) -> None:
        nonlocal count
        count += 1
        first.set()
        time.sleep(0.05)

    task = asyncio.create_task(reader.read(sql, (), on_batch=slow))
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert count < 10
    writer = sqlite3.connect(fixture_sqlite, timeout=0)
    try:
        writer.execute("UPDATE chapters SET word_count = word_count")  # no lock left
        writer.commit()
    finally:
        writer.close()


async def test_sqlite_text_that_is_not_utf8_in_a_later_batch(fixture_sqlite: Path) -> None:
    """Text is checked as UTF-8 and counted batch by batch while ADBC reads the next
    batch. Bytes that are not UTF-8 in a later batch redo that column whole: U+FFFD,
    one warning, lengths of the replaced text, as on the driver path."""
    _inflate_chapters(fixture_sqlite, PAST_FIRST_BATCH)
    broken = "CAST(X'E7ACAC61FF62' AS TEXT)"  # 第, a, a byte that is not UTF-8, b
    with sqlite3.connect(fixture_sqlite) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(chapter_versions)")]
        copied = [c for c in columns if c not in ("id", "content")]
        conn.execute(
            f"INSERT INTO chapter_versions ({', '.join(copied)}, content) "
            f"SELECT {', '.join(copied)}, {broken} FROM chapter_versions LIMIT 1"
        )
        last = "(SELECT MAX(id) FROM chapters)"
        conn.execute(
            "UPDATE chapters SET selected_version_id = (SELECT MAX(id) FROM chapter_versions),"
            f" real_summary = {broken} WHERE id = {last}"
        )
    async with _session(fixture_sqlite) as session:
        with pytest.warns(StoredValueWarning, match="not valid UTF-8") as fast_warnings:
            fast = await novelkit.load_chapters(session)
        with pytest.warns(StoredValueWarning, match="not valid UTF-8"):
            driver = await novelkit.load_chapters(session, fast=False)
    assert fast.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert_same_frame(fast, driver)
    utf8 = [str(w.message) for w in fast_warnings if "UTF-8" in str(w.message)]
    assert len(utf8) == 2, utf8  # one per column: the summary and the selected text
    last_row = fast.iloc[-1]
    assert last_row["real_summary"] == "第a\ufffdb"
    assert (last_row["selected_chars"], last_row["cjk_chars_plus_words"]) == (4, 3)
    assert len(fast) == PAST_FIRST_BATCH


@pytest.mark.parametrize(
    "later",
    [
        pytest.param("real_summary = 'written late'", id="null-then-text-known-column"),
        pytest.param("fork_cost = 2.5", id="integers-then-real-in-a-decimal-fork-column"),
    ],
)
async def test_sqlite_columns_whose_type_shows_only_after_the_first_batch(
    fixture_sqlite: Path, later: str
) -> None:
    """ADBC types a column by its first batch: a later value of another storage type
    (text after NULLs, a REAL after integers) must not fail the load (the driver reads it)."""
    _inflate_chapters(fixture_sqlite, PAST_FIRST_BATCH)
    conn = sqlite3.connect(fixture_sqlite)
    try:
        conn.execute("ALTER TABLE chapters ADD COLUMN fork_cost DECIMAL(10, 2)")
        # NUMERIC affinity: 1.00 is stored as the INTEGER 1, 2.5 as a REAL.
        conn.execute("UPDATE chapters SET real_summary = NULL, fork_cost = 1.00")
        conn.execute(f"UPDATE chapters SET {later} WHERE id = (SELECT MAX(id) FROM chapters)")
        conn.commit()
    finally:
        conn.close()
    async with _session(fixture_sqlite) as session:
        default = await novelkit.load_chapters(session)  # fast=None: the Arrow path on SQLite
        driver = await novelkit.load_chapters(session, fast=False)
    assert_same_frame(default, driver)
    assert len(driver) == PAST_FIRST_BATCH


@pytest.mark.mysql
async def test_mysql_time_columns_read_through_the_driver_without_a_panic(
    mysql_db: MySQLDatabase, capfd: pytest.CaptureFixture[str]
) -> None:
    """connectorx panics on a TIME past 24 h or below zero (after Rust printed the panic
    into the notebook), and no one knows the values before reading them: a TIME column,
    a fork's or a query's, takes the driver, whatever ``fast`` says."""
    load_mysql_dump(mysql_db)
    src = mysql_source(mysql_db)
    src.execute(
        "ALTER TABLE chapters ADD COLUMN fork_duration TIME",
        "UPDATE chapters SET fork_duration = IF(id % 2, '-01:30:00', '30:00:00')",
    )
    query = "SELECT id, fork_duration, SEC_TO_TIME(100000) AS t FROM chapters ORDER BY id"
    async with _session(src.url) as session:
        fast = await novelkit.load_table(session, "chapters", fast=True)
        driver = await novelkit.load_table(session, "chapters", fast=False)
        fast_sql = await novelkit.load_sql(session, query, fast=True)
        driver_sql = await novelkit.load_sql(session, query, fast=False)
        chunks = [
            chunk
            async for chunk in novelkit.iter_frames(
                session, "chapters", chunksize=7, fast=True, progress=False
            )
        ]
        # The rest of a call still takes the Arrow path.
        outlines = await novelkit.load_table(session, "chapter_outlines", fast=True)
    assert fast.attrs["novelkit_path"] == fast_sql.attrs["novelkit_path"] == "driver"
    assert outlines.attrs["novelkit_path"].startswith("arrow")
    assert_same_frame(fast, driver)
    assert_same_frame(fast_sql, driver_sql)
    streamed = pd.concat(chunks, ignore_index=True)
    assert set(streamed["fork_duration"]) == set(driver["fork_duration"])
    # A TIME is a duration (MySQL's reach past a day, and below zero).
    assert str(driver["fork_duration"].dtype) == "timedelta64[us]"
    assert set(driver["fork_duration"]) == {pd.Timedelta(hours=-1.5), pd.Timedelta(hours=30)}
    assert set(driver_sql["t"]) == {dt.timedelta(seconds=100_000)}
    captured = capfd.readouterr()
    assert "panicked" not in captured.err + captured.out


@pytest.mark.mysql
async def test_mysql_float_columns_are_exact_on_both_paths(mysql_fixture_db: MySQLDatabase) -> None:
    async with _session(mysql_fixture_db.ro_url) as session:
        fast = await novelkit.load_foreshadowings(session, fast=True)
        driver = await novelkit.load_foreshadowings(session, fast=False)
    assert fast["ai_confidence"].notna().any()
    assert fast["ai_confidence"].tolist() == driver["ai_confidence"].tolist()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
async def test_unsigned_bigint_above_int64_loads_on_both_paths(
    request: pytest.FixtureRequest, backend: str
) -> None:
    if backend == "sqlite":
        src = sqlite_source(request.getfixturevalue("fixture_sqlite"))
    else:
        db = request.getfixturevalue("mysql_db")
        load_mysql_dump(db)
        src = mysql_source(db)
    src.execute(
        "ALTER TABLE chapters ADD COLUMN fork_hash BIGINT UNSIGNED",
        "UPDATE chapters SET fork_hash = 18446744073709551615",
    )
    if backend == "mysql":
        async with _session(src.url) as session:
            fast = await novelkit.load_table(session, "chapters", fast=True)
            driver = await novelkit.load_table(session, "chapters", fast=False)
        assert str(driver["fork_hash"].dtype) == "UInt64"
        assert set(driver["fork_hash"]) == {2**64 - 1}
    else:
        # SQLite cannot hold it as an integer and keeps the nearest REAL (2.0**64),
        # which no 64-bit integer holds either: the column comes as stored, and said so.
        async with _session(src.url) as session:
            with pytest.warns(StoredValueWarning, match="fork_hash"):
                fast = await novelkit.load_table(session, "chapters", fast=True)
            with pytest.warns(StoredValueWarning, match="fork_hash"):
                driver = await novelkit.load_table(session, "chapters", fast=False)
        assert set(driver["fork_hash"]) == {2.0**64}
    assert_same_frame(fast, driver)


# -- 2. users' SQL on MariaDB ------------------------------------------------------------

SQL_QUERIES = {
    "select_star": "SELECT * FROM chapters",
    "select_star_versions": "SELECT * FROM chapter_versions",
    "group_by": (
        "SELECT project_id, COUNT(*) AS n, AVG(word_count) AS mean_words, "
        "SUM(word_count) AS words, MAX(updated_at) AS last_update, MIN(status) AS first_status "
        "FROM chapters GROUP BY project_id ORDER BY project_id"
    ),
    "timestamps": (
        "SELECT id, created_at, updated_at, DATE(created_at) AS day, "
        "DATE_ADD(updated_at, INTERVAL 1 DAY) AS next_day FROM chapters ORDER BY id"
    ),
    "json_column": "SELECT id, metadata FROM chapter_outlines ORDER BY id",
    "json_extract": (
        "SELECT id, JSON_EXTRACT(metadata, '$') AS meta_copy FROM chapter_outlines ORDER BY id"
    ),
    "like_with_percent": "SELECT id, status FROM chapters WHERE status LIKE '%ful%' ORDER BY id",
    "join": (
        "SELECT c.id, c.chapter_number, p.title FROM chapters c "
        "JOIN novel_projects p ON p.id = c.project_id ORDER BY c.id"
    ),
    "window": (
        "SELECT id, ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY id) AS nth "
        "FROM chapters ORDER BY id"
    ),
    "cte_union": (
        "WITH v AS (SELECT id FROM chapter_versions) SELECT id FROM v "
        "UNION ALL SELECT id FROM chapters"
    ),
    "no_rows": "SELECT id, title, created_at FROM novel_projects WHERE 1 = 0",
    # Over a table: a FROM-less select reads through the driver (its probe would run it).
    "literals": (
        "SELECT 'a:b' AS colon, '%' AS pct, 1.5 AS one_and_half, 2 AS n, TRUE AS yes "
        "FROM novel_projects ORDER BY id LIMIT 1"
    ),
    "binary": (
        "SELECT CAST('x' AS BINARY) AS raw, x'00FF' AS blob_value "
        "FROM novel_projects ORDER BY id LIMIT 1"
    ),
    "secrets_selected": "SELECT * FROM llm_configs",
}


@pytest.mark.mysql
@pytest.mark.parametrize("name", sorted(SQL_QUERIES))
async def test_users_sql_on_mariadb_is_the_same_on_both_paths(
    mysql_fixture_db: MySQLDatabase, name: str
) -> None:
    query = SQL_QUERIES[name]
    async with _session(mysql_fixture_db.ro_url) as session:
        fast = await novelkit.load_sql(session, query, fast=True)
        driver = await novelkit.load_sql(session, query, fast=False)
    assert_same_frame(fast, driver)
    _assert_paths(fast, driver)


#: JSON and timestamps as text, which only parse_json= / parse_dates= make typed.
TYPED_BY_OPTIONS = (
    "SELECT o.id, CONCAT('', o.metadata) AS meta_text, CAST(p.created_at AS CHAR) AS at_text "
    "FROM chapter_outlines o JOIN novel_projects p ON p.id = o.project_id ORDER BY o.id"
)
TYPED_OPTIONS: dict[str, Any] = {"parse_json": ["meta_text"], "parse_dates": ["at_text"]}


@pytest.mark.mysql
async def test_users_sql_parse_json_and_parse_dates_on_both_paths(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    async with _session(mysql_fixture_db.ro_url) as session:
        fast = await novelkit.load_sql(session, TYPED_BY_OPTIONS, fast=True, **TYPED_OPTIONS)
        driver = await novelkit.load_sql(session, TYPED_BY_OPTIONS, fast=False, **TYPED_OPTIONS)
        plain = await novelkit.load_sql(session, TYPED_BY_OPTIONS, fast=True)
    assert_same_frame(fast, driver)
    _assert_paths(fast, driver)
    assert str(driver["at_text"].dtype) == "datetime64[us, UTC]"
    assert any(isinstance(v, dict) for v in driver["meta_text"])
    assert not any(isinstance(v, dict) for v in plain["meta_text"].dropna())


@pytest.mark.mysql
def test_db_sql_with_parse_json_through_the_facade(mysql_fixture_db: MySQLDatabase) -> None:
    with novelkit.connect(mysql_fixture_db.ro_url) as db:
        fast = db.sql(TYPED_BY_OPTIONS, fast=True, **TYPED_OPTIONS)
        driver = db.sql(TYPED_BY_OPTIONS, fast=False, **TYPED_OPTIONS)
    assert_same_frame(fast, driver)
    _assert_paths(fast, driver)


@pytest.mark.mysql
@pytest.mark.parametrize(
    "query",
    [
        pytest.param("SELECT NULL AS nothing, id FROM chapters ORDER BY id", id="bare-null"),
        pytest.param(
            "SELECT c.id, o.id FROM chapters c JOIN chapter_outlines o "
            "ON o.project_id = c.project_id ORDER BY c.id, o.id",
            id="duplicate-names",
        ),
    ],
)
async def test_users_sql_the_arrow_reader_cannot_take_goes_to_the_driver(
    mysql_fixture_db: MySQLDatabase, query: str
) -> None:
    async with _session(mysql_fixture_db.ro_url) as session:
        fast = await novelkit.load_sql(session, query, fast=True)
        driver = await novelkit.load_sql(session, query, fast=False)
    assert_same_frame(fast, driver)
    assert fast.attrs["novelkit_path"] == "driver"
    if "JOIN" in query:
        assert list(fast.columns) == ["id", "id_1"]


@pytest.mark.mysql
@pytest.mark.parametrize("chunksize", [1, 7, 40, 10_000])
async def test_iter_sql_chunks_on_both_paths(
    mysql_fixture_db: MySQLDatabase, chunksize: int
) -> None:
    query = "SELECT * FROM chapters ORDER BY id"
    async with _session(mysql_fixture_db.ro_url) as session:
        whole = await novelkit.load_sql(session, query, fast=False)
        fast = [
            c
            async for c in novelkit.iter_sql(
                session, query, chunksize=chunksize, progress=False, fast=True
            )
        ]
        driver = [
            c
            async for c in novelkit.iter_sql(
                session, query, chunksize=chunksize, progress=False, fast=False
            )
        ]
    expected = [min(chunksize, len(whole) - start) for start in range(0, len(whole), chunksize)]
    assert [len(c) for c in fast] == expected
    assert [len(c) for c in driver] == expected
    for a, b in zip(fast, driver, strict=True):
        assert_same_frame(a, b)
        # iter_sql keeps the async driver on MySQL (connectorx's stream holds the GIL
        # while it waits for the server, which froze the loop: see the test below).
        assert a.attrs["novelkit_path"] == b.attrs["novelkit_path"] == "driver"
    pd.testing.assert_frame_equal(pd.concat(fast, ignore_index=True), whole)


@pytest.mark.mysql
def test_db_sql_and_iter_sql_through_the_facade(mysql_fixture_db: MySQLDatabase) -> None:
    query = "SELECT id, title, status, created_at FROM novel_projects ORDER BY id"
    with novelkit.connect(mysql_fixture_db.ro_url) as db:
        fast = db.sql(query, fast=True)
        driver = db.sql(query, fast=False)
        chunks = list(db.iter_sql(query, chunksize=4, fast=True))
    assert_same_frame(fast, driver)
    _assert_paths(fast, driver)
    assert all(c.attrs["novelkit_path"] == "driver" for c in chunks)  # see above
    assert_same_frame(pd.concat(chunks, ignore_index=True), driver)


@pytest.mark.mysql
async def test_by_default_only_plain_reads_of_large_tables_take_connectorx(
    mysql_db: MySQLDatabase,
) -> None:
    """fast=None on MariaDB: a large table's plain read through connectorx, small ones not."""
    src = mysql_source(mysql_db)
    with mysql_db.connect() as conn, conn.cursor() as cur:
        cur.execute("SET SESSION max_recursive_iterations = 100000")  # MariaDB's name
        cur.execute("CREATE TABLE big_rows (id INTEGER PRIMARY KEY, label VARCHAR(16), n INTEGER)")
        cur.execute(
            "INSERT INTO big_rows WITH RECURSIVE s(i) AS "
            "(SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 30000) "
            "SELECT i, CONCAT('row ', i), i % 7 FROM s"
        )
        cur.execute("CREATE TABLE small_rows (id INTEGER PRIMARY KEY, label VARCHAR(16))")
        cur.execute("INSERT INTO small_rows VALUES (1, 'one'), (2, 'two')")
        cur.execute("ANALYZE TABLE big_rows, small_rows")
        cur.fetchall()
    async with _session(src.url) as session:
        plain = await novelkit.load_sql(session, "SELECT * FROM big_rows")
        grouped = await novelkit.load_sql(
            session, "SELECT n, COUNT(*) AS c FROM big_rows GROUP BY n ORDER BY n"
        )
        small = await novelkit.load_sql(session, "SELECT * FROM small_rows")
        forced = await novelkit.load_sql(session, "SELECT * FROM small_rows", fast=True)
        driver = await novelkit.load_sql(session, "SELECT * FROM big_rows", fast=False)
    assert plain.attrs["novelkit_path"] == "arrow (connectorx-mysql)"
    assert grouped.attrs["novelkit_path"] == "driver"
    assert small.attrs["novelkit_path"] == "driver"
    assert forced.attrs["novelkit_path"] == "arrow (connectorx-mysql)"
    assert_same_frame(plain.sort_values("id", ignore_index=True), driver)
    assert len(plain) == 30_000
    assert grouped["c"].sum() == 30_000


def _running_statements(db: MySQLDatabase, marker: str) -> list[tuple[int, str]]:
    """Server threads whose statement holds ``marker`` (seen through the admin account)."""
    with db.connect(admin=True) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, info FROM information_schema.processlist "
            "WHERE info LIKE %s AND info NOT LIKE %s",
            (f"%{marker}%", "%information_schema.processlist%"),
        )
        return [(int(r[0]), str(r[1])) for r in cur.fetchall()]


def _kill_statements(db: MySQLDatabase, marker: str) -> None:
    with db.connect(admin=True) as conn, conn.cursor() as cur:
        for thread, _info in _running_statements(db, marker):
            with contextlib.suppress(Exception):
                cur.execute(f"KILL QUERY {thread}")


@pytest.mark.mysql
@pytest.mark.slow
async def test_a_query_the_probe_would_run_runs_once(mysql_fixture_db: MySQLDatabase) -> None:
    # MariaDB runs a FROM-less select even as a derived table under LIMIT 0, so the
    # column probe would run it once more, untagged: such a query reads through the
    # driver, once, even with fast=True, and the frame says which path it took.
    marker = f"probe_{uuid.uuid4().hex[:12]}"
    seen: set[str] = set()
    async with _session(mysql_fixture_db.ro_url) as session:
        task = asyncio.create_task(
            novelkit.load_sql(session, f"SELECT SLEEP(2) AS {marker}", fast=True)
        )
        while not task.done():
            running = await asyncio.to_thread(_running_statements, mysql_fixture_db, marker)
            seen.update(info for _thread, info in running)
            await asyncio.sleep(0.1)
        frame = await task
    assert frame.attrs["novelkit_path"] == "driver"
    assert list(frame.columns) == [marker]
    assert frame[marker].tolist() == [0]
    assert seen, "the query was never seen running"
    assert not [s for s in seen if "novelkit_columns" in s], seen


#: Queries and whether the probe would run them; each is checked on the live server.
PROBE_RUNS = {
    "SELECT SLEEP({s}) AS s": True,
    "SELECT SLEEP({s}) AS s FROM DUAL": True,
    "SELECT (SELECT SLEEP({s}) FROM novel_projects LIMIT 1) AS n": True,
    "SELECT * FROM (SELECT SLEEP({s}) AS s) AS d": True,
    "WITH c AS (SELECT SLEEP({s}) AS s) SELECT * FROM c": True,
    "WITH c AS (SELECT SLEEP({s}) AS a), d AS (SELECT * FROM c) SELECT * FROM d": True,
    "WITH c AS (SELECT SLEEP({s}) AS a) SELECT * FROM c JOIN novel_projects": True,
    "SELECT id, SLEEP({s}) AS s FROM novel_projects": False,
    "WITH c AS (SELECT id, SLEEP({s}) AS s FROM novel_projects) SELECT * FROM c": False,
    "SELECT id FROM novel_projects UNION SELECT SLEEP({s})": False,
    "SELECT id, (SELECT SLEEP({s})) AS x FROM novel_projects": False,
    "SELECT * FROM (SELECT id, SLEEP({s}) AS s FROM novel_projects) AS d": False,
}


def test_which_queries_the_probe_would_run_offline() -> None:
    from novelkit.sql._arrow import parse_mysql, runs_when_probed

    for query, runs in PROBE_RUNS.items():
        assert runs_when_probed(parse_mysql(query.format(s=1))) is runs, query
    # Unparsable: the probe decides.
    assert runs_when_probed(parse_mysql("SELEC broken ((")) is False
    assert (
        runs_when_probed(parse_mysql("WITH RECURSIVE c AS (SELECT * FROM c) SELECT * FROM c"))
        is False
    )


def test_only_a_plain_read_of_one_table_is_weighed_as_that_table() -> None:
    from novelkit.sql._arrow import parse_mysql, plain_table_read

    plain = plain_table_read(parse_mysql("SELECT id, title FROM novel_projects WHERE id > 'a'"))
    assert plain is not None
    assert [t.name for t in plain.get_final_froms()] == ["novel_projects"]
    for query in (
        "WITH c AS (SELECT 1 AS one) SELECT * FROM novel_projects",
        "SELECT * FROM novel_projects p JOIN users u ON u.id = p.user_id",
        "SELECT user_id, COUNT(*) FROM novel_projects GROUP BY user_id",
        "SELECT DISTINCT user_id FROM novel_projects",
        "SELECT id FROM novel_projects LIMIT 5",
        "SELECT (SELECT 1 FROM users LIMIT 1) FROM novel_projects",
        "SELECT 1",
    ):
        assert plain_table_read(parse_mysql(query)) is None, query
    assert plain_table_read(None) is None


@pytest.mark.slow
def test_which_queries_the_probe_would_run_on_the_server(mysql_fixture_db: MySQLDatabase) -> None:
    # The rule above is MariaDB's behaviour, not a guess: each query, wrapped as the
    # probe wraps it, either sleeps its second (it ran) or returns at once (planned only).
    with mysql_fixture_db.connect() as conn, conn.cursor() as cur:
        for query, runs in PROBE_RUNS.items():
            started = time.monotonic()
            cur.execute(f"SELECT * FROM ({query.format(s=1)}) AS novelkit_columns LIMIT 0")
            cur.fetchall()
            ran = time.monotonic() - started >= 0.9
            assert ran is runs, query


# -- 3. which path, and why not ------------------------------------------------------------


async def test_in_memory_sqlite_is_never_read_by_the_arrow_path() -> None:
    engine = novelkit.create_engine("sqlite+aiosqlite://", read_only=False)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "CREATE TABLE novel_projects (id VARCHAR(36) PRIMARY KEY, title TEXT)"
            )
            await conn.exec_driver_sql("INSERT INTO novel_projects VALUES ('p1', 'One')")
        # A fresh connection for each call: on a read-write engine, a call inside the
        # transaction that an earlier call began would be refused for that reason.
        async with engine.connect() as conn:
            with pytest.raises(ConfigurationError, match="memory"):
                await novelkit.load_sql(conn, "SELECT * FROM novel_projects", fast=True)
        async with engine.connect() as conn:
            with pytest.raises(ConfigurationError, match="memory"):
                await novelkit.load_table(conn, "novel_projects", fast=True)
        async with engine.connect() as conn:
            frame = await novelkit.load_table(conn, "novel_projects")
        async with engine.connect() as conn:
            rows = await novelkit.load_sql(conn, "SELECT * FROM novel_projects")
    finally:
        await engine.dispose()
    assert frame.attrs["novelkit_path"] == "driver"
    assert rows.attrs["novelkit_path"] == "driver"
    assert frame["title"].tolist() == ["One"]


async def test_users_sql_on_sqlite_keeps_the_driver(fixture_sqlite: Path) -> None:
    async with _session(fixture_sqlite) as session:
        with pytest.raises(ConfigurationError, match="SQLite") as caught:
            await novelkit.load_sql(session, "SELECT id FROM chapters", fast=True)
        with pytest.raises(ConfigurationError, match="SQLite"):
            async for _chunk in novelkit.iter_sql(session, "SELECT id FROM chapters", fast=True):
                pass
        default = await novelkit.load_sql(session, "SELECT id FROM chapters ORDER BY id")
        chapters = await novelkit.load_chapters(session)
    assert "fast=True" in str(caught.value)
    assert default.attrs["novelkit_path"] == "driver"
    assert chapters.attrs["novelkit_path"] == "arrow (adbc-sqlite)"


@pytest.mark.mysql
async def test_users_sql_with_bound_parameters_keeps_the_driver(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    query = "SELECT id, status FROM chapters WHERE status = :status ORDER BY id"
    async with _session(mysql_fixture_db.ro_url) as session:
        with pytest.raises(ConfigurationError, match="parameters"):
            await novelkit.load_sql(session, query, {"status": "successful"}, fast=True)
        default = await novelkit.load_sql(session, query, {"status": "successful"})
        literal = await novelkit.load_sql(
            session, query.replace(":status", "'successful'"), fast=True
        )
    assert default.attrs["novelkit_path"] == "driver"
    assert literal.attrs["novelkit_path"].startswith("arrow")
    pd.testing.assert_frame_equal(default, literal)
    assert len(default) > 0


def test_connect_fast_false_makes_the_driver_the_default(fixture_sqlite: Path) -> None:
    with novelkit.connect(fixture_sqlite, fast=False) as db:
        default = db.outlines()
        forced = db.outlines(fast=True)
        tables = db.table("chapters")
    with novelkit.connect(fixture_sqlite) as db:
        arrow_default = db.outlines()
        driver = db.outlines(fast=False)
    assert default.attrs["novelkit_path"] == "driver"
    assert tables.attrs["novelkit_path"] == "driver"
    assert forced.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert arrow_default.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert driver.attrs["novelkit_path"] == "driver"
    pd.testing.assert_frame_equal(default, arrow_default)


async def test_create_engine_fast_sets_the_default_and_checks_it(fixture_sqlite: Path) -> None:
    with pytest.raises(ConfigurationError, match="fast"):
        novelkit.create_engine(fixture_sqlite, fast="yes")  # type: ignore[arg-type]
    # 1 and 0 equal True and False, but are refused here as the loaders refuse them.
    for number in (1, 0):
        with pytest.raises(ConfigurationError, match=f"fast={number} is not valid"):
            novelkit.create_engine(fixture_sqlite, fast=number)  # type: ignore[arg-type]
    async with _session(fixture_sqlite, fast=False) as session:
        off = await novelkit.load_outlines(session)
        on = await novelkit.load_outlines(session, fast=True)
    async with _session(fixture_sqlite, fast=True) as session:
        insisted = await novelkit.load_outlines(session)
        with pytest.raises(ConfigurationError, match="SQLite"):
            await novelkit.load_sql(session, "SELECT 1 AS one")
        allowed = await novelkit.load_sql(session, "SELECT 1 AS one", fast=False)
    assert off.attrs["novelkit_path"] == "driver"
    assert on.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert insisted.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert allowed.attrs["novelkit_path"] == "driver"


async def test_an_engine_novelkit_did_not_make_keeps_the_driver(fixture_sqlite: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{fixture_sqlite}")
    try:
        async with engine.connect() as conn:
            default = await novelkit.load_outlines(conn)
            with pytest.raises(ConfigurationError, match="create_engine"):
                await novelkit.load_outlines(conn, fast=True)
    finally:
        await engine.dispose()
    assert default.attrs["novelkit_path"] == "driver"


@pytest.mark.mysql
async def test_a_read_write_engine_in_an_open_transaction_keeps_the_driver(
    mysql_db: MySQLDatabase,
) -> None:
    """The caller's uncommitted rows are seen only by its own connection: the driver's."""
    load_mysql_dump(mysql_db)
    engine = novelkit.create_engine(mysql_db.url, read_only=False)
    try:
        async with engine.connect() as conn:
            before = await novelkit.load_outlines(conn, fast=True)
            await conn.rollback()
            await conn.execute(
                sa.text(
                    "INSERT INTO chapter_outlines (project_id, chapter_number, title) "
                    "VALUES (:p, 9999, 'uncommitted')"
                ),
                {"p": before["project_id"].iloc[0]},
            )
            inside = await novelkit.load_outlines(conn)
            with pytest.raises(ConfigurationError, match="transaction"):
                await novelkit.load_outlines(conn, fast=True)
            await conn.rollback()
            after = await novelkit.load_outlines(conn, fast=True)
    finally:
        await engine.dispose()
    assert before.attrs["novelkit_path"].startswith("arrow")
    assert inside.attrs["novelkit_path"] == "driver"
    assert "uncommitted" in set(inside["title"].dropna())
    assert len(inside) == len(before) + 1
    assert after.attrs["novelkit_path"].startswith("arrow")
    pd.testing.assert_frame_equal(after, before)


async def test_sqlite_read_write_engines_keep_the_driver(fixture_sqlite: Path) -> None:
    """A read-write engine on a SQLite file keeps the driver, and so does a read-only one
    on the same file while it lives (closing ADBC's copy of the file would drop its locks)."""
    writer = novelkit.create_engine(fixture_sqlite, read_only=False)
    try:
        async with novelkit.open_session(writer) as session:
            with pytest.raises(ConfigurationError, match="read-write"):
                await novelkit.load_outlines(session, fast=True)
            written = await novelkit.load_outlines(session)
        async with _session(fixture_sqlite) as session:
            with pytest.raises(ConfigurationError, match="read-write"):
                await novelkit.load_outlines(session, fast=True)
            beside = await novelkit.load_outlines(session)
    finally:
        await writer.dispose()
    del writer
    gc.collect()
    async with _session(fixture_sqlite) as session:
        alone = await novelkit.load_outlines(session)
    assert written.attrs["novelkit_path"] == "driver"
    assert beside.attrs["novelkit_path"] == "driver"
    assert alone.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    pd.testing.assert_frame_equal(alone, written)


async def test_sqlite_wal_files_keep_the_driver_unless_snapshot(fixture_sqlite: Path) -> None:
    conn = sqlite3.connect(fixture_sqlite)
    try:
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    finally:
        conn.close()
    async with _session(fixture_sqlite) as session:
        with pytest.raises(ConfigurationError, match="WAL"):
            await novelkit.load_outlines(session, fast=True)
        default = await novelkit.load_outlines(session)
    with novelkit.connect(fixture_sqlite, snapshot=True) as db:
        snapshot = db.outlines()
    assert default.attrs["novelkit_path"] == "driver"
    assert snapshot.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    pd.testing.assert_frame_equal(snapshot, default)


async def test_a_read_only_session_keeps_the_arrow_path_call_after_call(
    fixture_sqlite: Path,
) -> None:
    async with _session(fixture_sqlite) as session:
        first = await novelkit.load_chapters(session)
        assert session.in_transaction()
        second = await novelkit.load_chapters(session, fast=True)
    assert first.attrs["novelkit_path"] == second.attrs["novelkit_path"] == "arrow (adbc-sqlite)"


async def test_the_path_is_logged_on_novelkit_arrow(
    fixture_sqlite: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="novelkit.arrow")
    async with _session(fixture_sqlite) as session:
        outlines = await novelkit.load_outlines(session)
    arrow_lines = [r.getMessage() for r in caplog.records if r.name == "novelkit.arrow"]
    # (The rows are counted as they are handed over: the reader keeps none of them.)
    assert f"arrow path (adbc-sqlite): {len(outlines)} rows" in arrow_lines, arrow_lines
    caplog.clear()
    async with _session("sqlite+aiosqlite://") as session:
        await novelkit.load_sql(session, "SELECT 1 AS one")
    driver_lines = [r.getMessage() for r in caplog.records if r.name == "novelkit.arrow"]
    assert any("driver path" in line and "memory" in line for line in driver_lines), driver_lines
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "novelkit.arrow")


# TLS and unix sockets need a server that has them: a private mariadbd (tests/mariadb_server.py).

PRIVATE_DB = "nkarrow"
PRIVATE_USER = "nk_arrow"
#: Every character that must be URL-encoded, so that scrubbing is tested in each form.
PRIVATE_PASSWORD = "arr:P@ss/w%rd-7"


@dataclass(frozen=True)
class PrivateServer:
    server: Any  # mariadb_server.PrivateMariaDB
    url: sa.engine.URL
    ca: Path


@pytest.fixture(scope="module")
def private_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateServer]:
    """A mariadbd of our own with TLS (trustme CA), a unix socket and a small table."""
    import os

    from mariadb_server import PrivateMariaDB, TLSFiles, missing_binaries

    missing = missing_binaries()
    if missing:
        message = f"a private MariaDB server needs {', '.join(missing)}"
        if os.environ.get("NOVELKIT_REQUIRE_MYSQL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    import trustme

    folder = tmp_path_factory.mktemp("arrow-mariadbd")
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    tls = TLSFiles(
        ca=folder / "ca.pem",
        wrong_ca=folder / "ca.pem",
        server_cert=folder / "server-cert.pem",
        server_key=folder / "server-key.pem",
        client_cert=folder / "server-cert.pem",
        client_key=folder / "server-key.pem",
    )
    ca.cert_pem.write_to_path(str(tls.ca))
    server_cert.private_key_pem.write_to_path(str(tls.server_key))
    server_cert.cert_chain_pems[0].write_to_path(str(tls.server_cert))
    server = PrivateMariaDB(folder=folder, tls=tls)
    server.install()
    server.start()
    try:
        url = server.add_account(PRIVATE_USER, PRIVATE_PASSWORD, PRIVATE_DB)
        server.sql(
            f"CREATE USER '{PRIVATE_USER}'@'localhost' IDENTIFIED BY '{PRIVATE_PASSWORD}';\n"
            f"GRANT ALL PRIVILEGES ON `{PRIVATE_DB}`.* TO '{PRIVATE_USER}'@'localhost';\n"
            f"CREATE TABLE `{PRIVATE_DB}`.notes (id INT PRIMARY KEY, body TEXT);\n"
            f"INSERT INTO `{PRIVATE_DB}`.notes VALUES (1, 'one'), (2, 'two'), (3, 'three');\n"
        )
        yield PrivateServer(server, url, tls.ca)
    finally:
        server.stop()


@pytest.mark.mysql
@pytest.mark.slow
async def test_tls_and_unix_socket_engines_keep_the_driver(
    private_tls_server: PrivateServer,
) -> None:
    server = private_tls_server
    socket_url = server.url.set(
        host=None, port=None, query={"unix_socket": str(server.server.socket_path)}
    )
    cases = [
        ("TLS", novelkit.create_engine(server.url, ssl_ca=server.ca)),
        ("unix socket", novelkit.create_engine(socket_url)),
    ]
    for why, engine in cases:
        try:
            async with novelkit.open_session(engine) as session:
                with pytest.raises(ConfigurationError, match=why) as caught:
                    await novelkit.load_sql(session, "SELECT * FROM notes", fast=True)
                default = await novelkit.load_sql(session, "SELECT * FROM notes ORDER BY id")
        finally:
            await engine.dispose()
        assert PRIVATE_PASSWORD not in str(caught.value)
        assert default.attrs["novelkit_path"] == "driver", why
        assert default["body"].tolist() == ["one", "two", "three"]
    plain = novelkit.create_engine(server.url)
    try:
        async with novelkit.open_session(plain) as session:
            fast = await novelkit.load_sql(session, "SELECT * FROM notes ORDER BY id", fast=True)
    finally:
        await plain.dispose()
    assert fast.attrs["novelkit_path"] == "arrow (connectorx-mysql)"


# -- 4. stopping ---------------------------------------------------------------------------

#: Seconds of server work with few rows sent: the cross join is merged into the column
#: probe's LIMIT 0, so only connectorx runs it (about 2 s per 300k rows on this machine;
#: the fourth join makes it minutes: it must be stopped, never finish).
SLOW_JOIN = (
    "SELECT a.id AS a_id, b.id AS b_id, '{marker}' AS marker FROM chapter_versions a "
    "CROSS JOIN chapter_versions b CROSS JOIN chapter_versions c CROSS JOIN chapter_versions d "
    "WHERE MD5(CONCAT(a.content, b.id, c.id, d.id)) = 'never'"
)


#: A quick query that takes the Arrow path with fast=True (a FROM-less one would not).
ONE_ROW_OF_A_TABLE = "SELECT id FROM novel_projects ORDER BY id LIMIT 1"


@pytest.mark.mysql
async def test_mariadb_statement_timeout_on_the_arrow_path(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    marker = f"timeout_{uuid.uuid4().hex[:12]}"
    try:
        async with _session(mysql_fixture_db.ro_url, statement_timeout=0.5) as session:
            started = time.monotonic()
            with pytest.raises(QueryTimeoutError, match=r"statement_timeout \(0\.5 s\)"):
                await asyncio.wait_for(
                    novelkit.load_sql(session, SLOW_JOIN.format(marker=marker), fast=True),
                    HANG_GUARD,
                )
            elapsed = time.monotonic() - started
            # The session is usable at once, on the same path.
            after = await novelkit.load_sql(session, ONE_ROW_OF_A_TABLE, fast=True)
        assert elapsed < 0.5 + MARGIN
        assert after.attrs["novelkit_path"].startswith("arrow")
        assert _running_statements(mysql_fixture_db, marker) == []
    finally:
        _kill_statements(mysql_fixture_db, marker)


@pytest.mark.mysql
async def test_mariadb_statement_timeout_on_the_arrow_path_in_iter_sql(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    marker = f"timeout_iter_{uuid.uuid4().hex[:12]}"
    query = SLOW_JOIN.format(marker=marker)
    try:
        async with _session(mysql_fixture_db.ro_url, statement_timeout=0.5) as session:
            started = time.monotonic()
            # (A panic of connectorx's stream, a BaseException, came through here before
            # commit 575ee5e.)
            with pytest.raises(QueryTimeoutError, match=r"statement_timeout \(0\.5 s\)"):
                async for _chunk in novelkit.iter_sql(
                    session, query, chunksize=10, progress=False, fast=True
                ):
                    pass
            elapsed = time.monotonic() - started
        assert elapsed < 0.5 + MARGIN
    finally:
        _kill_statements(mysql_fixture_db, marker)


@pytest.mark.mysql
async def test_mariadb_sleep_stops_at_the_statement_timeout(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    with novelkit.connect(mysql_fixture_db.ro_url, statement_timeout=0.5) as db:
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            db.sql("SELECT SLEEP(3) AS s", fast=True)
        assert time.monotonic() - started < 0.5 + MARGIN
        assert db.sql("SELECT 2 AS two", fast=True)["two"].tolist() == [2]


async def _cancel_after(make_call: Callable[[], Coroutine[Any, Any, Any]], seconds: float) -> float:
    """Start a call, cancel it after ``seconds``; how long the cancellation took."""
    task = asyncio.create_task(make_call())
    await asyncio.sleep(seconds)
    assert not task.done(), "the call ended before it could be cancelled"
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, HANG_GUARD)
    return time.monotonic() - started


async def _gone(db: MySQLDatabase, marker: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while _running_statements(db, marker):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


@pytest.mark.mysql
async def test_cancelling_an_arrow_read_stops_it_on_the_server(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    """A read-write engine: the KILL QUERY for the tagged statement goes through."""
    db = mysql_fixture_db
    marker = f"cancel_{uuid.uuid4().hex[:12]}"
    query = SLOW_JOIN.format(marker=marker)
    engine = novelkit.create_engine(db.url, read_only=False)
    try:

        async def run() -> Any:
            async with engine.connect() as conn:
                return await novelkit.load_sql(conn, query, fast=True)

        task = asyncio.create_task(run())
        assert await _appears(db, marker, within=10)
        took = await _cancel_task(task)
        assert took < PROMPT
        assert await _gone(db, marker, within=PROMPT), _running_statements(db, marker)
        async with engine.connect() as conn:
            again = await novelkit.load_sql(conn, ONE_ROW_OF_A_TABLE, fast=True)
        assert again.attrs["novelkit_path"].startswith("arrow")
    finally:
        await _settle(db, marker)
        await engine.dispose()


#: A few seconds of server work before the first (and only, empty) batch, which then
#: ends by itself: the three-way join of SLOW_JOIN.
SELF_ENDING_JOIN = (
    "SELECT a.id AS a_id, '{marker}' AS marker FROM chapter_versions a "
    "CROSS JOIN chapter_versions b CROSS JOIN chapter_versions c "
    "WHERE MD5(CONCAT(a.content, b.id, c.id)) = 'never'"
)


@pytest.mark.mysql
async def test_iter_sql_on_the_arrow_path_leaves_the_event_loop_running(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    marker = f"freeze_{uuid.uuid4().hex[:12]}"
    query = SELF_ENDING_JOIN.format(marker=marker)
    ticks: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.05)

    try:
        async with _session(mysql_fixture_db.ro_url) as session:
            ticker = asyncio.create_task(tick())
            started = time.monotonic()
            chunks = [
                c
                async for c in novelkit.iter_sql(
                    session, query, chunksize=10, progress=False, fast=True
                )
            ]
            took = time.monotonic() - started
            done.set()
            await ticker
    finally:
        _kill_statements(mysql_fixture_db, marker)
    assert chunks == []
    assert took > 1.0, f"the query took only {took:.2f} s: nothing to see"
    longest = max(b - a for a, b in itertools.pairwise(ticks))
    assert longest < 1.0, f"the event loop stood still for {longest:.1f} s"


async def _settle(db: MySQLDatabase, marker: str) -> None:
    """Let a cancelled read's worker end and its future be collected now.

    A worker future whose exception nobody retrieved logs 'Future exception was never
    retrieved' (with a traceback) when the garbage collector takes it; if that happens
    inside another ast.parse (pytest's assertion rewriting, IPython's cell parsing), the
    traceback module's own ast.parse corrupts CPython 3.11's AST recursion counter and
    the outer parse fails with 'SystemError: AST constructor recursion depth mismatch'.
    """
    _kill_statements(db, marker)
    await _gone(db, marker, within=PROMPT)
    await asyncio.sleep(0.5)
    gc.collect()
    await asyncio.sleep(0)
    gc.collect()


async def _appears(db: MySQLDatabase, marker: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while not _running_statements(db, marker):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    return True


async def _cancel_task(task: asyncio.Task[Any]) -> float:
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, HANG_GUARD)
    return time.monotonic() - started


@pytest.mark.mysql
@pytest.mark.slow
async def test_cancelling_an_arrow_read_on_a_read_only_engine_stops_it(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    db = mysql_fixture_db
    marker = f"cancel_ro_{uuid.uuid4().hex[:12]}"
    query = SLOW_JOIN.format(marker=marker)
    try:
        async with _session(db.ro_url) as session:
            task = asyncio.create_task(novelkit.load_sql(session, query, fast=True))
            assert await _appears(db, marker, within=10)
            took = await _cancel_task(task)
        gone = await _gone(db, marker, within=PROMPT)
        assert took < PROMPT, f"the cancellation took {took:.1f} s"
        assert gone, "the statement kept running on the server"
    finally:
        await _settle(db, marker)


@pytest.mark.mysql
async def test_a_cancelled_arrow_read_leaves_no_unretrieved_exception(
    mysql_fixture_db: MySQLDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    db = mysql_fixture_db
    marker = f"cancel_log_{uuid.uuid4().hex[:12]}"
    query = SLOW_JOIN.format(marker=marker)
    caplog.set_level(logging.ERROR, logger="asyncio")
    engine = novelkit.create_engine(db.url, read_only=False)
    try:

        async def run() -> Any:
            async with engine.connect() as conn:
                return await novelkit.load_sql(conn, query, fast=True)

        task = asyncio.create_task(run())
        assert await _appears(db, marker, within=10)
        await _cancel_task(task)
        del task
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0.1)
    finally:
        _kill_statements(db, marker)
        await engine.dispose()
    unretrieved = [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert unretrieved == []


@pytest.mark.mysql
async def test_falling_back_from_connectorx_writes_nothing_to_stderr(
    mysql_fixture_db: MySQLDatabase, capfd: pytest.CaptureFixture[str]
) -> None:
    async with _session(mysql_fixture_db.ro_url) as session:
        capfd.readouterr()
        frame = await novelkit.load_sql(
            session, "SELECT id, POINT(1, 2) AS spot FROM novel_projects ORDER BY id", fast=True
        )
    err = capfd.readouterr().err
    assert frame.attrs["novelkit_path"] == "driver"
    assert "panicked" not in err, err[:500]


# SQLite: a file whose version texts take a second or more to load.

#: Rows of chapter_versions (the tiny demo's texts are long): even `load_table`, the
#: quickest call, reads them in more than 0.25 s (it took 0.24 s with 16,000 rows once
#: the Arrow path checked text batch by batch beside the read).
BIG_VERSIONS = 40_000


@pytest.fixture(scope="module")
def big_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.db"
    novelkit.build_demo(path, scale="tiny", progress=False)
    gc.collect()  # the demo's read-write engine, gone: it would keep the Arrow path off
    _to_rollback_journal(path)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        while (n := conn.execute("SELECT COUNT(*) FROM chapter_versions").fetchone()[0]) < (
            BIG_VERSIONS
        ):
            conn.execute(
                "INSERT INTO chapter_versions (chapter_id, version_label, provider, content, "
                "metadata, created_at) SELECT chapter_id, version_label, provider, content, "
                f"NULL, created_at FROM chapter_versions LIMIT {BIG_VERSIONS - n}"
            )
            conn.commit()
    finally:
        conn.close()
    return path


_WRITER = """
import sqlite3, sys
writer = sqlite3.connect(sys.argv[1], timeout=0)
try:
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("UPDATE novel_projects SET title = title")
    writer.rollback()
except sqlite3.OperationalError as exc:
    print(exc)
    sys.exit(3)
finally:
    writer.close()
"""


def _writer_gets_the_file(path: Path) -> None:
    """A writer in another process takes the file at once: no read lock was left behind.

    Another process: POSIX locks belong to a process, and the ADBC driver carries its
    own copy of SQLite, so a writer in this process would not see its locks at all.
    """
    done = subprocess.run(
        [sys.executable, "-c", _WRITER, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"the file is still locked: {done.stdout}{done.stderr}"


@pytest.mark.slow
@pytest.mark.parametrize("call", ["versions", "table", "iter_frames"])
async def test_cancelling_a_big_sqlite_load_on_the_arrow_path(big_sqlite: Path, call: str) -> None:
    async with _session(big_sqlite) as session:

        async def load() -> Any:
            if call == "versions":
                return await novelkit.load_versions(session, content=True, fast=True)
            if call == "table":
                return await novelkit.load_table(session, "chapter_versions", fast=True)
            return [
                c
                async for c in novelkit.iter_frames(
                    session, "chapter_versions", chunksize=8000, content=True, fast=True
                )
            ]

        started = time.monotonic()
        whole = await asyncio.wait_for(load(), HANG_GUARD)
        control = time.monotonic() - started
        assert control > 0.25, f"the load took only {control:.2f} s: nothing left to cancel"
        took = await _cancel_after(load, min(0.3, control / 3))
        assert took < PROMPT, f"the cancellation took {took:.1f} s"
        _writer_gets_the_file(big_sqlite)
        again = await novelkit.load_versions(session, fast=True)
    assert again.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert len(whole) > 0


@pytest.mark.slow
async def test_a_tiny_sqlite_statement_timeout_stops_the_arrow_read(big_sqlite: Path) -> None:
    async with _session(big_sqlite, statement_timeout=0.001) as session:
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match=r"statement_timeout \(0\.001 s\)"):
            await asyncio.wait_for(
                novelkit.load_versions(session, content=True, fast=True), HANG_GUARD
            )
        assert time.monotonic() - started < PROMPT
    _writer_gets_the_file(big_sqlite)


# -- 6. secrets ------------------------------------------------------------------------------


def _password_forms(password: str) -> list[str]:
    return [password, quote(password, safe=""), quote_plus(password)]


@pytest.mark.mysql
async def test_an_error_on_the_arrow_path_never_shows_the_password(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    """The read-write account's password has every character that gets URL-encoded."""
    db = mysql_fixture_db
    password = db.url.password
    assert password
    async with _session(db.url) as session:
        with pytest.raises(QueryError) as missing:
            await novelkit.load_sql(session, "SELECT * FROM no_such_table", fast=True)
    # A connectorx error proper: the tagged read is killed while it runs.
    marker = f"secret_{uuid.uuid4().hex[:12]}"
    engine = novelkit.create_engine(db.url)
    try:
        async with novelkit.open_session(engine) as session:
            task = asyncio.create_task(
                novelkit.load_sql(session, SLOW_JOIN.format(marker=marker), fast=True)
            )
            assert await _appears(db, marker, within=10)
            _kill_statements(db, marker)
            with pytest.raises(QueryError) as killed:
                await asyncio.wait_for(task, HANG_GUARD)
    finally:
        _kill_statements(db, marker)
        await engine.dispose()
    assert "Arrow path" in str(killed.value)
    for error in (missing.value, killed.value):
        text = f"{error} {error!r} {getattr(error, 'db_message', '')} {error.args}"
        for form in _password_forms(password):
            assert form not in text


@pytest.mark.mysql
@pytest.mark.slow
async def test_a_connectorx_login_failure_never_shows_the_password(
    private_tls_server: PrivateServer,
) -> None:
    """The password changes while the engine's pooled connection lives: only fresh
    connections are refused (the login novelkit makes before handing the read to
    connectorx), and no form of the password shows in the error."""
    server = private_tls_server
    user = f"nk_pw_{uuid.uuid4().hex[:6]}"
    url = server.server.add_account(user, PRIVATE_PASSWORD, PRIVATE_DB)
    engine = novelkit.create_engine(url, connect_timeout=2)
    try:
        async with novelkit.open_session(engine) as session:
            first = await novelkit.load_sql(session, "SELECT * FROM notes", fast=True)
            server.server.sql(f"ALTER USER '{user}'@'127.0.0.1' IDENTIFIED BY 'changed-pw-9';")
            with pytest.raises(NovelkitError) as caught:
                await asyncio.wait_for(
                    novelkit.load_sql(session, "SELECT * FROM notes", fast=True), HANG_GUARD
                )
    finally:
        await engine.dispose()
    assert first.attrs["novelkit_path"] == "arrow (connectorx-mysql)"
    error = caught.value
    text = f"{error} {error!r} {getattr(error, 'db_message', '')} {error.args}"
    for form in _password_forms(PRIVATE_PASSWORD):
        assert form not in text


@pytest.mark.mysql
@pytest.mark.slow
async def test_a_connectorx_login_failure_is_an_authentication_error_within_connect_timeout(
    private_tls_server: PrivateServer,
) -> None:
    """connectorx's own pool would retry a refused login for about 30 s: novelkit logs in
    once through the driver first, so the call fails as the driver path does."""
    server = private_tls_server
    user = f"nk_pw_{uuid.uuid4().hex[:6]}"
    url = server.server.add_account(user, PRIVATE_PASSWORD, PRIVATE_DB)
    engine = novelkit.create_engine(url, connect_timeout=2)
    try:
        async with novelkit.open_session(engine) as session:
            await novelkit.load_sql(session, "SELECT * FROM notes", fast=True)
            server.server.sql(f"ALTER USER '{user}'@'127.0.0.1' IDENTIFIED BY 'changed-pw-9';")
            started = time.monotonic()
            # Awaited to its end (no wait_for): a cancelled worker would go on in the
            # background and outlive the test.
            with pytest.raises(NovelkitError) as caught:
                await novelkit.load_sql(session, "SELECT * FROM notes", fast=True)
            took = time.monotonic() - started
    finally:
        await engine.dispose()
    assert isinstance(caught.value, novelkit.AuthenticationError), repr(caught.value)
    assert took < 2 + MARGIN, f"the login failure took {took:.1f} s"


SECRET_TABLES = ("llm_configs", "users", "system_configs")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
async def test_api_keys_stay_redacted_on_the_arrow_path(
    request: pytest.FixtureRequest, backend: str
) -> None:
    if backend == "sqlite":
        src = sqlite_source(request.getfixturevalue("fixture_sqlite"))
    else:
        src = mysql_source(request.getfixturevalue("mysql_fixture_db"))
    secrets = {
        str(r["k"]) for r in src.rows("SELECT llm_provider_api_key AS k FROM llm_configs") if r["k"]
    }
    secrets |= {str(r["h"]) for r in src.rows("SELECT hashed_password AS h FROM users") if r["h"]}
    secrets |= {
        str(r["value"])
        for r in src.rows("SELECT `key`, value FROM system_configs")
        if "key" in str(r["key"]).lower() and r["value"]
    }
    assert secrets, "the fixture has keys to hide"
    async with _session(src.url) as session:
        frames = [await novelkit.load_users(session, fast=True)]
        for table in SECRET_TABLES:
            fast = await novelkit.load_table(session, table, fast=True)
            driver = await novelkit.load_table(session, table, fast=False)
            assert_same_frame(fast, driver)
            assert fast.attrs["novelkit_path"].startswith("arrow")
            frames.append(fast)
            frames.extend(
                [
                    c
                    async for c in novelkit.iter_frames(
                        session, table, chunksize=2, progress=False, fast=True
                    )
                ]
            )
            table_out = await novelkit.load_table(session, table, fast=True, to="arrow")
            frames.append(table_out.to_pandas())
    shown = {str(v) for frame in frames for v in frame.astype(str).to_numpy().ravel()}
    assert not secrets & shown
    keys = frames[1]["llm_provider_api_key"].dropna().tolist()
    assert keys
    assert set(keys) == {"[redacted]"}


async def test_json_parsed_a_slice_at_a_time_on_the_arrow_path(
    fixture_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On the Arrow path a JSON column is parsed batch by batch as ADBC reads on, a
    # slice at a time (its bytes never all exist beside the parsed values): values
    # that are not JSON, in several slices and batches, are kept as stored and counted
    # in one warning, as on the driver path.
    from novelkit.loaders import _convert

    with sqlite3.connect(fixture_sqlite) as conn:
        project = conn.execute("SELECT id FROM novel_projects ORDER BY id LIMIT 1").fetchone()[0]
        rows = [
            (project, 10_000 + i, f"t{i}", None if i % 11 else "not json" if i % 2 else "NaN")
            for i in range(500)
        ]
        conn.executemany(
            "INSERT INTO chapter_outlines (project_id, chapter_number, title, metadata) "
            "VALUES (?, ?, ?, ?)",
            [(p, n, t, m if m is not None else json.dumps({"n": n})) for p, n, t, m in rows],
        )
    broken = sum(1 for *_rest, m in rows if m == "not json")
    monkeypatch.setattr(_convert, "JSON_SLICE", 64)
    async with _session(fixture_sqlite) as session:
        with pytest.warns(StoredValueWarning) as fast_warnings:
            fast = await novelkit.load_outlines(session, fast=True)
        with pytest.warns(StoredValueWarning) as driver_warnings:
            driver = await novelkit.load_outlines(session, fast=False)
    assert fast.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
    assert_same_frame(fast, driver)
    said = [str(w.message) for w in fast_warnings if "JSON" in str(w.message)]
    assert said == [str(w.message) for w in driver_warnings if "JSON" in str(w.message)]
    assert len(said) == 1
    assert f": {broken} stored value(s) are not valid JSON" in said[0]
    assert (fast["metadata"] == "not json").sum() == broken
    assert fast["metadata"].map(lambda v: isinstance(v, float) and v != v).sum() == 23


def test_json_columns_are_parsed_as_their_batches_are_added() -> None:
    """``ArrowColumns`` parses a JSON column batch by batch (beside the ADBC read),
    keeps no stored text of it, and counts values that are not JSON for the loader's
    one warning; an empty result still names the column as parsed."""
    from novelkit.arrow._columns import ArrowColumns

    def batch(values: list[str | None]) -> pa.RecordBatch:
        stored = [None if v is None else v.encode() for v in values]
        return pa.record_batch({"meta": pa.array(stored, pa.large_binary())})

    arrival = [batch(['{"a": 1}', None]), batch(["not json", "[1, 2]"]), batch(["NaN"])]
    columns = ArrowColumns(json=["meta"])
    for each in arrival:
        columns.add(each)
    assert "meta" not in columns.chunks
    fetched = columns.fetched(pa.Table.from_batches(arrival))
    values = fetched.columns["meta"].tolist()
    assert values[:4] == [{"a": 1}, None, "not json", [1, 2]]
    assert values[4] != values[4]  # NaN as json.dumps writes it: a float NaN
    assert fetched.parsed_json == {"meta": 1}

    empty = pa.Table.from_batches([], schema=arrival[0].schema)
    fetched = ArrowColumns(json=["meta"]).fetched(empty)
    assert fetched.columns["meta"].tolist() == []
    assert fetched.parsed_json == {"meta": 0}


def _record_connectorx(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements connectorx is given from now on (the test's end undoes it)."""
    from novelkit.arrow import _mysql

    statements: list[str] = []
    original_read = _mysql.ConnectorxMysqlReader._connectorx

    def recording_read(self: Any, sql: str, options: dict[str, Any]) -> Any:
        statements.append(sql)
        return original_read(self, sql, options)

    monkeypatch.setattr(_mysql.ConnectorxMysqlReader, "_connectorx", recording_read)
    return statements


@pytest.mark.mysql
async def test_mariadb_loads_read_in_key_ranges_match_the_driver(
    mysql_fixture_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On MariaDB a loader's large read is cut into key ranges, read two at a time and
    handed over in key order as each comes in: the frames are the driver path's."""
    from novelkit.arrow import _columns, _mysql

    monkeypatch.setattr(_mysql, "RANGES", 5)
    statements = _record_connectorx(monkeypatch)
    added: list[int] = []
    original_add = _columns.ArrowColumns.add

    def counting_add(self: Any, data: Any) -> None:
        added.append(data.num_rows)
        original_add(self, data)

    monkeypatch.setattr(_columns.ArrowColumns, "add", counting_add)
    async with _session(mysql_fixture_db.ro_url) as session:
        for call, reads in (
            (lambda fast: novelkit.load_outlines(session, fast=fast), 1),
            (lambda fast: novelkit.load_versions(session, content=True, fast=fast), 1),
            # The chapters, then the join giving each one's selected text and versions.
            (lambda fast: novelkit.load_chapters(session, fast=fast), 2),
        ):
            statements.clear()
            added.clear()
            fast = await call(True)
            assert fast.attrs["novelkit_path"].startswith("arrow (connectorx")
            ranged = [s for s in statements if "AS novelkit_rows WHERE" in s]
            assert len(ranged) == 5 * reads, statements
            assert len(added) >= 5 * reads
            assert_same_frame(fast, await call(False))


@pytest.mark.mysql
async def test_a_ranged_mariadb_read_hands_over_every_row_and_keeps_none(
    mysql_fixture_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key range's batches go to ``on_batch`` in key order; the reader lets go of
    them (the table it returns has the columns and no rows), so what ``on_batch``
    replaces, such as JSON text parsed into objects, is not held until the read ends."""
    from novelkit.arrow import _mysql

    monkeypatch.setattr(_mysql, "RANGES", 3)
    statements = _record_connectorx(monkeypatch)
    engine = novelkit.create_engine(mysql_fixture_db.ro_url)
    reader = _mysql.ConnectorxMysqlReader(engine, read_only=True, statement_timeout=None)
    sql = "SELECT id, title, metadata FROM chapter_outlines"
    batches: list[pa.RecordBatch] = []
    try:
        tag = _mysql.new_tag()
        empty = await reader.read(
            f"{sql} WHERE '{tag}' IS NOT NULL", tag=tag, partition_on="id", on_batch=batches.append
        )
        whole = await reader.read(f"{sql} ORDER BY id", tag=_mysql.new_tag())
    finally:
        await engine.dispose()
    assert len([s for s in statements if "AS novelkit_rows WHERE" in s]) == 3, statements
    assert empty.num_rows == 0
    assert empty.schema == whole.schema
    assert whole.num_rows > 0
    assert pa.Table.from_batches(batches, schema=whole.schema).equals(whole)


@pytest.mark.mysql
async def test_cancelling_a_ranged_mariadb_read_stops_it_on_the_server(
    mysql_fixture_db: MySQLDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    """A read cut into key ranges (``on_batch``), cancelled while the server works on it,
    is stopped on the server and ends promptly, and the killed ranges' errors are
    retrieved (not printed as "Future exception was never retrieved")."""
    from novelkit.arrow._mysql import ConnectorxMysqlReader, new_tag

    db = mysql_fixture_db
    marker = f"cancel_ranges_{uuid.uuid4().hex[:12]}"
    engine = novelkit.create_engine(db.ro_url)
    tag = new_tag()
    reader = ConnectorxMysqlReader(engine, read_only=True, statement_timeout=None)
    batches: list[pa.RecordBatch] = []
    try:
        task = asyncio.create_task(
            reader.read(
                f"SELECT * FROM ({SLOW_JOIN.format(marker=marker)}) AS slow "
                f"WHERE '{tag}' IS NOT NULL",
                tag=tag,
                partition_on="a_id",
                on_batch=batches.append,
            )
        )
        appeared = await _appears(db, marker, within=10)
        assert appeared, task.exception() if task.done() else "not running"
        took = await _cancel_task(task)
        assert took < PROMPT, f"the cancellation took {took:.1f} s"
        assert await _gone(db, marker, within=PROMPT), _running_statements(db, marker)
        assert batches == []
    finally:
        await _settle(db, marker)
        await engine.dispose()
    await asyncio.sleep(0.5)  # the ranges' outcomes arrive
    gc.collect()
    await asyncio.sleep(0)
    unretrieved = [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()]
    assert not unretrieved, unretrieved


@pytest.mark.mysql
async def test_mariadb_long_text_goes_to_connectorx_as_text(
    mysql_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver path selects long text and JSON as their UTF-8 bytes (``BINARY``);
    connectorx gets the plain columns, builds the strings itself and reads a column of
    another character set as the server converts it (its bytes would not be UTF-8)."""

    load_mysql_dump(mysql_db)
    src = mysql_source(mysql_db)
    statements = _record_connectorx(monkeypatch)
    async with _session(src.url) as session:
        fast = await novelkit.load_outlines(session, fast=True)
        driver = await novelkit.load_outlines(session, fast=False)
        texts = await novelkit.load_versions(session, content=True, fast=True)
    assert fast.attrs["novelkit_path"].startswith("arrow (connectorx")
    assert texts.attrs["novelkit_path"].startswith("arrow (connectorx")
    read = " ".join(s for s in statements if "chapter_outlines" in s or "content" in s)
    for column in ("`summary`", "`metadata`", "`content`"):
        assert column in read
    assert "BINARY" not in read.upper(), read
    assert fast["metadata"].map(lambda v: isinstance(v, dict)).any()
    assert_same_frame(fast, driver)

    src.execute(
        "UPDATE chapter_outlines SET summary = CONCAT('caf', CHAR(233 USING latin1), ' ', id)",
        "ALTER TABLE chapter_outlines MODIFY summary TEXT CHARACTER SET latin1",
    )
    async with _session(src.url) as session:
        latin1 = await novelkit.load_outlines(session, fast=True)
    assert latin1.attrs["novelkit_path"].startswith("arrow (connectorx")
    assert (latin1["summary"] == "café " + latin1["id"].astype(str)).all()


@pytest.mark.mysql
async def test_mariadb_latin1_text_reads_the_same_on_both_paths(mysql_db: MySQLDatabase) -> None:
    """Text of another character set than UTF-8 (a ``latin1`` column, or a column that
    takes its ``latin1`` table's default) is selected as text on the driver path too:
    its bytes are not UTF-8, so as ``BINARY`` they came out as U+FFFD."""

    load_mysql_dump(mysql_db)
    src = mysql_source(mysql_db)
    cafe = "CONCAT('caf', CHAR(233 USING latin1), ' ', id)"
    src.execute(
        f"UPDATE chapter_outlines SET summary = {cafe}",
        "ALTER TABLE chapter_outlines MODIFY summary TEXT CHARACTER SET latin1",
        f"UPDATE chapter_versions SET content = {cafe}",
        # The column declares no character set of its own: it takes the table's.
        "ALTER TABLE chapter_versions MODIFY content LONGTEXT CHARACTER SET latin1, "
        "DEFAULT CHARSET = latin1",
        "ALTER TABLE chapter_versions MODIFY content LONGTEXT",
    )
    created = src.rows("SHOW CREATE TABLE chapter_versions")[0]["Create Table"]
    assert "DEFAULT CHARSET=latin1" in created
    assert "`content` longtext DEFAULT" in created
    async with _session(src.url) as session:
        outlines = await novelkit.load_outlines(session, fast=False)
        versions = await novelkit.load_versions(session, content=True, fast=False)
        chapters = await novelkit.load_chapters(session, fast=False)
        fast_outlines = await novelkit.load_outlines(session, fast=True)
        fast_versions = await novelkit.load_versions(session, content=True, fast=True)
        fast_chapters = await novelkit.load_chapters(session, fast=True)
    assert (outlines["summary"] == "café " + outlines["id"].astype(str)).all()
    assert (versions["content"] == "café " + versions["id"].astype(str)).all()
    assert (versions["chars"] == versions["content"].str.len()).all()
    assert versions["cjk_chars_plus_words"].eq(1).all()  # "caf": é is no [A-Za-z]
    selected = versions[versions["is_selected"]].set_index("chapter_id")["chars"]
    written = chapters.dropna(subset=["selected_version_id"]).set_index("id")["selected_chars"]
    assert len(written) > 0
    assert written.to_dict() == selected.loc[written.index].to_dict()
    assert_same_frame(fast_outlines, outlines)
    assert_same_frame(fast_versions, versions)
    assert_same_frame(fast_chapters, chapters)


async def _assert_driver_only(
    url: Any, load: Callable[..., Awaitable[pd.DataFrame]], statements: list[str], driver: Any
) -> None:
    """``load`` by default reads through the driver alone (connectorx given nothing),
    into the frame ``driver`` holds."""
    statements.clear()
    async with _session(url) as session:
        small = await load(session)
    assert small.attrs["novelkit_path"] == "driver"
    assert statements == []
    assert_same_frame(small, driver)


@pytest.mark.mysql
async def test_a_join_giving_a_row_per_chapter_is_weighed_by_the_chapters(
    mysql_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fast=None on MariaDB: joins take the driver, but for a loader's join that gives a
    row per row of a large table (``load_chapters``' selected texts), weighed by that
    table's size as its plain read would be."""
    from novelkit.arrow import _choice

    load_mysql_dump(mysql_db)
    with mysql_db.connect() as conn, conn.cursor() as cur:
        cur.execute("ANALYZE TABLE chapters, chapter_outlines, chapter_versions")
        cur.fetchall()
        cur.execute("SELECT COUNT(*) FROM chapters")
        (chapters,) = cur.fetchone()
    src = mysql_source(mysql_db)
    statements = _record_connectorx(monkeypatch)
    # The fixture's tables are small: "large" starts at a few rows here.
    monkeypatch.setattr(_choice, "SMALL_TABLE_ROWS", max(1, chapters // 2))
    async with _session(src.url) as session:
        by_default = await novelkit.load_chapters(session)
        driver = await novelkit.load_chapters(session, fast=False)
        versions = await novelkit.load_sql(
            session,
            "SELECT c.id, v.content FROM chapters c "
            "JOIN chapter_versions v ON v.id = c.selected_version_id",
        )
    assert any("selected_content" in s for s in statements), statements
    assert_same_frame(by_default, driver)
    assert versions.attrs["novelkit_path"] == "driver"  # a join of the user's: few rows

    monkeypatch.setattr(_choice, "SMALL_TABLE_ROWS", chapters * 10)
    await _assert_driver_only(src.url, novelkit.load_chapters, statements, driver)


@pytest.mark.mysql
async def test_a_table_of_few_rows_but_much_text_takes_connectorx(
    mysql_fixture_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fast=None on MariaDB weighs a table by its bytes of data too: chapter versions
    are few rows of long text (InnoDB estimated 25,470 of them at 19,975)."""
    from novelkit.arrow import _choice

    statements = _record_connectorx(monkeypatch)
    monkeypatch.setattr(_choice, "SMALL_TABLE_ROWS", 10**9)  # no table counts by its rows
    monkeypatch.setattr(_choice, "SMALL_TABLE_BYTES", 1)
    async with _session(mysql_fixture_db.ro_url) as session:
        by_bytes = await novelkit.load_versions(session, content=True)
        driver = await novelkit.load_versions(session, content=True, fast=False)
    assert by_bytes.attrs["novelkit_path"].startswith("arrow (connectorx"), statements
    assert any("chapter_versions" in s for s in statements), statements
    assert_same_frame(by_bytes, driver)

    monkeypatch.setattr(_choice, "SMALL_TABLE_BYTES", 1 << 40)
    texts = functools.partial(novelkit.load_versions, content=True)
    await _assert_driver_only(mysql_fixture_db.ro_url, texts, statements, driver)


@pytest.mark.mysql
async def test_row_estimates_are_kept_with_the_engine_for_a_while(
    mysql_fixture_db: MySQLDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fast=None on MariaDB weighs each table by the server's row estimate: asked once
    per table and engine, kept ESTIMATE_SECONDS, forgotten by inspect(refresh=True)."""
    from novelkit.arrow import _choice

    asked: list[str] = []
    engine = novelkit.create_engine(mysql_fixture_db.ro_url)

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "information_schema.TABLES" in statement:
            asked.append(statement)

    async def characters() -> pd.DataFrame:
        async with novelkit.open_session(engine) as session:
            return await novelkit.load_characters(session)

    try:
        first = await characters()
        once = len(asked)
        assert once >= 1  # blueprint_characters (and the novels' ids)
        again = await characters()
        assert len(asked) == once  # the same tables: not asked again
        assert_same_frame(again, first)
        await novelkit.inspect_database(engine, refresh=True)
        await characters()
        assert len(asked) == 2 * once  # forgotten with the schema
        monkeypatch.setattr(_choice, "ESTIMATE_SECONDS", 0.0)
        await characters()
        assert len(asked) == 3 * once  # expired
    finally:
        await engine.dispose()


async def test_sqlite_small_tables_and_a_row_of_counts_take_the_driver(
    fixture_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fast=None on SQLite: a plain read of a table under SQLITE_SMALL_TABLE_ROWS rows
    and a row of scalar subqueries (admin_stats' counts) take the driver (ADBC's own
    connection per statement costs more than their read); larger tables and joins take
    ADBC. Each table is counted once per engine (up to the threshold), and the frames
    are the driver's."""
    from novelkit.arrow import _choice

    with sqlite3.connect(fixture_sqlite) as conn:
        (users,) = conn.execute("SELECT COUNT(*) FROM users").fetchone()
        (outlines,) = conn.execute("SELECT COUNT(*) FROM chapter_outlines").fetchone()
    assert users < outlines
    monkeypatch.setattr(_choice, "SQLITE_SMALL_TABLE_ROWS", users + 1)
    counted: list[str] = []
    engine = novelkit.create_engine(fixture_sqlite)

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT count(*) AS count_1 \nFROM (SELECT 1"):
            counted.append(statement)

    async def load(loader: Callable[..., Awaitable[pd.DataFrame]], **options: Any) -> Any:
        async with novelkit.open_session(engine) as session:
            return await loader(session, **options)

    try:
        small = await load(novelkit.load_users)
        stats = await load(novelkit.load_admin_stats)
        large = await load(novelkit.load_outlines)
        probes = len(counted)
        assert probes >= 2  # users, chapter_outlines (and the tables they join)
        await load(novelkit.load_users)
        await load(novelkit.load_outlines)
        assert len(counted) == probes  # kept with the engine
        assert small.attrs["novelkit_path"] == "driver"
        assert stats.attrs["novelkit_path"] == "driver"
        assert large.attrs["novelkit_path"] == "arrow (adbc-sqlite)"
        assert_same_frame(small, await load(novelkit.load_users, fast=False))
        assert_same_frame(stats, await load(novelkit.load_admin_stats, fast=False))
        assert_same_frame(large, await load(novelkit.load_outlines, fast=False))
        assert (await load(novelkit.load_users, fast=True)).attrs["novelkit_path"] == (
            "arrow (adbc-sqlite)"
        )
    finally:
        await engine.dispose()


def test_only_a_plain_read_of_one_table_is_weighed_by_that_table() -> None:
    """On MySQL a statement goes to connectorx by the size of the one table it reads
    plainly; joins, subqueries and aggregates (few rows) are told apart without
    compiling them where the selected columns already say so."""
    from novelkit.arrow._statements import _single_table

    metadata = sa.MetaData()
    books = sa.Table("books", metadata, sa.Column("id", sa.Integer), sa.Column("title", sa.Text))
    users = sa.Table("users", metadata, sa.Column("id", sa.Integer))
    assert _single_table(sa.select(books.c.id, books.c.title)) == "books"
    assert _single_table(sa.select(books.c.id).where(books.c.id > 3)) == "books"
    assert _single_table(sa.select(books.c.id).join(users, users.c.id == books.c.id)) is None
    assert _single_table(sa.select(books.c.id).where(books.c.id == users.c.id)) is None
    assert _single_table(sa.select(sa.func.count()).select_from(books)) is None
    counts = sa.select(
        sa.select(sa.func.count()).select_from(books).scalar_subquery().label("books"),
        sa.select(sa.func.count()).select_from(users).scalar_subquery().label("users"),
    )
    assert _single_table(counts) is None
    inner = sa.select(books.c.id).subquery()
    assert _single_table(sa.select(inner.c.id)) is None
    assert _single_table(sa.text("SELECT id FROM books")) is None


def test_a_plain_read_in_your_own_sql_is_weighed_by_its_table() -> None:
    """The stand-in for a user's plain ``SELECT * FROM t`` is weighed by ``t``'s size;
    a query that is not a plain read has no stand-in."""
    from novelkit.arrow._statements import _single_table
    from novelkit.sql._arrow import parse_mysql, plain_table_read

    stand_in = plain_table_read(parse_mysql("SELECT * FROM big_rows WHERE n > 2"))
    assert stand_in is not None
    assert _single_table(stand_in) == "big_rows"
    assert plain_table_read(parse_mysql("SELECT n, COUNT(*) FROM big_rows GROUP BY n")) is None
