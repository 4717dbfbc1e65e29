"""Loaders on the app-created fusion fixture, SQLite and MariaDB.

Every expected value is computed in Python from raw rows read with plain
sqlite3 / pymysql (see ``_loaders_support``), following the app's own rules
(arboris-schema.md §4, §6, §8), never by re-running the loaders' SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _loaders_support import (
    BACKENDS,
    Source,
    expected_novels,
    fusion_source,
    mysql_source,
    project_ids,
    session_on,
    sqlite_source,
)

from novelkit.errors import UnknownObjectError
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

NOVEL_COLUMNS = [
    "project_id",
    "title",
    "owner",
    "status",
    "genre",
    "style",
    "tone",
    "target_audience",
    "one_sentence_summary",
    "created_at",
    "updated_at",
    "outlines",
    "planned_chapters",
    "chapters",
    "completed",
    "progress",
    "selected_chars",
    "last_activity",
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


@pytest.fixture(params=BACKENDS)
def fx(request: pytest.FixtureRequest) -> Source:
    """The fixture on one backend (the MariaDB copy is shared: read it only)."""
    return fusion_source(request)


def _utc(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value)


# --- load_novels: the app's per-project figures --------------------------------------


async def test_load_novels_counts_as_the_app(fx: Source) -> None:
    expected = expected_novels(fx)
    async with session_on(fx) as session:
        novels = await load_novels(session)
    assert list(novels.columns) == NOVEL_COLUMNS
    assert sorted(novels["project_id"]) == sorted(expected)
    assert novels["project_id"].is_monotonic_increasing
    for row in novels.to_dict("records"):
        want = expected[row["project_id"]]
        for name in ("title", "status", "outlines", "chapters", "completed", "selected_chars"):
            assert row[name] == want[name], (row["project_id"], name)
        assert row["progress"] == pytest.approx(want["progress"]), row["project_id"]
        assert 0.0 <= row["progress"] <= 1.0
        for name in ("created_at", "updated_at", "last_activity"):
            assert row[name] == _utc(want[name]), (row["project_id"], name)
    # The fixture covers each rule: projects without chapters (progress 0) and with both.
    assert (novels["chapters"] == 0).sum() >= 1
    assert (novels["outlines"] > 0).sum() >= 1
    for name in ("outlines", "chapters", "completed", "selected_chars"):
        assert str(novels[name].dtype) == "Int64"
        assert novels[name].notna().all()
    assert str(novels["progress"].dtype) == "Float64"
    assert novels["progress"].notna().all()
    for name in ("project_id", "title", "owner", "genre", "one_sentence_summary"):
        assert str(novels[name].dtype) == "string"
    for name in ("created_at", "updated_at", "last_activity"):
        assert str(novels[name].dt.tz) == "UTC"


async def test_load_novels_owner_and_blueprint(fx: Source) -> None:
    rows = fx.rows(
        "SELECT p.id, u.username, b.genre, b.one_sentence_summary FROM novel_projects p "
        "LEFT JOIN users u ON u.id = p.user_id "
        "LEFT JOIN novel_blueprints b ON b.project_id = p.id"
    )
    async with session_on(fx) as session:
        novels = (await load_novels(session)).set_index("project_id")
    for r in rows:
        assert novels.loc[r["id"], "owner"] == r["username"]
        for name in ("genre", "one_sentence_summary"):
            got = novels.loc[r["id"], name]
            assert (pd.isna(got) and r[name] is None) or got == r[name]


# --- raw loaders: every row, typed -----------------------------------------------------


RAW = [
    (load_outlines, "chapter_outlines"),
    (load_chapters, "chapters"),
    (load_versions, "chapter_versions"),
    (load_evaluations, "chapter_evaluations"),
    (load_characters, "blueprint_characters"),
    (load_relationships, "blueprint_relationships"),
    (load_conversations, "novel_conversations"),
    (load_foreshadowings, "foreshadowings"),
]


@pytest.mark.parametrize(("loader", "table"), RAW, ids=[t for _, t in RAW])
async def test_raw_loaders_return_every_row_by_id(fx: Source, loader: Any, table: str) -> None:
    ids = [r["id"] for r in fx.rows(f"SELECT id FROM {table} ORDER BY id")]
    async with session_on(fx) as session:
        frame = await loader(session)
    assert frame["id"].tolist() == ids
    assert str(frame["id"].dtype) == "Int64"
    assert str(frame["is_orphan"].dtype) == "boolean"
    assert frame["is_orphan"].notna().all()
    assert str(frame["project_id"].dtype) == "string"


async def test_orphan_flags_match_raw_rows(fx: Source) -> None:
    projects = set(project_ids(fx))
    chapters = {r["id"]: r["project_id"] for r in fx.rows("SELECT id, project_id FROM chapters")}
    evaluations = fx.rows("SELECT id, chapter_id FROM chapter_evaluations ORDER BY id")
    async with session_on(fx) as session:
        chapter_frame = await load_chapters(session)
        evaluation_frame = await load_evaluations(session)
    expected = [chapters[i] not in projects for i in chapter_frame["id"]]
    assert chapter_frame["is_orphan"].tolist() == expected
    assert evaluation_frame["is_orphan"].tolist() == [
        e["chapter_id"] not in chapters for e in evaluations
    ]
    assert evaluation_frame["project_id"].tolist() == [
        chapters.get(e["chapter_id"], pd.NA) for e in evaluations
    ]


async def test_load_chapters_derived_columns(fx: Source) -> None:
    outlines = fx.rows("SELECT id, project_id, chapter_number, title FROM chapter_outlines")
    first: dict[tuple[str, int], tuple[int, str]] = {}
    for o in outlines:
        key = (o["project_id"], o["chapter_number"])
        if key not in first or o["id"] < first[key][0]:
            first[key] = (o["id"], o["title"])
    versions = {r["id"]: r for r in fx.rows("SELECT id, chapter_id, content FROM chapter_versions")}
    per_chapter = Counter(v["chapter_id"] for v in versions.values())
    chapters = fx.rows("SELECT * FROM chapters ORDER BY id")
    async with session_on(fx) as session:
        frame = await load_chapters(session)
    assert len(frame) == len(chapters)
    for row, raw in zip(frame.to_dict("records"), chapters, strict=True):
        assert row["id"] == raw["id"]
        title = first.get((raw["project_id"], raw["chapter_number"]))
        assert (pd.isna(row["outline_title"]) and title is None) or row["outline_title"] == title[1]
        text = versions.get(raw["selected_version_id"], {}).get("content")
        assert row["version_count"] == per_chapter.get(raw["id"], 0)
        if text is None:
            # No selected text: its lengths are missing, not 0 ("missing stays missing").
            assert pd.isna(row["selected_chars"])
            assert pd.isna(row["chars_nonspace"])
            assert pd.isna(row["cjk_chars_plus_words"])
        else:
            assert row["selected_chars"] == len(text)
            assert row["chars_nonspace"] == sum(not ch.isspace() for ch in text)
        assert row["word_count"] == raw["word_count"]
        assert row["status"] == raw["status"]
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert list(frame["status"].cat.categories[:8]) == CHAPTER_STATUSES
    for name in ("selected_chars", "version_count", "chars_nonspace", "cjk_chars_plus_words"):
        assert str(frame[name].dtype) == "Int64"
    assert frame["version_count"].notna().all()
    without_text = frame["selected_chars"].isna()
    assert without_text.any()  # the fixture has chapters without a selected version
    for name in ("chars_nonspace", "cjk_chars_plus_words"):
        assert (frame[name].isna() == without_text).all()
    assert str(frame["outline_title"].dtype) == "string"


async def test_load_versions_content_and_metadata_only_when_asked(fx: Source) -> None:
    raw = {
        r["id"]: r
        for r in fx.rows("SELECT id, chapter_id, content, metadata FROM chapter_versions")
    }
    selected = {
        r["selected_version_id"]
        for r in fx.rows("SELECT selected_version_id FROM chapters")
        if r["selected_version_id"] is not None
    }
    async with session_on(fx) as session:
        plain = await load_versions(session)
        with_text = await load_versions(session, content=True)
        with_meta = await load_versions(session, metadata=True)
        unparsed = await load_versions(session, metadata=True, parse_json=False)
    assert "content" not in plain.columns
    assert "metadata" not in plain.columns
    assert "chars" not in plain.columns
    assert "content" in with_text.columns
    assert "metadata" not in with_text.columns
    assert "metadata" in with_meta.columns
    assert "content" not in with_meta.columns
    assert plain["is_selected"].tolist() == [i in selected for i in plain["id"]]
    for row in with_text.to_dict("records"):
        text = raw[row["id"]]["content"]
        assert row["content"] == text
        assert row["chars"] == len(text)
        assert row["chars_nonspace"] == sum(not ch.isspace() for ch in text)
    for row in with_meta.to_dict("records"):
        stored = raw[row["id"]]["metadata"]
        assert row["metadata"] == (None if stored is None else json.loads(stored))
    assert unparsed["metadata"].tolist() == [
        pd.NA if raw[i]["metadata"] is None else raw[i]["metadata"] for i in unparsed["id"]
    ]


async def test_json_columns_parsed_or_left_as_text(fx: Source) -> None:
    raw = {r["id"]: r["extra"] for r in fx.rows("SELECT id, extra FROM blueprint_characters")}
    async with session_on(fx) as session:
        parsed = await load_characters(session)
        text = await load_characters(session, parse_json=False)
        flat = await load_characters(session, flatten_json=True)
        outlines = await load_outlines(session)
    for row in parsed.to_dict("records"):
        stored = raw[row["id"]]
        assert row["extra"] == (None if stored is None else json.loads(stored))
    assert str(text["extra"].dtype) == "string"
    assert [None if pd.isna(v) else v for v in text["extra"]] == [raw[i] for i in text["id"]]
    # Non-ASCII text is readable after parsing whatever the backend stored.
    assert any(
        isinstance(v, dict) and re.search(r"[\u4e00-\u9fff]", json.dumps(v, ensure_ascii=False))
        for v in parsed["extra"]
    )
    assert "extra" not in flat.columns
    spread = [c for c in flat.columns if c.startswith("extra.")]
    assert spread
    for row in flat.to_dict("records"):
        value = json.loads(raw[row["id"]]) if raw[row["id"]] else None
        for column in spread:
            key = column.removeprefix("extra.")
            if isinstance(value, dict) and key in value:
                assert row[column] == value[key]
    position = list(flat.columns).index(spread[0])
    assert list(flat.columns)[position - 1] == "relationship_to_protagonist"
    stored_meta = {
        r["id"]: r["metadata"] for r in fx.rows("SELECT id, metadata FROM chapter_outlines")
    }
    for row in outlines.to_dict("records"):
        stored = stored_meta[row["id"]]
        assert row["metadata"] == (None if stored is None else json.loads(stored))


async def test_timestamps_are_utc_in_both_stored_formats(fx: Source) -> None:
    rows = fx.rows(
        f"SELECT id, {fx.ts('created_at')} AS c, {fx.ts('updated_at')} AS u, "
        "updated_at AS raw_u FROM novel_projects ORDER BY id"
    )
    if fx.backend == "sqlite":
        # The fixture mixes 'YYYY-MM-DD HH:MM:SS' and '... .ffffff' in one column.
        formats = {len(r["raw_u"]) for r in rows}
        assert formats == {19, 26}
    async with session_on(fx) as session:
        frame = await load_table(session, "novel_projects")
    assert str(frame["updated_at"].dt.tz) == "UTC"
    assert frame["updated_at"].tolist() == [_utc(fx.to_utc(r["u"])) for r in rows]
    assert frame["created_at"].tolist() == [_utc(fx.to_utc(r["c"])) for r in rows]


@pytest.mark.mysql
async def test_mysql_timestamps_follow_the_session_time_zone(mysql_fixture_db: Any) -> None:
    src = mysql_source(mysql_fixture_db)
    in_utc = {
        r["id"]: src.to_utc(r["u"])
        for r in src.rows(f"SELECT id, {src.ts('updated_at')} AS u FROM novel_projects")
    }
    async with session_on(src) as session:
        conn = await session.connection()
        # Through the driver: a read-only engine refuses SET statements (any of them).
        driver = (await conn.get_raw_connection()).driver_connection
        async with driver.cursor() as cursor:
            await cursor.execute("SET time_zone = '+00:00'")
        as_utc = await load_table(conn, "novel_projects")
        async with driver.cursor() as cursor:
            await cursor.execute("SET time_zone = '+08:00'")
        # A server in Asia/Shanghai hands back the same DATETIME text, meant as +08:00.
        shanghai = await load_table(conn, "novel_projects")
        explicit = await load_table(conn, "novel_projects", server_timezone="Asia/Shanghai")
        offset = await load_table(conn, "novel_projects", server_timezone="+08:00")
    naive = {pid: ts.replace(tzinfo=None) for pid, ts in in_utc.items()}
    assert as_utc["updated_at"].tolist() == [
        _utc(naive[p]).tz_localize("UTC") for p in as_utc["id"]
    ]
    eight = dt.timedelta(hours=8)
    assert shanghai["updated_at"].tolist() == [
        _utc(naive[p] - eight).tz_localize("UTC") for p in shanghai["id"]
    ]
    pd.testing.assert_series_equal(explicit["updated_at"], shanghai["updated_at"])
    pd.testing.assert_series_equal(offset["updated_at"], shanghai["updated_at"])


async def test_users_without_password_and_with_key_flag(fx: Source) -> None:
    users = fx.rows("SELECT id, username, hashed_password FROM users ORDER BY id")
    keyed = {
        r["user_id"]
        for r in fx.rows("SELECT user_id, llm_provider_api_key FROM llm_configs")
        if r["llm_provider_api_key"]
    }
    async with session_on(fx) as session:
        frame = await load_users(session)
    assert "hashed_password" not in frame.columns
    assert not any(c for c in frame.columns if "api_key" in c and c != "has_own_api_key")
    assert frame["id"].tolist() == [u["id"] for u in users]
    assert frame["has_own_api_key"].tolist() == [u["id"] in keyed for u in users]
    assert str(frame["has_own_api_key"].dtype) == "boolean"
    assert str(frame["is_admin"].dtype) == "boolean"
    hashes = {u["hashed_password"] for u in users}
    assert not hashes & {str(v) for v in frame.astype(str).to_numpy().ravel()}


async def test_secrets_redacted_unless_asked(fx: Source) -> None:
    hashes = [
        r["hashed_password"] for r in fx.rows("SELECT hashed_password FROM users ORDER BY id")
    ]
    keys = {
        r["user_id"]: r["llm_provider_api_key"]
        for r in fx.rows("SELECT user_id, llm_provider_api_key FROM llm_configs")
    }
    settings = {r["key"]: r["value"] for r in fx.rows("SELECT `key`, value FROM system_configs")}
    assert settings["llm.api_key"].startswith("sk-")
    async with session_on(fx) as session:
        users = await load_table(session, "users")
        users_secret = await load_table(session, "users", include_secrets=True)
        configs = await load_table(session, "llm_configs")
        configs_secret = await load_table(session, "llm_configs", include_secrets=True)
        system = await load_table(session, "system_configs")
        system_secret = await load_table(session, "system_configs", include_secrets=True)
        chunks = [c async for c in iter_frames(session, "users", chunksize=2, progress=False)]
    assert users_secret["hashed_password"].tolist() == hashes
    assert not set(users["hashed_password"]) & set(hashes)
    assert not set(pd.concat(chunks)["hashed_password"]) & set(hashes)
    real_keys = {k for k in keys.values() if k}
    assert real_keys
    assert not set(configs["llm_provider_api_key"].dropna()) & real_keys
    assert set(configs_secret["llm_provider_api_key"].dropna()) >= real_keys
    assert "llm.api_key" in set(system["key"])
    shown = dict(zip(system["key"], system["value"], strict=True))
    assert shown["llm.api_key"] != settings["llm.api_key"]
    for key, value in settings.items():
        if not re.search(r"api_key|password|secret", key):
            assert shown[key] == value, key
    assert dict(zip(system_secret["key"], system_secret["value"], strict=True)) == settings


# --- novel_id filters ------------------------------------------------------------------

FILTERED = [
    load_novels,
    load_outlines,
    load_chapters,
    load_versions,
    load_evaluations,
    load_characters,
    load_relationships,
    load_conversations,
    load_foreshadowings,
    load_activity,
]


@pytest.mark.parametrize("loader", FILTERED, ids=[f.__name__ for f in FILTERED])
async def test_novel_id_filter_equals_pandas_filter(fx: Source, loader: Any) -> None:
    ids = set(project_ids(fx))
    async with session_on(fx) as session:
        whole = await loader(session)
        present = whole["project_id"].dropna()
        busy = [p for p in present.value_counts().index if p in ids][:2]
        busy += sorted(ids - set(busy))[: 2 - len(busy)]
        one = await loader(session, novel_id=busy[0])
        several = await loader(session, novel_id=busy)
        as_tuple = await loader(session, novel_id=tuple(reversed(busy)))
    expect_one = whole[whole["project_id"] == busy[0]].reset_index(drop=True)
    expect_two = whole[whole["project_id"].isin(busy)].reset_index(drop=True)
    assert len(expect_one) > 0
    pd.testing.assert_frame_equal(one, expect_one)
    pd.testing.assert_frame_equal(several, expect_two)
    pd.testing.assert_frame_equal(as_tuple, expect_two)


@pytest.mark.parametrize("table", ["chapter_outlines", "chapter_versions", "chapter_evaluations"])
async def test_load_table_novel_filter(fx: Source, table: str) -> None:
    pid = project_ids(fx)[1]
    async with session_on(fx) as session:
        whole = await load_table(session, table)
        one = await load_table(session, table, novel_id=pid)
    if "project_id" in whole.columns:
        expect = whole[whole["project_id"] == pid]
    else:
        chapters = {
            r["id"] for r in fx.rows("SELECT id FROM chapters WHERE project_id = ?", (pid,))
        }
        expect = whole[whole["chapter_id"].isin(chapters)]
    pd.testing.assert_frame_equal(one, expect.reset_index(drop=True))


async def test_unknown_novel_id_names_close_matches(fx: Source) -> None:
    real = project_ids(fx)[0]
    typo = real[:-1] + ("0" if real[-1] != "0" else "1")
    title = fx.rows("SELECT title FROM novel_projects WHERE id = ?", (real,))[0]["title"]
    async with session_on(fx) as session:
        with pytest.raises(UnknownObjectError, match=re.escape(real)):
            await load_novels(session, novel_id=typo)
        with pytest.raises(UnknownObjectError, match=re.escape(real)):
            await load_chapters(session, novel_id=[real, typo])
        with pytest.raises(UnknownObjectError, match="title"):
            await load_outlines(session, novel_id=title)
        # MariaDB's default collation ignores case and trailing spaces; the filter does
        # not: an id in upper case or with spaces is read as a prefix of the real id (the
        # whole of it), on both backends alike, and the rows are those of the real id.
        exact = await load_versions(session, novel_id=real)
        for given in (real.upper(), real + " "):
            pd.testing.assert_frame_equal(await load_versions(session, novel_id=given), exact)
        with pytest.raises(UnknownObjectError):
            await load_activity(session, novel_id=real + "0")


async def test_emoji_ids_are_compared_exactly(fx: Source) -> None:
    async with session_on(fx) as session:
        with pytest.raises(UnknownObjectError):
            await load_novels(session, novel_id="🌙")
        with pytest.raises(UnknownObjectError):
            await load_chapters(session, novel_id="😀")


# --- load_table and iter_frames ---------------------------------------------------------


async def test_load_table_unknown_table_and_column(fx: Source) -> None:
    async with session_on(fx) as session:
        with pytest.raises(UnknownObjectError, match="chapters"):
            await load_table(session, "chapter")
        with pytest.raises(UnknownObjectError, match="chapter_number"):
            await load_table(session, "chapters", ["chapter_numbr"])
        with pytest.raises(UnknownObjectError):
            await load_table(session, "chapters; DROP TABLE chapters")
        with pytest.raises(UnknownObjectError):
            await load_table(session, "chapters", ["id", "id) FROM users --"])
        picked = await load_table(session, "chapters", ["status", "id"])
    assert list(picked.columns) == ["status", "id"]
    assert sorted(picked["id"].tolist()) == sorted(
        r["id"] for r in fx.rows("SELECT id FROM chapters")
    )


async def test_load_table_quotes_reserved_column_names(fx: Source) -> None:
    rows = fx.rows("SELECT COUNT(*) AS n FROM story_time_trackers")
    async with session_on(fx) as session:
        frame = await load_table(session, "story_time_trackers")
        picked = await load_table(session, "story_time_trackers", ["current_date", "current_time"])
    assert len(frame) == rows[0]["n"]
    assert list(picked.columns) == ["current_date", "current_time"]


@pytest.mark.parametrize("chunksize", [1, 7, 10, 10_000])
async def test_iter_frames_concat_equals_load_table(fx: Source, chunksize: int) -> None:
    async with session_on(fx) as session:
        whole = await load_table(session, "chapter_versions")
        chunks = [
            c
            async for c in iter_frames(
                session, "chapter_versions", chunksize=chunksize, content=True, progress=False
            )
        ]
        light = [
            c
            async for c in iter_frames(
                session, "chapter_versions", chunksize=chunksize, progress=False
            )
        ]
    sizes = [len(c) for c in chunks]
    assert all(s == chunksize for s in sizes[:-1])
    assert 0 < sizes[-1] <= chunksize
    assert sum(sizes) == len(whole)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert "content" not in light[0].columns
    assert "metadata" not in light[0].columns
    pd.testing.assert_frame_equal(
        pd.concat(light, ignore_index=True), whole.drop(columns=["content", "metadata"])
    )


async def test_iter_frames_novel_filter_and_columns(fx: Source) -> None:
    pid = project_ids(fx)[1]
    async with session_on(fx) as session:
        whole = await load_table(session, "chapters", novel_id=pid)
        chunks = [
            c
            async for c in iter_frames(
                session, "chapters", novel_id=pid, chunksize=3, progress=False
            )
        ]
        picked = [
            c
            async for c in iter_frames(
                session, "chapters", columns=["chapter_number", "id"], chunksize=4, progress=False
            )
        ]
        with pytest.raises(UnknownObjectError):
            async for _ in iter_frames(session, "chapterz", progress=False):
                pass
        with pytest.raises(UnknownObjectError):
            await iter_frames(session, "chapters", novel_id="nope", progress=False).__anext__()
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert all(list(c.columns) == ["chapter_number", "id"] for c in picked)
    assert pd.concat(picked)["id"].tolist() == [
        r["id"] for r in fx.rows("SELECT id FROM chapters ORDER BY id")
    ]


async def test_iter_frames_leaves_the_callers_session_alone(fx: Source) -> None:
    async with session_on(fx) as session:
        assert not session.in_transaction()
        count = 0
        async for chunk in iter_frames(session, "chapters", chunksize=5, progress=False):
            count += len(chunk)
        assert not session.in_transaction()
        assert count == len(fx.rows("SELECT id FROM chapters"))
        # A transaction the caller started stays open and usable.
        await load_users(session)
        assert session.in_transaction()
        async for _ in iter_frames(session, "chapters", chunksize=5, progress=False):
            assert session.in_transaction()
        assert session.in_transaction()
        assert len(await load_users(session)) == len(fx.rows("SELECT id FROM users"))


async def test_iter_frames_holds_no_sqlite_lock_between_pages(fixture_sqlite: Path) -> None:
    import sqlite3

    src = sqlite_source(fixture_sqlite)
    writer = sqlite3.connect(fixture_sqlite, timeout=0)
    try:
        async with session_on(src) as session:
            async for chunk in iter_frames(session, "chapters", chunksize=5, progress=False):
                # An app writing between two pages is never told "database is locked".
                writer.execute(
                    "UPDATE chapters SET real_summary = real_summary WHERE id = ?",
                    (int(chunk["id"].iloc[0]),),
                )
                writer.commit()
    finally:
        writer.close()


# --- activity, usage, admin stats -------------------------------------------------------


async def test_load_activity_events(fx: Source) -> None:
    chapters = fx.rows(
        f"SELECT id, project_id, chapter_number, status, word_count, {fx.ts('created_at')} AS c, "
        f"{fx.ts('updated_at')} AS u FROM chapters"
    )
    by_id = {c["id"]: c for c in chapters}
    versions = fx.rows(
        f"SELECT id, chapter_id, version_label, content, {fx.ts('created_at')} AS c "
        "FROM chapter_versions"
    )
    turns = fx.rows(
        f"SELECT id, project_id, role, content, {fx.ts('created_at')} AS c FROM novel_conversations"
    )
    expected: set[tuple[Any, ...]] = set()
    for c in chapters:
        expected.add(
            ("chapter_created", c["id"], fx.to_utc(c["c"]), c["project_id"], c["word_count"])
        )
        if c["u"] != c["c"]:
            expected.add(
                ("chapter_updated", c["id"], fx.to_utc(c["u"]), c["project_id"], c["word_count"])
            )
    for v in versions:
        chapter = by_id.get(v["chapter_id"])
        if chapter is not None:
            expected.add(
                (
                    "version_created",
                    v["id"],
                    fx.to_utc(v["c"]),
                    chapter["project_id"],
                    len(v["content"]),
                )
            )
    for t in turns:
        expected.add(
            ("conversation_turn", t["id"], fx.to_utc(t["c"]), t["project_id"], len(t["content"]))
        )
    async with session_on(fx) as session:
        frame = await load_activity(session)
    got = {
        (r["event"], r["ref_id"], r["timestamp"].to_pydatetime(), r["project_id"], r["chars"])
        for r in frame.to_dict("records")
    }
    assert len(frame) == len(expected)
    assert got == expected
    assert frame["timestamp"].is_monotonic_increasing
    assert str(frame["timestamp"].dt.tz) == "UTC"
    assert list(frame["event"].cat.categories) == [
        "chapter_created",
        "chapter_updated",
        "version_created",
        "conversation_turn",
    ]
    turns_frame = frame[frame["event"] == "conversation_turn"]
    assert turns_frame["chapter_number"].isna().all()
    assert set(turns_frame["detail"]) <= {"user", "assistant"}


async def test_load_usage_and_admin_stats(fx: Source) -> None:
    counter = fx.rows("SELECT value FROM usage_metrics WHERE `key` = 'api_request_count'")
    daily = fx.rows(
        "SELECT d.user_id, d.request_date, d.request_count, u.username "
        "FROM user_daily_requests d LEFT JOIN users u ON u.id = d.user_id"
    )
    n_projects = len(fx.rows("SELECT id FROM novel_projects"))
    n_users = len(fx.rows("SELECT id FROM users"))
    async with session_on(fx) as session:
        usage = await load_usage(session)
        stats = await load_admin_stats(session)
    assert list(usage.columns) == ["kind", "user_id", "username", "request_date", "requests"]
    top = usage[usage["kind"] == "api_request_count"]
    assert len(top) == 1
    assert top["requests"].iloc[0] == counter[0]["value"]
    per_day = usage[usage["kind"] == "daily_requests"]
    assert len(per_day) == len(daily)
    got = {
        (r["user_id"], r["request_date"].date(), r["requests"], r["username"])
        for r in per_day.to_dict("records")
    }
    want = {
        (
            d["user_id"],
            dt.date.fromisoformat(str(d["request_date"])),
            d["request_count"],
            d["username"],
        )
        for d in daily
    }
    assert got == want
    assert str(usage["requests"].dtype) == "Int64"
    assert stats.to_dict("records") == [
        {"novel_count": n_projects, "user_count": n_users, "api_request_count": counter[0]["value"]}
    ]
    assert all(str(t) == "Int64" for t in stats.dtypes)


async def test_loaders_accept_a_connection_and_never_close_it(fx: Source) -> None:
    async with session_on(fx) as session:
        conn = await session.connection()
        frame = await load_chapters(conn)
        assert not conn.closed
        assert len(await load_novels(conn)) == len(project_ids(fx))
    assert len(frame) == len(fx.rows("SELECT id FROM chapters"))


async def test_loaders_reject_other_targets(fx: Source) -> None:
    with pytest.raises(TypeError, match="AsyncSession"):
        await load_novels(str(fx.url))  # type: ignore[arg-type]


async def test_evaluation_decisions_are_categorical(fx: Source) -> None:
    decisions = defaultdict(int)
    for r in fx.rows("SELECT decision FROM chapter_evaluations"):
        decisions[r["decision"]] += 1
    async with session_on(fx) as session:
        frame = await load_evaluations(session)
    assert isinstance(frame["decision"].dtype, pd.CategoricalDtype)
    assert list(frame["decision"].cat.categories[:3]) == ["reviewed", "skipped", "failed"]
    got = frame["decision"].astype(object).where(frame["decision"].notna(), None)
    assert Counter(got) == Counter(decisions)
