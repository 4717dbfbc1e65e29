"""Loaders on the ``tiny`` demo database, SQLite and MariaDB, and their parity.

The demo is built once per session on each backend (read it only). Parity: the
same demo loaded from SQLite and from MariaDB through each loader gives equal
frames after only the documented per-backend normalisations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _loaders_support import (
    Source,
    expected_novels,
    mysql_source,
    scratch_database,
    session_on,
    sqlite_source,
)

from novelkit.demo import build_demo
from novelkit.loaders import (
    iter_frames,
    load_activity,
    load_admin_stats,
    load_chapters,
    load_characters,
    load_conversations,
    load_evaluations,
    load_foreshadowings,
    load_novels,
    load_outlines,
    load_relationships,
    load_table,
    load_usage,
    load_users,
    load_versions,
)
from novelkit.schema.reflect import table_names

#: Tables the app cannot write on SQLite (bare BIGINT keys); the demo fills them
#: on MariaDB only (documented in build_demo).
MEMORY_LAYER = {"causal_chains", "character_states", "story_time_trackers", "timeline_events"}


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "tiny.sqlite"
    build_demo(path, scale="tiny", seed=0, generation="fusion", progress=False)
    return path


@pytest.fixture(scope="session")
def demo_mysql() -> Iterator[Any]:
    for db in scratch_database("demo"):
        build_demo(db.url, scale="tiny", seed=0, generation="fusion", progress=False)
        yield db


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def demo(request: pytest.FixtureRequest) -> Source:
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("demo_sqlite"))
    return mysql_source(request.getfixturevalue("demo_mysql"))


# --- the demo on each backend -----------------------------------------------------------


async def test_demo_novels_count_as_the_app(demo: Source) -> None:
    expected = expected_novels(demo)
    async with session_on(demo) as session:
        novels = await load_novels(session)
    assert sorted(novels["project_id"]) == sorted(expected)
    for row in novels.to_dict("records"):
        want = expected[row["project_id"]]
        for name in ("outlines", "chapters", "completed", "selected_chars"):
            assert row[name] == want[name], (row["project_id"], name)
        assert row["progress"] == pytest.approx(want["progress"])
        assert row["last_activity"] == pd.Timestamp(want["last_activity"])


@pytest.mark.parametrize(
    ("loader", "table"),
    [
        (load_outlines, "chapter_outlines"),
        (load_chapters, "chapters"),
        (load_versions, "chapter_versions"),
        (load_evaluations, "chapter_evaluations"),
        (load_characters, "blueprint_characters"),
        (load_relationships, "blueprint_relationships"),
        (load_conversations, "novel_conversations"),
        (load_foreshadowings, "foreshadowings"),
    ],
)
async def test_demo_raw_loaders_keep_every_row(demo: Source, loader: Any, table: str) -> None:
    ids = [r["id"] for r in demo.rows(f"SELECT id FROM {table} ORDER BY id")]
    async with session_on(demo) as session:
        frame = await loader(session)
    assert frame["id"].tolist() == ids


async def test_demo_quirks_reach_the_frames(demo: Source) -> None:
    projects = {r["id"] for r in demo.rows("SELECT id FROM novel_projects")}
    raw = demo.rows("SELECT id, project_id, chapter_number FROM chapters ORDER BY id")
    pairs = Counter((r["project_id"], r["chapter_number"]) for r in raw)
    async with session_on(demo) as session:
        chapters = await load_chapters(session)
        deduped = await load_chapters(session, dedupe=True)
        outlines = await load_outlines(session)
        versions = await load_versions(session)
    # Orphans: an outline and a chapter (with a version) of a project that is gone.
    assert chapters["is_orphan"].tolist() == [r["project_id"] not in projects for r in raw]
    assert chapters["is_orphan"].any()
    assert outlines["is_orphan"].any()
    assert versions["project_id"].notna().all()
    # Duplicates are kept raw and removed by dedupe, one row per pair.
    assert any(n > 1 for n in pairs.values())
    assert len(chapters) == len(raw)
    assert len(deduped) == len(pairs)
    assert not deduped.duplicated(["project_id", "chapter_number"]).any()
    assert set(chapters["status"].dropna()) >= {"generating", "waiting_for_confirm"}


async def test_demo_activity_usage_and_stats(demo: Source) -> None:
    n_chapters = len(demo.rows("SELECT id FROM chapters"))
    n_turns = len(demo.rows("SELECT id FROM novel_conversations"))
    n_users = len(demo.rows("SELECT id FROM users"))
    n_projects = len(demo.rows("SELECT id FROM novel_projects"))
    n_daily = len(demo.rows("SELECT id FROM user_daily_requests"))
    async with session_on(demo) as session:
        activity = await load_activity(session)
        usage = await load_usage(session)
        stats = await load_admin_stats(session)
        users = await load_users(session)
    events = activity["event"].value_counts()
    assert events["chapter_created"] == n_chapters
    assert events["conversation_turn"] == n_turns
    assert (usage["kind"] == "daily_requests").sum() == n_daily
    assert stats["novel_count"].tolist() == [n_projects]
    assert stats["user_count"].tolist() == [n_users]
    assert "hashed_password" not in users.columns


async def test_demo_iter_frames_equals_load_table(demo: Source) -> None:
    async with session_on(demo) as session:
        whole = await load_table(session, "chapter_versions")
        chunks = [
            c
            async for c in iter_frames(
                session, "chapter_versions", chunksize=16, content=True, progress=False
            )
        ]
    assert [len(c) for c in chunks[:-1]] == [16] * (len(chunks) - 1)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


# --- parity --------------------------------------------------------------------------------

PARITY = {
    "novels": lambda s: load_novels(s),
    "outlines": lambda s: load_outlines(s),
    "chapters": lambda s: load_chapters(s),
    "chapters_dedupe": lambda s: load_chapters(s, dedupe=True),
    "versions": lambda s: load_versions(s, content=True, metadata=True),
    "versions_plain": lambda s: load_versions(s),
    "evaluations": lambda s: load_evaluations(s),
    "characters": lambda s: load_characters(s, flatten_json=True),
    "relationships": lambda s: load_relationships(s),
    "conversations": lambda s: load_conversations(s),
    "foreshadowings": lambda s: load_foreshadowings(s),
    "users": lambda s: load_users(s),
    "usage": lambda s: load_usage(s),
    "admin_stats": lambda s: load_admin_stats(s),
    "activity": lambda s: load_activity(s),
}


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The documented per-backend quirks, and nothing else.

    - SQLite timestamps may carry microseconds (``_touch_project`` writes Python
      datetimes); the MariaDB DATETIME columns drop them: floor to seconds.
    - Rows are already ordered by primary key in SQL (checked, not re-sorted).
    - ``\\uXXXX``-escaped JSON on SQLite needs nothing: JSON is parsed.
    - Ids are the same on both backends in the demo, so none is dropped.
    """
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.floor("s")
    return frame


