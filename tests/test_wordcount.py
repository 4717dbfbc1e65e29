"""Chapter lengths the ways Arboris counts them, on hand-made strings and on the fixture.

``word_count`` (the app's) is ``len(content)``; ``chars_nonspace`` counts
non-whitespace code points; ``cjk_chars_plus_words`` counts CJK ideographs
``[\\u4e00-\\u9fa5]`` plus Latin words.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from _loaders_support import Source, mysql_source, session_on, sqlite_source

from novelkit.loaders import chars_nonspace, cjk_chars_plus_words, load_chapters, load_versions

CASES = [
    # text, chars_nonspace, cjk_chars_plus_words
    ("", 0, 0),
    ("第一章 风起", 5, 5),
    ("Hello, world! It's a state-of-the-art test.", 38, 6),
    # Full-width indent, full-width punctuation, CRLF as the text import leaves it.
    ("\u3000\u3000他说：“OK，走吧。”\r\n", 11, 5),
    # Emoji are code points (a ZWJ sequence is three); the title of a fixture novel.
    ("🌙 Moonlight Protocol：月光协议 👩\u200d💻", 26, 6),
    # No-break space, tab, em space are whitespace.
    ("a\u00a0b\tc\u2003d", 4, 4),
    # Digits are not words; the range ends at U+9FA5.
    ("2026年\u9fa5\u9fa6", 7, 2),
    ("  \n\t\u3000 ", 0, 0),
]


@pytest.mark.parametrize(("text", "nonspace", "cjk_words"), CASES)
def test_counts_on_hand_made_strings(text: str, nonspace: int, cjk_words: int) -> None:
    series = pd.Series([text])
    assert chars_nonspace(series).tolist() == [nonspace]
    assert cjk_chars_plus_words(series).tolist() == [cjk_words]


def test_counts_keep_index_and_missing_values() -> None:
    series = pd.Series(["风起 wind", None, "雨"], index=[10, 20, 30], dtype=object)
    nonspace = chars_nonspace(series)
    words = cjk_chars_plus_words(series)
    assert list(nonspace.index) == [10, 20, 30]
    assert str(nonspace.dtype) == "Int64"
    assert str(words.dtype) == "Int64"
    assert nonspace.tolist() == [6, pd.NA, 1]
    assert words.tolist() == [3, pd.NA, 1]


def test_counts_are_vectorised_over_a_long_column() -> None:
    series = pd.Series(["天地玄黄 abc"] * 5_000)
    assert chars_nonspace(series).sum() == 7 * 5_000
    assert cjk_chars_plus_words(series).sum() == 5 * 5_000


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def fx(request: pytest.FixtureRequest) -> Source:
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("fixture_sqlite"))
    return mysql_source(request.getfixturevalue("mysql_fixture_db"))


def _python_counts(text: str) -> tuple[int, int, int]:
    cjk = len(re.findall("[\u4e00-\u9fa5]", text))
    words = len(re.findall(r"[A-Za-z]+(?:['’-][A-Za-z]+)*", text))
    return len(text), sum(not ch.isspace() for ch in text), cjk + words


async def test_fixture_versions_and_chapters_counts(fx: Source) -> None:
    texts = {r["id"]: r["content"] for r in fx.rows("SELECT id, content FROM chapter_versions")}
    chapters = {
        r["id"]: r for r in fx.rows("SELECT id, word_count, selected_version_id FROM chapters")
    }
    async with session_on(fx) as session:
        versions = await load_versions(session, content=True)
        frame = await load_chapters(session)
    for row in versions.to_dict("records"):
        chars, nonspace, cjk_words = _python_counts(texts[row["id"]])
        assert (row["chars"], row["chars_nonspace"], row["cjk_chars_plus_words"]) == (
            chars,
            nonspace,
            cjk_words,
        )
    # The fixture holds CRLF text and a ~20,000-character chapter.
    assert any("\r\n" in t for t in texts.values())
    assert max(len(t) for t in texts.values()) >= 19_000
    for row in frame.to_dict("records"):
        text = texts.get(chapters[row["id"]]["selected_version_id"])
        if text is None:
            assert pd.isna(row["selected_chars"])
            assert pd.isna(row["chars_nonspace"])
            assert pd.isna(row["cjk_chars_plus_words"])
            continue
        chars, nonspace, cjk_words = _python_counts(text)
        # The app stores len(content) of the selected version, whitespace included.
        assert row["word_count"] == chars == row["selected_chars"]
        assert (row["chars_nonspace"], row["cjk_chars_plus_words"]) == (nonspace, cjk_words)
