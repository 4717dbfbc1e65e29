"""The byte-level word counts equal the regular-expression definitions on any text.

The reference below is the implementation ``novelkit.loaders.wordcount`` had before the
byte kernels (``str.count`` of regular expressions); it is kept here, unchanged in
meaning, so that the fast counts are always checked against it.
"""

from __future__ import annotations

import doctest
import random
import re
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from novelkit.errors import ConfigurationError
from novelkit.loaders import _counts
from novelkit.loaders._counts import chars_nonspace, cjk_chars_plus_words, text_counts

_CJK = r"[\u4e00-\u9fa5]"
_LATIN_WORD = r"[A-Za-z]+(?:['’-][A-Za-z]+)*"


def reference(values: list[str | None], *, chars: bool = False) -> pd.DataFrame:
    """The counts by regular expressions; with ``chars``, ``len()`` first (text_lengths)."""
    strings = pd.Series(values, dtype=object).astype("string")
    lengths = {"chars": strings.str.len().astype("Int64")} if chars else {}
    return pd.DataFrame(
        {
            **lengths,
            "chars_nonspace": (strings.str.len() - strings.str.count(r"\s")).astype("Int64"),
            "cjk_chars_plus_words": (
                strings.str.count(_CJK) + strings.str.count(_LATIN_WORD)
            ).astype("Int64"),
        }
    )


# Every code point Python's re calls whitespace, enumerated rather than guessed.
SPACES = [chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))]

# Characters that sit on the edges the byte kernel tests: the CJK range and its UTF-8
# neighbours (U+4000 = E4 80 80, U+4DFF, U+9FA6..U+9FFF after E9 BE A5, 龙 = E9 BE 99),
# leads shared with spaces (E3: 。、「」, E2: “”…—’), letters and connectors, full-width
# letters (not Latin words), digits, emoji (4 bytes), Latin-1, Greek, Cyrillic.
EDGES = list(
    "\u4e00\u4dff\u4000\u4db5\u9fa5\u9fa6\u9fbf\u9fbe\u9f99\u9fff\u4e86\u5000\u8fff\u9000"
    "。、「」『』“”‘’…—\u3001\u3002\u3040\u30a2\u3100"
    "aZzAqQ'’-‐Ａｚ０９09,.!?"
    "éßÄπΣжЖ\u00a1\u00bf\u0100\u1680\u1681\u2000\u200b\u2027\u202a\u2060\u205f\u2066"
    "😀👩‍💻🌙\U00020000\U0002a6d6"
)
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(EDGES),
        st.sampled_from(SPACES),
        st.characters(codec="utf-8"),  # anything encodable: no lone surrogates
    ),
    max_size=40,
) | st.lists(st.sampled_from(EDGES + SPACES), max_size=40).map("".join)
columns = st.lists(st.one_of(st.none(), texts), max_size=12)


def test_docstring_examples() -> None:
    assert doctest.testmod(_counts).failed == 0


def test_the_whitespace_table_is_python_s_whitespace() -> None:
    assert [chr(c) for c in _counts.WHITESPACE] == SPACES
    assert len(SPACES) == 29


@settings(max_examples=400, deadline=None)
@given(values=columns, slice_bytes=st.integers(1, 64))
def test_counts_equal_the_regex_definitions(values: list[str | None], slice_bytes: int) -> None:
    expected = reference(values, chars=True)
    array = pa.array(values, type=pa.large_string())
    got = _counts._text_counts(array, slice_bytes=slice_bytes, chars=True)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(
        _counts._text_counts(array, slice_bytes=slice_bytes), expected.drop(columns="chars")
    )


def random_texts(seed: int, count: int) -> list[str | None]:
    """Many short texts drawn mostly from the edge characters, a few from anywhere."""
    rng = random.Random(seed)
    pool = EDGES + SPACES
    values: list[str | None] = []
    for _ in range(count):
        if rng.random() < 0.05:
            values.append(None)
            continue
        chars = []
        for _ in range(rng.randrange(0, 30)):
            if rng.random() < 0.9:
                chars.append(rng.choice(pool))
            else:
                code = rng.randrange(0x110000)
                chars.append(chr(code) if not 0xD800 <= code < 0xE000 else "x")
        values.append("".join(chars))
    return values


