"""search_text, mentions, cooccurrence and text_stats on a database built for them.

The database (tests/text_queries_support.py) is the same on SQLite and MariaDB, and
every expected value below is known by construction, so both backends are held to
the same answers.
"""

from __future__ import annotations

import asyncio
import doctest
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import text_queries_support as data
from _loaders_support import Source, mysql_source, scratch_database, session_on, sqlite_source

import novelkit
from novelkit.errors import ConfigurationError, UnknownObjectError, WrongTypeError
from novelkit.text import _api, _cast, _pages, cooccurrence, mentions, search_text, text_stats


@pytest.mark.parametrize("module", [_pages, _api, _cast])
def test_docstring_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def built_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "texts.sqlite"
    asyncio.run(data.build(str(path)))
    return path


@pytest.fixture(scope="module")
def built_mysql() -> Iterator[Any]:
    for db in scratch_database("text"):
        asyncio.run(data.build(db.url))
        yield db


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def source(request: pytest.FixtureRequest) -> Source:
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("built_sqlite"))
    return mysql_source(request.getfixturevalue("built_mysql"))


async def _call(source: Source, func: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
    async with session_on(source) as session:
        frame = await func(session, *args, **kwargs)
        # The caller's session is left as it was: no transaction begun on it.
        assert not session.in_transaction()
    return frame


def _spots(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return list(
        zip(
            frame["chapter_number"].tolist(),
            frame["version_id"].tolist(),
            frame["start"].tolist(),
            strict=True,
        )
    )


# --- the texts survive both backends ---------------------------------------------------


def test_texts_come_back_as_written(source: Source) -> None:
    """CRLF, NFD, emoji and Extension B ideographs are stored and read back unchanged."""
    rows = source.rows("SELECT id, content FROM chapter_versions")
    stored = {row["id"]: row["content"] for row in rows}
    for vid, _, _, text in data.VERSIONS:
        assert stored[vid] == text, vid


# --- search_text -------------------------------------------------------------------------


async def test_search_finds_every_match_in_order(source: Source) -> None:
    frame = await _call(source, search_text, "林墨", novel_id=data.A)
    assert list(frame.columns) == [
        "project_id",
        "chapter_number",
        "version_id",
        "is_selected",
        "start",
        "match",
        "before",
        "after",
    ]
    # Literal search finds 林墨 inside 林墨然 too (names are counted by mentions()).
    assert _spots(frame) == [
        (1, 101, 0),
        (1, 101, 5),
        (1, 101, 22),  # at the very end
        (4, 401, 2),  # after an emoji and an Extension B ideograph: one code point each
        (5, 501, 5),  # after NFD "Cafe\u0301", four code points in NFC
        (7, 701, 0),
        (7, 701, 999_998),  # the very end of the 1 MB text
    ]
    assert frame["is_selected"].all()
    assert set(frame["project_id"]) == {data.A}
    assert frame["match"].unique().tolist() == ["林墨"]
    assert str(frame["project_id"].dtype) == "string"
    assert str(frame["chapter_number"].dtype) == "Int64"
    assert str(frame["start"].dtype) == "Int64"


async def test_search_context_is_one_line(source: Source) -> None:
    frame = await _call(source, search_text, "林墨", novel_id=data.A, context=3)
    first = frame.iloc[1]
    assert (first["before"], first["match"], first["after"]) == ("然说，", "林墨", "来了。")
    wide = await _call(source, search_text, "老周", novel_id=data.A, context=8)
    assert wide.iloc[0]["before"] == "了。⏎苏晚笑了，"  # eight code points, the break one
    assert wide.iloc[0]["after"] == "也笑了。林墨"
    big = await _call(source, search_text, "林墨", novel_id=data.A, context=2)
    assert big.iloc[-1]["before"] == "风风"
    assert big.iloc[-1]["after"] == ""


async def test_versions_choose_the_texts(source: Source) -> None:
    every = await _call(source, search_text, "林墨", novel_id=data.A, versions="all")
    assert _spots(every) == [
        (1, 101, 0),
        (1, 101, 5),
        (1, 101, 22),
        (2, 201, 3),  # chapter 2 has no selected version: only "all" and "latest" see it
        (2, 202, 8),
        (3, 302, 0),
        (4, 401, 2),
        (5, 501, 5),
        (7, 701, 0),
        (7, 701, 999_998),
    ]
    selected = dict(zip(every["version_id"], every["is_selected"], strict=False))
    assert [selected[101], selected[201], selected[302]] == [True, False, False]
    latest = await _call(source, search_text, "林墨", novel_id=data.A, versions="latest")
    # Chapter 1: 102 is newer than the selected 101; chapter 2: 201 by created_at
    # although 202 has the higher id; chapter 3: a tie on created_at, the higher id.
    assert _spots(latest) == [
        (2, 201, 3),
        (3, 302, 0),
        (4, 401, 2),
        (5, 501, 5),
        (7, 701, 0),
        (7, 701, 999_998),
    ]


async def test_orphans_are_left_out(source: Source) -> None:
    frame = await _call(source, search_text, "林墨", versions="all")
    assert set(frame["project_id"]) == {data.A, data.B}
    assert not {9001, 9101} & set(frame["version_id"])


async def test_case_width_and_accents_are_compared_in_python(source: Source) -> None:
    ai = await _call(source, search_text, "AI", novel_id=data.A)
    assert _spots(ai) == [(4, 401, 5), (4, 401, 8)]
    assert ai["match"].tolist() == ["ＡＩ", "ai"]
    exact = await _call(source, search_text, "AI", novel_id=data.A, ignore_case=False)
    assert exact.empty
    # NFC on both sides: the decomposed text matches the composed pattern...
    cafe = await _call(source, search_text, "CAFÉ", novel_id=data.A)
    assert _spots(cafe) == [(5, 501, 0)]
    assert cafe["match"].tolist() == ["Café"]
    # ...but an accent is not ignored, as MariaDB's collations would in LIKE.
    assert (await _call(source, search_text, "cafe", novel_id=data.A)).empty
    assert (await _call(source, search_text, "CAFÉ", ignore_case=False)).empty


async def test_only_a_regex_crosses_a_line_break(source: Source) -> None:
    assert (await _call(source, search_text, "离开门外")).empty
    frame = await _call(source, search_text, r"离开\s+门外", regex=True, context=3)
    assert _spots(frame) == [(6, 601, 3)]  # \r\n is two code points of the text
    row = frame.iloc[0]
    assert (row["before"], row["match"], row["after"]) == ("他转身", "离开⏎门外", "下着雨")


async def test_no_match_gives_typed_empty_frame(source: Source) -> None:
    frame = await _call(source, search_text, "不存在的词")
    assert frame.empty
    assert str(frame["start"].dtype) == "Int64"
    assert str(frame["version_id"].dtype) == "Int64"


# --- mentions ----------------------------------------------------------------------------


async def test_mentions_count_leftmost_longest_with_zeros(source: Source) -> None:
    frame = await _call(source, mentions, ["林墨", "林墨然", "苏晚", "无名"], novel_id=data.A)
    one = frame[frame["version_id"] == 101]
    assert one[["name", "count", "first_start"]].values.tolist() == [
        ["林墨", 2, 5],  # not at 0: "林墨然说" is 林墨然's
        ["林墨然", 1, 0],
        ["苏晚", 1, 11],
        ["无名", 0, pd.NA],
    ]
    # Every selected text of A has a row per name, the empty one included; chapter 2
    # (no selected version) and chapter 8 (no version) have none.
    assert sorted(set(frame["chapter_number"])) == [1, 3, 4, 5, 6, 7]
    assert frame.groupby("version_id").size().eq(4).all()
    empty = frame[frame["version_id"] == 301]
    assert empty["count"].tolist() == [0, 0, 0, 0]
    big = frame[(frame["version_id"] == 701) & (frame["name"] == "林墨")]
    assert big[["count", "first_start"]].values.tolist() == [[2, 0]]
    emoji = frame[(frame["version_id"] == 401) & (frame["name"] == "林墨")]
    assert emoji["first_start"].tolist() == [2]
    assert str(frame["count"].dtype) == "Int64"
    assert str(frame["first_start"].dtype) == "Int64"


async def test_mentions_pivot_into_a_heatmap(source: Source) -> None:
    frame = await _call(source, mentions, ["林墨", "苏晚"], novel_id=data.A)
    grid = frame.pivot_table(
        index="name", columns="chapter_number", values="count", aggfunc="sum", sort=False
    )
    assert grid.index.tolist() == ["林墨", "苏晚"]
    assert grid.loc["林墨"].tolist() == [3, 0, 1, 1, 0, 2]  # 林墨然 is no name here


async def test_aliases_count_under_their_name(source: Source) -> None:
    frame = await _call(source, mentions, {"林墨": ["林墨然", "老周"]}, novel_id=data.A)
    one = frame[frame["version_id"] == 101]
    assert one[["name", "count", "first_start"]].values.tolist() == [["林墨", 4, 0]]


async def test_default_names_are_each_novels_own(source: Source) -> None:
    frame = await _call(source, mentions, versions="all")
    names = frame.groupby("project_id", sort=True)["name"].unique()
    # Characters in blueprint order, then 老周, whom only a relationship names; the
    # blank character name is skipped.
    assert names[data.A].tolist() == ["林墨", "林墨然", "苏晚", "老周"]
    assert names[data.B].tolist() == ["罗兰"]
    b = frame[frame["project_id"] == data.B]
    assert b[["name", "count", "first_start"]].values.tolist() == [["罗兰", 2, 0]]


async def test_mentions_errors(source: Source) -> None:
    with pytest.raises(WrongTypeError, match="list of names"):
        await _call(source, mentions, "林墨")
    with pytest.raises(ConfigurationError, match="both"):
        await _call(source, mentions, {"林墨": ["小林"], "苏晚": ["小林"]})
    with pytest.raises(ConfigurationError, match="Empty name"):
        await _call(source, mentions, ["林墨", " "])
    # Was KeyError: '' (an empty alternation matches everywhere, as no name).
    with pytest.raises(ConfigurationError, match="at least one name"):
        await _call(source, mentions, [], novel_id=data.A)
    with pytest.raises(ConfigurationError, match="at least one name"):
        await _call(source, cooccurrence, novel_id=data.A, names={})


# --- cooccurrence ------------------------------------------------------------------------


async def test_cooccurrence_by_chapter_and_paragraph(source: Source) -> None:
    names = ["林墨", "林墨然", "苏晚", "老周"]
    chapters = await _call(source, cooccurrence, novel_id=data.A, names=names)
    assert list(chapters.columns) == ["project_id", "name_a", "name_b", "windows"]
    pairs = {(a, b): n for a, b, n in chapters[["name_a", "name_b", "windows"]].values}
    # Only chapter 1's selected text holds two names.
    assert pairs == {
        ("林墨", "林墨然"): 1,
        ("林墨", "老周"): 1,
        ("林墨", "苏晚"): 1,
        ("林墨然", "老周"): 1,
        ("林墨然", "苏晚"): 1,
        ("老周", "苏晚"): 1,
    }
    paragraphs = await _call(source, cooccurrence, novel_id=data.A, names=names, window="paragraph")
    pairs = {(a, b): n for a, b, n in paragraphs[["name_a", "name_b", "windows"]].values}
    # Paragraph 1 holds 林墨然 and 林墨, paragraph 2 苏晚, 老周 and 林墨.
    assert pairs == {
        ("林墨", "林墨然"): 1,
        ("林墨", "老周"): 1,
        ("林墨", "苏晚"): 1,
        ("老周", "苏晚"): 1,
    }


async def test_cooccurrence_needs_a_novel(source: Source) -> None:
    with pytest.raises(ConfigurationError, match="novel_id"):
        await _call(source, cooccurrence, novel_id=None)
    with pytest.raises(ConfigurationError, match="'chapter' or 'paragraph'"):
        await _call(source, cooccurrence, novel_id=data.A, window="book")


# --- text_stats --------------------------------------------------------------------------


async def test_text_stats_hand_counted(source: Source) -> None:
    frame = await _call(source, text_stats)
    row = frame[frame["version_id"] == 1001].iloc[0]
    # 罗兰说：“林墨在吗？”⏎⏎「走吧。」罗兰答。
    assert row["word_count"] == len(data.C10) == 22
    assert row["chars_nonspace"] == 20
    assert row["cjk_chars_plus_words"] == 12
    assert row["paragraphs"] == 2
    assert row["sentences"] == 3  # 吗？” ends one, 吧。」 and 答。 the others
    assert row["mean_sentence_chars"] == pytest.approx(20 / 3)
    assert row["dialogue_share"] == pytest.approx(8 / 16)  # 林墨在吗？ and 走吧。 of 16
    assert row["distinct_chars"] == 17
    crlf = frame[frame["version_id"] == 601].iloc[0]
    assert (crlf["word_count"], crlf["paragraphs"], crlf["sentences"]) == (13, 2, 2)
    empty = frame[frame["version_id"] == 301].iloc[0]
    assert (empty["word_count"], empty["sentences"]) == (0, 0)
    assert pd.isna(empty["mean_sentence_chars"])
    assert pd.isna(empty["dialogue_share"])
    assert frame["version_id"].tolist() == [101, 301, 401, 501, 601, 701, 1001]


async def test_text_stats_counts_equal_load_chapters(source: Source) -> None:
    stats = await _call(source, text_stats)
    async with session_on(source) as session:
        chapters = await novelkit.load_chapters(session)
    chapters = chapters[chapters["selected_version_id"].notna() & ~chapters["is_orphan"]]
    merged = stats.merge(chapters, left_on="version_id", right_on="selected_version_id")
    assert len(merged) == len(chapters)
    for name in ("chars_nonspace", "cjk_chars_plus_words"):
        assert merged[f"{name}_x"].tolist() == merged[f"{name}_y"].tolist()
    assert merged["word_count_x"].tolist() == merged["selected_chars"].tolist()


# --- a novel without texts --------------------------------------------------------------

#: In the app-created fixture: 未命名灵感, a draft with no chapter (so no text) at all,
#: and 星海拾遗录, a novel with chapter texts.
DRAFT = "f8746b7d-2d91-4d90-af73-d874f28764de"
WRITTEN = "86735cb7-c693-4ed3-90d6-c377b543ebf6"

TEXT_CALLS = {
    "search_text": lambda s, pid, fast: search_text(s, "林", novel_id=pid, fast=fast),
    "mentions": lambda s, pid, fast: mentions(s, novel_id=pid, fast=fast),
    "mentions_named": lambda s, pid, fast: mentions(s, ["林"], novel_id=pid, fast=fast),
    "cooccurrence": lambda s, pid, fast: cooccurrence(s, novel_id=pid, fast=fast),
    "text_stats": lambda s, pid, fast: text_stats(s, novel_id=pid, fast=fast),
}


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def fusion(request: pytest.FixtureRequest) -> Source:
    """The app-created fixture, on SQLite and MariaDB."""
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("fixture_sqlite"))
    return mysql_source(request.getfixturevalue("mysql_fixture_db"))


@pytest.mark.parametrize("fast", [False, None])
@pytest.mark.parametrize("name", list(TEXT_CALLS))
async def test_a_novel_without_texts_gives_a_typed_empty_frame(
    fusion: Source, name: str, fast: bool | None
) -> None:
    """Was KeyError: 'project_id' (an empty plan lost its columns)."""
    assert fusion.rows("SELECT id FROM chapters WHERE project_id = ?", (DRAFT,)) == []
    empty = await _call(fusion, TEXT_CALLS[name], DRAFT, fast)
    full = await _call(fusion, TEXT_CALLS[name], WRITTEN, fast)
    assert empty.empty
    assert not full.empty
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    both = await _call(fusion, TEXT_CALLS[name], [DRAFT, WRITTEN], fast)
    pd.testing.assert_frame_equal(both, full)


@pytest.mark.parametrize("versions", ["latest", "all"])
async def test_a_novel_without_texts_under_every_versions_rule(
    fusion: Source, versions: str
) -> None:
    frame = await _call(fusion, text_stats, novel_id=DRAFT, versions=versions)
    assert frame.empty
    assert list(frame.columns) == list((await _call(fusion, text_stats, novel_id=WRITTEN)).columns)


def _zero_counts(source: Source) -> dict[int, int]:
    """零号 and ZERO in each selected text of WRITTEN, counted in Python from raw rows."""
    rows = source.rows(
        "SELECT v.id, v.content FROM chapter_versions v JOIN chapters c "
        "ON v.id = c.selected_version_id WHERE c.project_id = ?",
        (WRITTEN,),
    )
    return {r["id"]: r["content"].count("零号") + r["content"].count("ZERO") for r in rows}


async def test_default_names_search_a_parenthesised_alias_by_its_parts(fusion: Source) -> None:
    """The blueprint says 零号 (ZERO), the text 零号: was counted 0 everywhere."""
    expected = _zero_counts(fusion)
    assert sum(expected.values()) > 0
    frame = await _call(fusion, mentions, novel_id=WRITTEN)
    zero = frame[frame["name"] == "零号 (ZERO)"]
    assert dict(zip(zero["version_id"], zero["count"], strict=True)) == expected
    assert "零号" not in set(frame["name"])  # counted under the blueprint's name
    pairs = await _call(fusion, cooccurrence, novel_id=WRITTEN)
    assert "零号 (ZERO)" in set(pairs["name_a"]) | set(pairs["name_b"])


async def test_full_width_parentheses_too(fixture_sqlite: Path) -> None:
    source = sqlite_source(fixture_sqlite)
    source.execute(
        "UPDATE blueprint_characters SET name = '零号（ZERO）' WHERE name = '零号 (ZERO)'",
        "UPDATE blueprint_relationships SET character_to = '零号（ZERO）' "
        "WHERE character_to = '零号 (ZERO)'",
    )
    frame = await _call(source, mentions, novel_id=WRITTEN)
    zero = frame[frame["name"] == "零号（ZERO）"]
    assert dict(zip(zero["version_id"], zero["count"], strict=True)) == _zero_counts(source)


#: README's dtype rules: integers nullable Int64, text string, flags boolean, ratios Float64.
RULE_DTYPES = {"Int64", "string", "boolean", "Float64"}


@pytest.mark.parametrize("name", ["search_text", "mentions", "cooccurrence", "text_stats"])
async def test_every_column_follows_the_dtype_rules(fusion: Source, name: str) -> None:
    """search_text's start, mentions' count and cooccurrence's windows were int64."""
    call = TEXT_CALLS[name]
    for project in (WRITTEN, DRAFT):  # with rows, and without (a novel with no text)
        frame = await _call(fusion, call, project, None)
        dtypes = {column: str(dtype) for column, dtype in frame.dtypes.items()}
        assert set(dtypes.values()) <= RULE_DTYPES, dtypes
        for column in ("start", "count", "windows", "chapter_number", "paragraphs"):
            if column in dtypes:
                assert dtypes[column] == "Int64", column


#: The fixture's novel whose blueprint names Iris 林 and Marcus 周; its text says Iris, Marcus.
MOONLIGHT = "c0077281-6f09-4dfa-8aaa-2de4d8c8affd"


def _selected_texts(source: Source, project: str) -> dict[int, str]:
    rows = source.rows(
        "SELECT v.id, v.content FROM chapter_versions v JOIN chapters c "
        "ON v.id = c.selected_version_id WHERE c.project_id = ?",
        (project,),
    )
    return {r["id"]: r["content"] for r in rows}


async def test_default_names_search_a_two_script_name_by_its_parts(fusion: Source) -> None:
    """The blueprint says Iris 林, the text Iris: was counted 0 everywhere."""
    texts = _selected_texts(fusion, MOONLIGHT)
    frame = await _call(fusion, mentions, novel_id=MOONLIGHT)
    for name, given in (("Iris 林", "Iris"), ("Marcus 周", "Marcus")):
        # Every "Iris 林" holds one "Iris": counting "Iris" counts each mention once.
        expected = {vid: text.count(given) for vid, text in texts.items()}
        assert sum(expected.values()) > 0
        rows = frame[frame["name"] == name]
        assert dict(zip(rows["version_id"], rows["count"], strict=True)) == expected, name
    assert not {"Iris", "Marcus", "林", "周"} & set(frame["name"])  # counted under the name
    pairs = await _call(fusion, cooccurrence, novel_id=MOONLIGHT)
    both = {vid for vid, text in texts.items() if "Iris" in text and "Marcus" in text}
    pair = pairs[(pairs["name_a"] == "Iris 林") & (pairs["name_b"] == "Marcus 周")]
    assert pair["windows"].tolist() == [len(both)]


async def test_default_names_search_a_transcribed_name_by_its_given_name(
    fusion: Source,
) -> None:
    """The blueprint says 维克多·陈, the text 维克多: was counted 0 everywhere."""
    texts = _selected_texts(fusion, WRITTEN)
    expected = {vid: text.count("维克多") for vid, text in texts.items()}
    assert sum(expected.values()) > 0
    frame = await _call(fusion, mentions, novel_id=WRITTEN)
    rows = frame[frame["name"] == "维克多·陈"]
    assert dict(zip(rows["version_id"], rows["count"], strict=True)) == expected
    assert not {"维克多", "陈"} & set(frame["name"])  # counted under the blueprint's name
    pairs = await _call(fusion, cooccurrence, novel_id=WRITTEN)
    assert "维克多·陈" in set(pairs["name_a"]) | set(pairs["name_b"])


async def test_a_one_character_part_is_not_searched_alone(fixture_sqlite: Path) -> None:
    """林 of Iris 林 is a surname and a common character: every 树林 would count."""
    source = sqlite_source(fixture_sqlite)
    texts = _selected_texts(source, MOONLIGHT)
    first = min(texts)
    source.execute(
        f"UPDATE chapter_versions SET content = content || '树林四周，林间。' WHERE id = {first}"
    )
    frame = await _call(source, mentions, novel_id=MOONLIGHT)
    rows = frame[(frame["name"] == "Iris 林") & (frame["version_id"] == first)]
    assert rows["count"].tolist() == [texts[first].count("Iris")]
    rows = frame[(frame["name"] == "Marcus 周") & (frame["version_id"] == first)]
    assert rows["count"].tolist() == [texts[first].count("Marcus")]


# --- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"versions": "newest"}, ConfigurationError, "'latest'"),
        ({"versions": 1}, WrongTypeError, "versions must be one of"),
        ({"context": -1}, ConfigurationError, "0 or more"),
        ({"context": "5"}, WrongTypeError, "whole number"),
        ({"regex": "yes"}, WrongTypeError, "True or False"),
        ({"novel_id": "p-z"}, UnknownObjectError, "No novel"),
    ],
)
async def test_bad_arguments_say_what_is_accepted(
    built_sqlite: Path, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await _call(sqlite_source(built_sqlite), search_text, "林墨", **kwargs)


async def test_a_target_must_be_a_session() -> None:
    with pytest.raises(WrongTypeError, match="AsyncSession"):
        await search_text("sqlite:///x.db", "林墨")  # type: ignore[arg-type]


# --- pages -------------------------------------------------------------------------------


async def test_pages_hold_no_lock_between_them(
    built_sqlite: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Between two pages a writer gets SQLite's write lock at once (no busy wait)."""
    path = tmp_path / "copy.sqlite"
    path.write_bytes(built_sqlite.read_bytes())
    written = []
    async with session_on(sqlite_source(path)) as session:
        source = await _pages.plan_texts(session, None, "all", desc="test")
        async for page in source.pages(progress=False, page_size=2):
            writer = sqlite3.connect(path, timeout=0)
            try:
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("UPDATE users SET username = username")
                writer.commit()
            finally:
                writer.close()
            written.append(len(page))
    assert sum(written) == 11  # every version but the two orphans
    assert len(written) == 6


async def test_results_do_not_depend_on_the_page_size(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = await _call(source, mentions, ["林墨", "苏晚"], versions="all")
    monkeypatch.setattr(_pages, "PAGE_TEXTS", 3)
    paged = await _call(source, mentions, ["林墨", "苏晚"], versions="all")
    pd.testing.assert_frame_equal(whole, paged)


def test_facade_twins_give_the_same_frames(built_sqlite: Path) -> None:
    with novelkit.connect(built_sqlite) as db:
        frame = db.search_text("林墨", versions="all")
        assert len(frame) == 11  # ten in A, one in B
        assert db.mentions(["林墨"], novel_id=data.A)["count"].sum() == 7
        assert len(db.text_stats(novel_id=data.B)) == 1
        assert len(db.cooccurrence(novel_id=data.A)) == 6


# --- the demo on both backends -----------------------------------------------------------

PARITY = {
    "search_selected": lambda s, pid: search_text(s, "的", context=5),
    "search_all_regex": lambda s, pid: search_text(s, r"[“「]", regex=True, versions="all"),
    "mentions_latest": lambda s, pid: mentions(s, versions="latest"),
    "mentions_all": lambda s, pid: mentions(s, versions="all"),
    "cooccurrence_paragraph": lambda s, pid: cooccurrence(s, novel_id=pid, window="paragraph"),
    "text_stats_all": lambda s, pid: text_stats(s, versions="all"),
}


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Source, Source]]:
    path = tmp_path_factory.mktemp("text-demo") / "tiny.sqlite"
    novelkit.build_demo(path, scale="tiny", seed=0, progress=False)
    for db in scratch_database("textdemo"):
        novelkit.build_demo(db.url, scale="tiny", seed=0, progress=False)
        yield sqlite_source(path), mysql_source(db)


@pytest.mark.mysql
@pytest.mark.parametrize("name", list(PARITY))
async def test_demo_frames_are_equal_on_both_backends(
    demo_pair: tuple[Source, Source], name: str
) -> None:
    frames = []
    for source in demo_pair:
        async with session_on(source) as session:
            novels = await novelkit.load_novels(session)
            busiest = novels.sort_values(["chapters", "project_id"]).iloc[-1]["project_id"]
            frames.append(await PARITY[name](session, busiest))
    assert len(frames[0]) > 0
    pd.testing.assert_frame_equal(frames[0], frames[1])