@pytest.mark.mysql
@pytest.mark.parametrize("name", list(PARITY))
async def test_parity_sqlite_and_mariadb(demo_sqlite: Path, demo_mysql: Any, name: str) -> None:
    frames = []
    for source in (sqlite_source(demo_sqlite), mysql_source(demo_mysql)):
        async with session_on(source) as session:
            frames.append(await PARITY[name](session))
    left, right = (normalise(f) for f in frames)
    if "id" in left.columns:
        assert left["id"].is_monotonic_increasing
    pd.testing.assert_frame_equal(left, right)


@pytest.mark.mysql
async def test_parity_every_table_through_load_table(demo_sqlite: Path, demo_mysql: Any) -> None:
    results: list[dict[str, pd.DataFrame]] = []
    for source in (sqlite_source(demo_sqlite), mysql_source(demo_mysql)):
        async with session_on(source) as session:
            names = sorted(await table_names(session))
            results.append({n: await load_table(session, n, include_secrets=True) for n in names})
    sqlite_frames, mysql_frames = results
    assert set(sqlite_frames) == set(mysql_frames)
    for name in sorted(set(sqlite_frames) - MEMORY_LAYER):
        pd.testing.assert_frame_equal(
            normalise(sqlite_frames[name]), normalise(mysql_frames[name]), obj=name
        )
    for name in MEMORY_LAYER:
        assert sqlite_frames[name].empty
        assert list(sqlite_frames[name].columns) == list(mysql_frames[name].columns)