@pytest.mark.parametrize("slice_bytes", [1, 5, 64, 1 << 19])
def test_counts_equal_the_regex_definitions_on_many_random_texts(slice_bytes: int) -> None:
    values = random_texts(seed=slice_bytes, count=20_000)
    got = _counts._text_counts(pa.array(values), slice_bytes=slice_bytes, chars=True)
    pd.testing.assert_frame_equal(got, reference(values, chars=True))


@settings(max_examples=150, deadline=None)
@given(values=columns, start=st.integers(0, 3), chunk=st.integers(1, 5))
def test_counts_on_sliced_and_chunked_arrow_columns(
    values: list[str | None], start: int, chunk: int
) -> None:
    """32-bit offsets, an array that starts at an offset, several chunks."""
    expected = reference(values[start:], chars=True).reset_index(drop=True)
    sliced = pa.array(values, type=pa.string()).slice(start)
    pieces = [sliced.slice(i, chunk) for i in range(0, len(sliced), chunk)]
    for column in (sliced, pa.chunked_array(pieces, type=pa.string())):
        got = _counts._text_counts(column, slice_bytes=16, chars=True)
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    "text",
    [
        "a'b’c-d",  # one word through every connector
        "a''b a--b a’’b",  # a doubled connector ends a word: six words
        "'a a' -a- ’a’",  # connectors at the edges are not part of words
        "x’\u2019y",  # two right quotes
        "\u2019a",  # a word right after a leading quote: the value's start
        "Ａbc ｄef",  # full-width letters are not Latin
        "\u4dff\u4e00\u9fa5\u9fa6\u9fbe\u9f99",
        "\u3000\u3000他说：“OK，走吧。”\r\n",
        "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\x0b\x0c",
        "\x00\x08\x0e\x1b\x7f\u200b\u2060\ufeff",  # control and zero-width: not whitespace
    ],
)
def test_hand_picked_edges(text: str) -> None:
    for slice_bytes in (1, 3, 1 << 19):
        got = _counts._text_counts(
            pa.array([text, "ab", text]), slice_bytes=slice_bytes, chars=True
        )
        pd.testing.assert_frame_equal(got, reference([text, "ab", text], chars=True))


def test_a_word_does_not_continue_from_the_previous_value() -> None:
    # "b" ends the first value, "'c" starts the next: c starts a word there.
    values = ["ab", "'c", "x’", "d", "-", "e"]
    for slice_bytes in (1, 2, 100):
        got = _counts._text_counts(pa.array(values), slice_bytes=slice_bytes)
        assert got["cjk_chars_plus_words"].tolist() == [1, 1, 1, 1, 0, 1]


def test_series_keep_index_name_and_missing_values() -> None:
    series = pd.Series(["风起 wind", None, "雨", np.nan], index=[10, 20, 30, 40], name="content")
    nonspace = chars_nonspace(series)
    words = cjk_chars_plus_words(series)
    for result in (nonspace, words):
        assert list(result.index) == [10, 20, 30, 40]
        assert result.name == "content"
        assert str(result.dtype) == "Int64"
    assert nonspace.tolist() == [6, pd.NA, 1, pd.NA]
    assert words.tolist() == [3, pd.NA, 1, pd.NA]


@pytest.mark.parametrize(
    "make",
    [
        lambda v: pd.Series(v, dtype=object),
        lambda v: pd.Series(v, dtype="str"),
        lambda v: pd.Series(v, dtype="string[pyarrow]"),
        lambda v: pd.Series(v, dtype="string[python]"),
        lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.large_string())),
        lambda v: pd.arrays.ArrowStringArray(pa.array(v, type=pa.large_string())),
        lambda v: pa.array(v, type=pa.string_view()),
        lambda v: np.array(v, dtype=object),
    ],
    ids=[
        "object",
        "str",
        "string-pyarrow",
        "string-python",
        "arrow-dtype",
        "ArrowStringArray",
        "string_view",
        "ndarray",
    ],
)
def test_every_kind_of_column(make: object) -> None:
    values = ["第一章 风起", None, "It's OK。", ""]
    got = text_counts(make(values))  # type: ignore[operator]
    assert got["chars_nonspace"].tolist() == [5, pd.NA, 7, 0]
    assert got["cjk_chars_plus_words"].tolist() == [5, pd.NA, 2, 0]


