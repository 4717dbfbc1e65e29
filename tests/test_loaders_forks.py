"""Loaders on fork variants of the fixture: extra columns, fork statuses, missing tables.

Each variant is made in the test from a private copy of the app-created
fixture (plain sqlite3, or plain pymysql on a fresh MariaDB restore).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from _loaders_support import (
    Source,
    expected_novels,
    mysql_source,
    restore_dump,
    session_on,
    sqlite_source,
)

from novelkit import load_sql
from novelkit.errors import StoredValueWarning, UnknownObjectError
from novelkit.loaders import (
    iter_frames,
    load_activity,
    load_admin_stats,
    load_chapters,
    load_foreshadowings,
    load_novels,
    load_outlines,
    load_table,
    load_usage,
    load_users,
    load_versions,
)

CLASSIC_TABLES = {
    "users",
    "novel_projects",
    "novel_conversations",
    "novel_blueprints",
    "blueprint_characters",
    "blueprint_relationships",
    "chapter_outlines",
    "chapters",
    "chapter_versions",
    "chapter_evaluations",
    "llm_configs",
    "prompts",
    "system_configs",
    "admin_settings",
    "usage_metrics",
    "user_daily_requests",
    "update_logs",
}
CHAPTER_COLUMNS = [
    "id",
    "project_id",
    "chapter_number",
    "real_summary",
    "status",
    "word_count",
    "selected_version_id",
    "created_at",
    "updated_at",
    "is_orphan",
    "outline_title",
    "selected_chars",
    "version_count",
    "chars_nonspace",
    "cjk_chars_plus_words",
]
CHAPTER_STATUSES = [
    "not_generated",
    "generating",
    "evaluating",
    "selecting",
    "failed",
    "evaluation_failed",
    "waiting_for_confirm",
    "successful",
]


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def fresh(request: pytest.FixtureRequest) -> Source:
    """A private, writable copy of the fixture on one backend."""
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("fixture_sqlite"))
    db = request.getfixturevalue("mysql_db")
    restore_dump(db)
    return mysql_source(db)


def _table_names(src: Source) -> set[str]:
    if src.backend == "sqlite":
        rows = src.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r["name"] for r in rows}
    return {next(iter(r.values())) for r in src.rows("SHOW TABLES")}


async def test_extra_columns_come_last_as_stored_and_fork_statuses_survive(fresh: Source) -> None:
    first = fresh.rows("SELECT id FROM chapters ORDER BY id")[0]["id"]
    project = fresh.rows("SELECT id FROM novel_projects ORDER BY id")[0]["id"]
    fresh.execute(
        "ALTER TABLE novel_projects ADD COLUMN project_type VARCHAR(32)",
        "UPDATE novel_projects SET project_type = 'webnovel'",
        "ALTER TABLE chapters ADD COLUMN finalize_status VARCHAR(32)",
        "ALTER TABLE chapters ADD COLUMN fork_flags TEXT",
        f"UPDATE chapters SET finalize_status = 'pending', fork_flags = '{{\"a\": 1}}' "
        f"WHERE id = {first}",
        f"UPDATE chapters SET status = 'archived' WHERE id = {first}",
        f"UPDATE novel_projects SET status = 'published' WHERE id = '{project}'",
        "ALTER TABLE chapter_versions ADD COLUMN model_name VARCHAR(64)",
        "ALTER TABLE users ADD COLUMN nickname VARCHAR(64)",
    )
    async with session_on(fresh) as session:
        chapters = await load_chapters(session)
        bare = await load_chapters(session, extra_columns=False)
        deduped = await load_chapters(session, dedupe=True)
        versions = await load_versions(session)
        users = await load_users(session)
        novels = await load_novels(session)
        projects = await load_table(session, "novel_projects")
    assert list(chapters.columns) == [*CHAPTER_COLUMNS, "finalize_status", "fork_flags"]
    assert list(deduped.columns) == list(chapters.columns)
    assert list(bare.columns) == CHAPTER_COLUMNS
    pd.testing.assert_frame_equal(chapters[CHAPTER_COLUMNS], bare)
    row = chapters.set_index("id").loc[first]
    assert row["finalize_status"] == "pending"
    assert row["fork_flags"] == '{"a": 1}'  # as stored: no JSON parsing for fork columns
    assert not isinstance(chapters["finalize_status"].dtype, pd.CategoricalDtype)
    assert row["status"] == "archived"
    assert list(chapters["status"].cat.categories) == [*CHAPTER_STATUSES, "archived"]
    assert list(versions.columns)[-1] == "model_name"
    assert list(versions.columns).index("is_selected") < list(versions.columns).index("model_name")
    assert list(users.columns)[-2:] == ["has_own_api_key", "nickname"]
    assert list(projects.columns)[-1] == "project_type"
    assert set(projects["project_type"]) == {"webnovel"}
    assert novels.set_index("project_id").loc[project, "status"] == "published"
    assert "published" in list(novels["status"].cat.categories)
    assert list(novels["status"].cat.categories[:2]) == ["draft", "blueprint_ready"]


async def test_without_outlines_progress_counts_chapters(fresh: Source) -> None:
    """ycvk dropped chapter_outlines: progress is completed / chapters."""
    fresh.execute("DROP TABLE chapter_outlines")
    raw = fresh.rows("SELECT project_id, selected_version_id FROM chapters")
    async with session_on(fresh) as session:
        novels = await load_novels(session)
        chapters = await load_chapters(session)
        activity = await load_activity(session)
        with pytest.raises(UnknownObjectError, match="chapter_outlines"):
            await load_outlines(session)
        with pytest.raises(UnknownObjectError):
            await load_table(session, "chapter_outlines")
    assert (novels["outlines"] == 0).all()
    for row in novels.to_dict("records"):
        mine = [r for r in raw if r["project_id"] == row["project_id"]]
        done = sum(r["selected_version_id"] is not None for r in mine)
        assert row["chapters"] == len(mine)
        assert row["completed"] == done
        assert row["progress"] == pytest.approx(done / len(mine) if mine else 0.0)
    assert chapters["outline_title"].isna().all()
    assert str(chapters["outline_title"].dtype) == "string"
    assert len(chapters) == len(raw)
    assert len(activity) > 0


async def test_without_daily_requests_usage_still_loads(fresh: Source) -> None:
    """lilicocon has no user_daily_requests table."""
    counter = fresh.rows("SELECT value FROM usage_metrics WHERE `key` = 'api_request_count'")
    fresh.execute("DROP TABLE user_daily_requests")
    async with session_on(fresh) as session:
        usage = await load_usage(session)
        stats = await load_admin_stats(session)
    assert usage["kind"].astype(str).tolist() == ["api_request_count"]
    assert usage["requests"].tolist() == [counter[0]["value"]]
    assert list(usage.columns) == ["kind", "user_id", "username", "request_date", "requests"]
    assert stats["api_request_count"].tolist() == [counter[0]["value"]]


async def test_classic_database(fresh: Source) -> None:
    """No fusion tables and no chapter_outlines.metadata (before 2026-01-13)."""
    fusion = sorted(_table_names(fresh) - CLASSIC_TABLES)
    assert len(fusion) == 19
    fresh.execute(
        *(f"DROP TABLE {name}" for name in fusion),
        "ALTER TABLE chapter_outlines DROP COLUMN metadata",
    )
    expected = expected_novels(fresh)
    ids = [r["id"] for r in fresh.rows("SELECT id FROM chapter_outlines ORDER BY id")]
    async with session_on(fresh) as session:
        outlines = await load_outlines(session)
        novels = await load_novels(session)
        with pytest.raises(UnknownObjectError, match="foreshadowings"):
            await load_foreshadowings(session)
    assert outlines["id"].tolist() == ids
    assert list(outlines.columns) == [
        "id",
        "project_id",
        "chapter_number",
        "title",
        "summary",
        "metadata",
        "is_orphan",
    ]
    assert outlines["metadata"].isna().all()
    for row in novels.to_dict("records"):
        want = expected[row["project_id"]]
        assert (row["outlines"], row["chapters"], row["completed"]) == (
            want["outlines"],
            want["chapters"],
            want["completed"],
        )


def _messy(src: Source) -> dict[str, Any]:
    """Duplicates, orphans and a dangling selected version, as real databases have."""
    counts: dict[str, int] = {}
    for r in src.rows("SELECT project_id FROM chapter_outlines"):
        counts[r["project_id"]] = counts.get(r["project_id"], 0) + 1
    pid = max(counts, key=lambda p: counts[p])
    top = max(
        r["chapter_number"]
        for r in src.rows(
            "SELECT chapter_number FROM chapter_outlines WHERE project_id = ?", (pid,)
        )
    )
    top = max(
        top,
        *(
            r["chapter_number"]
            for r in src.rows("SELECT chapter_number FROM chapters WHERE project_id = ?", (pid,))
        ),
    )
    version = src.rows("SELECT MIN(id) AS v FROM chapter_versions")[0]["v"]
    lowest = src.rows(
        "SELECT id, chapter_number FROM chapter_outlines WHERE project_id = ? ORDER BY id LIMIT 1",
        (pid,),
    )[0]
    a, b, c = top + 1, top + 2, top + 3
    insert = (
        "INSERT INTO chapters (project_id, chapter_number, status, word_count, "
        "selected_version_id, created_at, updated_at) VALUES "
    )
    src.execute(
        # (a): one selected, one later but unselected: dedupe keeps the selected one.
        insert + f"('{pid}', {a}, 'successful', 10, {version}, "
        "'2026-12-01 10:00:00', '2026-12-01 10:00:00')",
        insert + f"('{pid}', {a}, 'generating', 0, NULL, "
        "'2026-12-01 10:00:00', '2026-12-02 10:00:00')",
        # (b): neither selected: the latest update wins.
        insert + f"('{pid}', {b}, 'failed', 0, NULL, '2026-12-01 10:00:00', '2026-12-03 10:00:00')",
        insert + f"('{pid}', {b}, 'failed', 0, NULL, '2026-12-01 10:00:00', '2026-12-02 10:00:00')",
        # (c): a selected id that points nowhere still counts as completed.
        insert + f"('{pid}', {c}, 'successful', 0, 999999, "
        "'2026-12-01 10:00:00', '2026-12-01 10:00:00')",
        # An orphan chapter and outline of a deleted project.
        insert + "('00000000-dead-4000-8000-000000000000', 1, 'successful', 10, "
        f"{version}, '2026-12-01 10:00:00', '2026-12-01 10:00:00')",
        "INSERT INTO chapter_outlines (project_id, chapter_number, title) VALUES "
        "('00000000-dead-4000-8000-000000000000', 1, 'gone')",
        # Duplicate outlines: the lowest id names the chapter, whichever came first.
        f"INSERT INTO chapter_outlines (project_id, chapter_number, title) VALUES "
        f"('{pid}', {a}, 'first title'), ('{pid}', {a}, 'second title')",
        f"INSERT INTO chapter_outlines (project_id, chapter_number, title) VALUES "
        f"('{pid}', {b}, 'inserted later')",
        f"UPDATE chapter_outlines SET chapter_number = {b}, title = 'lowest id' "
        f"WHERE id = {lowest['id']}",
    )
    return {"pid": pid, "a": a, "b": b, "c": c}


async def test_duplicates_orphans_and_dangling_ids(fresh: Source) -> None:
    made = _messy(fresh)
    pid = made["pid"]
    expected = expected_novels(fresh)
    raw = fresh.rows(
        f"SELECT id, project_id, chapter_number, selected_version_id, "
        f"{fresh.ts('updated_at')} AS u FROM chapters ORDER BY id"
    )
    projects = {r["id"] for r in fresh.rows("SELECT id FROM novel_projects")}
    async with session_on(fresh) as session:
        novels = await load_novels(session)
        chapters = await load_chapters(session)
        deduped = await load_chapters(session, dedupe=True)
        outlines = await load_outlines(session)
        versions = await load_versions(session)
        one = await load_chapters(session, novel_id=pid, dedupe=True)
    # load_novels counts as the app: every row, the dangling selection included.
    row = novels.set_index("project_id").loc[pid]
    want = expected[pid]
    for name in ("outlines", "chapters", "completed", "selected_chars"):
        assert row[name] == want[name], name
    assert row["progress"] == pytest.approx(want["progress"])
    assert set(novels["project_id"]) == projects
    # Raw loaders: every row, orphans flagged.
    assert chapters["id"].tolist() == [r["id"] for r in raw]
    assert chapters["is_orphan"].tolist() == [r["project_id"] not in projects for r in raw]
    assert outlines["is_orphan"].sum() == 1
    assert chapters["is_orphan"].sum() == 1
    dangling = chapters[chapters["chapter_number"] == made["c"]].iloc[0]
    assert pd.isna(dangling["selected_chars"])  # the selected version does not exist
    assert dangling["selected_version_id"] == 999999
    # outline_title: lowest outline id per (project, chapter number), no rows added.
    titles = chapters.set_index(["project_id", "chapter_number"])["outline_title"]
    assert set(titles.loc[(pid, made["a"])]) == {"first title"}
    assert set(titles.loc[(pid, made["b"])]) == {"lowest id"}
    # dedupe: a selected version first, then the latest update.
    best: dict[tuple[str, int], dict[str, Any]] = {}
    for r in raw:
        rank = (r["selected_version_id"] is not None, fresh.to_utc(r["u"]), r["id"])
        key = (r["project_id"], r["chapter_number"])
        if key not in best or rank > best[key]["rank"]:
            best[key] = {"rank": rank, "id": r["id"]}
    assert deduped["id"].tolist() == sorted(v["id"] for v in best.values())
    assert len(deduped) < len(chapters)
    pd.testing.assert_frame_equal(one, deduped[deduped["project_id"] == pid].reset_index(drop=True))
    # A version selected by two chapters is selected for both; none is an orphan here.
    assert not versions["is_orphan"].any()


async def test_iter_frames_chunks_concat_with_a_fork_status(fresh: Source) -> None:
    last = fresh.rows("SELECT MAX(id) AS i FROM chapters")[0]["i"]
    fresh.execute(f"UPDATE chapters SET status = 'archived' WHERE id = {last}")
    async with session_on(fresh) as session:
        whole = await load_table(session, "chapters")
        chunks = [c async for c in iter_frames(session, "chapters", chunksize=5, progress=False)]
    assert all(isinstance(c["status"].dtype, pd.CategoricalDtype) for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


# Stored JSON shapes that a column-building shortcut could mangle: numpy reads a
# list of equal-length lists as a second dimension, and the JSON literal null
# must come back as None like SQL NULL.
ODD_JSON = ["[[1, 2], [3, 4]]", "[]", "{}", '"text"', "null", "[[1], [2]]", "3.5"]


async def test_json_values_of_every_shape_stay_whole(fresh: Source) -> None:
    ids = [r["id"] for r in fresh.rows("SELECT id FROM chapter_outlines ORDER BY id")]
    assert len(ids) > len(ODD_JSON)
    fresh.execute(
        *(
            f"UPDATE chapter_outlines SET metadata = '{text}' WHERE id = {row}"
            for row, text in zip(ids, ODD_JSON, strict=False)
        ),
        f"UPDATE chapter_outlines SET metadata = NULL WHERE id = {ids[len(ODD_JSON)]}",
    )
    async with session_on(fresh) as session:
        outlines = (await load_outlines(session)).set_index("id")
    for row, text in zip(ids, ODD_JSON, strict=False):
        assert outlines.loc[row, "metadata"] == json.loads(text), text
    assert outlines.loc[ids[len(ODD_JSON)], "metadata"] is None
    assert outlines["metadata"].dtype == object


async def test_text_that_is_not_json_is_kept_and_warned_about(fixture_sqlite: Path) -> None:
    # SQLite does not check a JSON column; MariaDB's json_valid() check would refuse it.
    src = sqlite_source(fixture_sqlite)
    first = src.rows("SELECT id FROM chapter_outlines ORDER BY id")[0]["id"]
    src.execute(f"UPDATE chapter_outlines SET metadata = 'phase: rising' WHERE id = {first}")
    async with session_on(src) as session:
        with pytest.warns(StoredValueWarning, match="chapter_outlines.metadata: 1 stored"):
            outlines = (await load_outlines(session)).set_index("id")
    assert outlines.loc[first, "metadata"] == "phase: rising"
    assert outlines["metadata"].map(lambda v: isinstance(v, dict | None)).sum() == len(outlines) - 1


@pytest.mark.parametrize("fast", [None, False, True])
async def test_binary_columns_come_as_bytes_untouched(fresh: Source, fast: bool | None) -> None:
    # Declared binary (BLOB, and MySQL's BINARY/VARBINARY/MEDIUMBLOB/LONGBLOB, which a
    # fork may declare in SQLite too, where SQLAlchemy's reflection took LONGBLOB for
    # text and VARBINARY for a number): the stored bytes as Python bytes on both paths,
    # not text decoded as UTF-8 with U+FFFD, and no warning.
    mysql = fresh.backend == "mysql"
    fresh.execute(
        "CREATE TABLE fork_blobs (id INTEGER PRIMARY KEY, data BLOB, fixed BINARY(4), "
        "short VARBINARY(8), medium MEDIUMBLOB, large LONGBLOB, note TEXT)",
        "INSERT INTO fork_blobs VALUES (1, x'00ff10', x'00ff10', x'00ff10', x'c3', x'8000', 'ok')",
        "INSERT INTO fork_blobs VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL)",
    )
    expected = {
        "data": b"\x00\xff\x10",
        # MySQL's BINARY(4) pads with zero bytes, as stored; SQLite stores what it is given.
        "fixed": b"\x00\xff\x10\x00" if mysql else b"\x00\xff\x10",
        "short": b"\x00\xff\x10",
        "medium": b"\xc3",
        "large": b"\x80\x00",
    }
    async with session_on(fresh) as session:
        with warnings.catch_warnings():
            warnings.simplefilter("error", StoredValueWarning)
            frame = await load_table(session, "fork_blobs", fast=fast)
            arrow = await load_table(session, "fork_blobs", fast=fast, to="arrow")
            # (fast=True: a query of yours on SQLite takes the driver path.)
            own = await load_sql(
                session, "SELECT * FROM fork_blobs ORDER BY id", fast=fast and None
            )
    for column, value in expected.items():
        assert own[column].tolist() == [value, None], column
    if fast:
        assert frame.attrs["novelkit_path"].startswith("arrow")
    for column, value in expected.items():
        assert frame[column].dtype == object, column
        assert frame[column].tolist() == [value, None], column
        assert arrow.column(column).type == pa.large_binary(), column
        assert arrow.column(column).to_pylist() == [value, None], column
    assert str(frame["note"].dtype) == "string"


@pytest.mark.parametrize("fast", [None, False, True])
async def test_a_fork_text_column_that_is_not_utf8_is_read_with_a_warning(
    fixture_sqlite: Path, fast: bool | None
) -> None:
    """SQLite lets a TEXT column hold bytes that are not UTF-8 (a CAST, another tool):
    sqlite3 stopped the whole read on them ("Could not decode to UTF-8"), in load_table,
    iter_frames and so export. Now the value is replaced and warned about, as in a
    known column, and the rest of the table reads."""
    src = sqlite_source(fixture_sqlite)
    src.execute(
        "CREATE TABLE fork_notes (id INTEGER PRIMARY KEY, note TEXT)",
        "INSERT INTO fork_notes VALUES (1, CAST(x'ff41' AS TEXT)), (2, '雾港')",
    )
    async with session_on(src) as session:
        with pytest.warns(StoredValueWarning, match="not valid UTF-8"):
            frame = await load_table(session, "fork_notes", fast=fast)
        with pytest.warns(StoredValueWarning, match="not valid UTF-8"):
            chunks = [c async for c in iter_frames(session, "fork_notes", fast=fast)]
    assert frame["note"].tolist() == ["\ufffdA", "雾港"]
    assert pd.concat(chunks)["note"].tolist() == ["\ufffdA", "雾港"]


async def test_load_novels_says_when_a_stored_time_cannot_be_read(fixture_sqlite: Path) -> None:
    """A project's created_at holding text that is no time became NaT in load_novels
    without a word, while every other loader (and export) warned about it."""
    src = sqlite_source(fixture_sqlite)
    first = src.rows("SELECT id FROM novel_projects ORDER BY id")[0]["id"]
    src.execute(f"UPDATE novel_projects SET created_at = 'last spring' WHERE id = '{first}'")
    async with session_on(src) as session:
        with pytest.warns(StoredValueWarning, match="novel_projects.created_at: 1 stored"):
            novels = (await load_novels(session)).set_index("project_id")
    assert pd.isna(novels.loc[first, "created_at"])
    assert novels["created_at"].notna().sum() == len(novels) - 1
