"""Text statistics on hand-made paragraphs whose answers were counted by hand.

Each case lists (word_count, chars_nonspace, cjk_chars_plus_words, paragraphs,
sentences, mean_sentence_chars, dialogue_share, distinct_chars); the comment above it
shows the counting.
"""

from __future__ import annotations

import doctest
import re

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from novelkit.errors import ConfigurationError
from novelkit.loaders._counts import text_counts
from novelkit.text import _stats
from novelkit.text._stats import STAT_COLUMNS, stats_frame, stats_rows, text_stats

NA = None

CASES = [
    # Empty: nothing to count, no sentence, no ratio.
    ("", (0, 0, 0, 0, 0, NA, NA, 0)),
    # Only whitespace (U+3000 and a tab included): 6 code points, two blank lines.
    ("  \u3000\n \t", (6, 0, 0, 0, 0, NA, NA, 0)),
    # 『』 nested in 「」. 20 characters, 13 ideographs (他说她告诉我别回头然后走了).
    # Sentences: ...头』。」 (。 then the closer 」) | 然后走了。 -> 2; 20 / 2 = 10.
    # Dialogue: 4 quote marks out; inside 她告诉我 别回头 。 = 8, outside 他说： 然后走了。
    # = 8 -> 8 / 16. Distinct: 。 twice -> 19.
    ("他说：「她告诉我『别回头』。」然后走了。", (20, 20, 13, 1, 2, 10.0, 0.5, 19)),
    # ？！ is one end, …… is one end: 什么？！ | 你…… | 走吧。 -> 3 sentences of 10 chars.
    # No quotes: share 0. Distinct: … twice -> 9.
    ("什么？！你……走吧。", (10, 10, 5, 1, 3, 10 / 3, 0.0, 9)),
    # Quotes closing after the terminator stay with the sentence:
    # “你来了？” | 他问。 | “嗯。” -> 3. Quote marks 4 out of 13 -> 9; inside 你来了？ 嗯。
    # = 6 -> 6 / 9. Distinct: “ ” 。 each twice -> 10.
    ("“你来了？”他问。“嗯。”", (13, 13, 6, 1, 3, 13 / 3, 6 / 9, 10)),
    # ASCII prose: 7 spaces, 43 others; words Hello world It's a state-of-the-art test
    # Is it = 8; Hello, world! | It's a state-of-the-art test. | Is it? -> 3.
    # Distinct: H e l o , w r d ! I t ' s a - f h . i ? = 20. ' is not a dialogue quote.
    ("Hello, world! It's a state-of-the-art test. Is it?", (50, 43, 8, 1, 3, 43 / 3, 0.0, 20)),
    # ASCII double quotes: "Run!" | she said. -> 2 sentences, 14 non-space; dialogue
    # Run! = 4 of 12 (2 marks out). Distinct: " R u n ! s h e a i d . = 12.
    ('"Run!" she said.', (16, 14, 3, 1, 2, 7.0, 4 / 12, 12)),
    # CRLF, a heading, a blank line, an unclosed quote that stops at its paragraph's end:
    # 第一章 风起 (6) + 2 CRLF (4) + “等等，他说 (6) + CRLF (2) + 好。 (2) = 20 code points;
    # non-space 5 + 6 + 2 = 13; ideographs 5 + 4 + 1 = 10; 3 paragraphs, each one sentence
    # (the heading and the unclosed line have no terminator). Dialogue 等等，他说 = 5 of
    # 5 + 5 + 2 = 12 (the quote does not run into 好。). Distinct: 等 twice -> 12.
    ("第一章 风起\r\n\r\n“等等，他说\r\n好。", (20, 13, 10, 3, 3, 13 / 3, 5 / 12, 12)),
    # A closing mark with nothing open is ignored; ASCII quotes nest inside 「」:
    # 他笑了”。 | 「她说"好"」 -> 2. Marks ” 「 " " 」 out: 7 left, inside 她说好 = 3.
    # Distinct: " twice -> 11.
    ('他笑了”。「她说"好"」', (12, 12, 6, 1, 2, 6.0, 3 / 7, 11)),
    # Only quote marks (and a space): one sentence without terminator, nothing to share.
    ("“ ”", (3, 2, 0, 1, 1, 2.0, NA, 2)),
    # ASCII ellipsis and question: 真的吗...? | 不会吧. -> 2; distinct 真的吗.?不会吧 = 8.
    ("真的吗...?不会吧.", (11, 11, 6, 1, 2, 5.5, 0.0, 8)),
    # A "." before a digit or letter ends no sentence (was 4 sentences): 水深1.5米。 |
    # v2.0上线了. -> 2; 15 characters, none a space; ideographs 水深 米 上线了 = 6 and the
    # word v -> 7; distinct: . twice -> 13.
    ("水深1.5米。v2.0上线了.", (15, 15, 7, 1, 2, 7.5, 0.0, 13)),
    # U+2028 is a line break (and whitespace); ） after 。 stays: 他走了。） | （完） -> 2.
    ("他走了。）\u2028（完）", (9, 8, 4, 2, 2, 4.0, 0.0, 7)),
    # An emoji and an Extension B ideograph are one code point each; 𠀀 is not in
    # [\u4e00-\u9fa5]; one sentence without terminator.
    ("😀𠀀好", (3, 3, 1, 1, 1, 3.0, 0.0, 3)),
]