def test_all_missing_and_empty_columns() -> None:
    assert text_counts(pd.Series([None, None], dtype=object))["chars_nonspace"].tolist() == [
        pd.NA,
        pd.NA,
    ]
    assert text_counts(pa.array([None, None])).isna().all().all()
    assert len(text_counts(pa.array([], type=pa.string()))) == 0
    assert len(text_counts(pd.Series([], dtype=object))) == 0
    assert text_counts(pa.array(["", ""]))["chars_nonspace"].tolist() == [0, 0]


def test_numbers_in_an_object_column_are_counted_as_their_text() -> None:
    got = text_counts(pd.Series([12, None, "x y"], dtype=object))
    assert got["chars_nonspace"].tolist() == [2, pd.NA, 2]


def test_a_long_value_is_one_slice() -> None:
    text = "天地玄黄 state-of-the-art\u3000" * 50_000
    got = _counts._text_counts(pa.array(["a", text, "b"]), slice_bytes=1024)
    pd.testing.assert_frame_equal(got, reference(["a", text, "b"]))


def test_wrong_input_says_what_to_pass() -> None:
    with pytest.raises(ConfigurationError, match="pass a string column"):
        text_counts(pa.array([1, 2]))
    with pytest.raises(ConfigurationError, match="pass a pandas Series"):
        text_counts("一段文字")
    with pytest.raises(ConfigurationError, match="lone surrogate"):
        text_counts(pd.Series(["ok", "bad\ud800"], dtype=object))


async def test_length_counter_counts_on_its_own_thread_in_chunk_order() -> None:
    """``LengthCounter`` (the loaders' counts as chunks arrive) gives what one
    ``text_lengths`` over the whole column gives, counted off the caller's thread."""
    import threading

    from novelkit.loaders import _fetch

    texts = ["第一章 风起", None, "It's OK。", "", "state-of-the-art 的 AI"] * 50
    threads: set[str] = set()
    original = _fetch.text_lengths

    def recorded(chunk: pa.Array) -> pd.DataFrame:
        threads.add(threading.current_thread().name)
        return original(chunk)

    chunks = [pa.array(texts[i : i + 7], type=pa.large_string()) for i in range(0, len(texts), 7)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fetch, "text_lengths", recorded)
        with _fetch.LengthCounter(["content"]) as counter:
            for chunk in chunks:
                counter.add("content", chunk)
                counter.add("other", chunk)  # not a column to count: ignored
            await counter.counted()
            counted = counter.result("content")
    pd.testing.assert_frame_equal(counted, reference(texts, chars=True))
    assert threads
    assert all(name.startswith("novelkit-count") for name in threads), threads


async def test_a_length_counter_left_early_drops_what_it_has_not_counted() -> None:
    """Leaving the counter (a cancelled load) does not wait for the chunks queued."""
    import threading
    import time

    from novelkit.loaders import _fetch

    started, release = threading.Event(), threading.Event()
    counted: list[int] = []

    def slow(chunk: pa.Array) -> pd.DataFrame:
        started.set()
        release.wait(10)
        counted.append(len(chunk))
        return text_counts(chunk)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fetch, "text_lengths", slow)
        begun = time.monotonic()
        with _fetch.LengthCounter(["content"]) as counter:
            for _ in range(5):
                counter.add("content", pa.array(["x"], type=pa.large_string()))
            assert started.wait(10)
        left_after = time.monotonic() - begun
        release.set()
        deadline = time.monotonic() + 10
        while not counted and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # room for a queued chunk to be (wrongly) counted too
    assert left_after < 5  # not held up by the chunk being counted
    assert counted == [1]  # the four queued chunks were dropped