def test_docstring_examples() -> None:
    assert doctest.testmod(_stats).failed == 0


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[repr(t)[:24] for t, _ in CASES])
def test_hand_counted(text: str, expected: tuple[object, ...]) -> None:
    got = text_stats(text)
    assert tuple(getattr(got, column) for column in STAT_COLUMNS) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="风起 \u3000\n\r“”。？A'b-", max_size=30), max_size=8))
def test_counts_are_those_of_the_count_module(texts: list[str]) -> None:
    counts = text_counts(pa.array(texts, type=pa.large_string()))
    for text, nonspace, cjk in zip(
        texts, counts["chars_nonspace"], counts["cjk_chars_plus_words"], strict=True
    ):
        stats = text_stats(text)
        assert (stats.word_count, stats.chars_nonspace, stats.cjk_chars_plus_words) == (
            len(text),
            nonspace,
            cjk,
        )


def reference(text: str) -> tuple[int, int, float | None, int]:
    """Paragraphs, sentences, dialogue share and distinct characters, one character at a
    time, paragraph by paragraph: slow and plain."""
    terminators, closers = "。！？…!?.", "”’」』）)\"'"
    closer_of = {"“": "”", "「": "」", "『": "』", '"': '"'}
    paragraphs = sentences = inside = total = 0
    for line in re.split("\r\n|\n|\r|\u2028|\u2029", text):
        if not line.strip():
            continue
        paragraphs += 1
        i, content = 0, False
        while i < len(line):
            if line[i] in terminators:
                i += 1
                while i < len(line) and line[i] in terminators + closers:
                    i += 1
                sentences, content = sentences + 1, False
                continue
            content = content or not line[i].isspace()
            i += 1
        sentences += content
        waiting: list[str] = []
        for char in line:
            if char in waiting:
                while waiting.pop() != char:
                    pass
            elif char in closer_of:
                waiting.append(closer_of[char])
            elif char not in "”」』" and not char.isspace():
                total += 1
                inside += bool(waiting)
    distinct = len({char for char in text if not char.isspace()})
    return paragraphs, sentences, inside / total if total else None, distinct


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="风 \u3000\t\n\r\u2028“”「」『』\"'。？！….!?）", max_size=40))
def test_whole_text_scans_equal_the_paragraph_by_paragraph_reference(text: str) -> None:
    got = text_stats(text)
    paragraphs, sentences, share, distinct = reference(text)
    assert (got.paragraphs, got.sentences, got.distinct_chars) == (
        paragraphs,
        sentences,
        distinct,
    )
    assert got.dialogue_share == pytest.approx(share)


def test_stats_frame_dtypes_and_missing_texts() -> None:
    frame = stats_frame(
        [(("p", 1), "好。"), (("p", 2), None), (("p", 3), "")], keys=["project", "chapter"]
    )
    assert list(frame.columns) == ["project", "chapter", *STAT_COLUMNS]
    assert str(frame["sentences"].dtype) == "Int64"
    assert str(frame["dialogue_share"].dtype) == "Float64"
    assert frame["chapter"].dtype == "int64"
    assert frame.loc[1, STAT_COLUMNS].isna().all()
    assert frame.loc[2, "word_count"] == 0
    assert pd.isna(frame.loc[2, "mean_sentence_chars"])
    assert frame.loc[0, "mean_sentence_chars"] == 2.0
    with pytest.raises(ConfigurationError, match="one per name in keys"):
        stats_frame([((1, 2), "好")], keys=["id"])


def test_rows_are_fed_page_by_page() -> None:
    pages = [[((1,), "好。")], [], [((2,), None)]]
    rows = [row for page in pages for row in stats_rows(page)]
    assert [row[0] for row in rows] == [1, 2]
    assert rows[1][1:] == (None,) * len(STAT_COLUMNS)


def test_non_string_text_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="needs a str"):
        text_stats(b"bytes")  # type: ignore[arg-type]
