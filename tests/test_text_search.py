"""Search in chapter texts: NFC offsets, folding, literal vs regex, KWIC rows."""

from __future__ import annotations

import doctest
import re
import sys

import pytest
from hypothesis import given, settings, strategies as st

from novelkit.errors import ConfigurationError
from novelkit.text import _normalize, _search
from novelkit.text._search import compile_pattern, find_matches, kwic, match_rows, matches_frame


@pytest.mark.parametrize("module", [_normalize, _search])
def test_docstring_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_literal_matches_do_not_overlap() -> None:
    assert find_matches("哈哈哈哈哈", compile_pattern("哈哈")) == [(0, 2), (2, 4)]
    assert find_matches("aaaa", compile_pattern("aa", regex=True)) == [(0, 2), (2, 4)]


def test_offsets_are_code_points_of_the_nfc_text() -> None:
    # An emoji and an Extension B ideograph count as one code point each.
    text = "😀𠀀林墨"
    assert find_matches(text, compile_pattern("林墨")) == [(2, 4)]
    # Decomposed é (e + U+0301) is one code point in NFC, in the text and in the pattern.
    decomposed = "cafe\u0301 林墨"
    assert find_matches(decomposed, compile_pattern("林墨")) == [(5, 7)]
    assert find_matches(decomposed, compile_pattern("cafe\u0301")) == [(0, 4)]
    assert find_matches("caf\u00e9", compile_pattern("cafe\u0301")) == [(0, 4)]


def test_ignore_case_folds_width_and_case_one_for_one() -> None:
    matcher = compile_pattern("ai", ignore_case=True)
    assert find_matches("ＡＩ，Ai，aI，ａｉ", matcher) == [(0, 2), (3, 5), (6, 8), (9, 11)]
    assert find_matches("ＡＩ", compile_pattern("ai")) == []
    assert find_matches("第１章", compile_pattern("第1章", ignore_case=True)) == [(0, 3)]
    # ß stays one code point (casefold would make it "ss" and shift every offset).
    text = "Straße STRASSE straße"
    assert find_matches(text, compile_pattern("STRASSE", ignore_case=True)) == [(7, 14)]
    assert find_matches(text, compile_pattern("straße", ignore_case=True)) == [(0, 6), (15, 21)]
    # Full-width letters in the pattern fold too.
    assert find_matches("gpt", compile_pattern("ＧＰＴ", ignore_case=True)) == [(0, 3)]


def test_line_breaks_only_a_regex_can_cross_them() -> None:
    text = "他转身离开\n门外下着雨"
    assert find_matches(text, compile_pattern("离开门外")) == []
    assert find_matches(text, compile_pattern("离开.门外", regex=True)) == []  # . is not \n
    assert find_matches(text, compile_pattern(r"离开\n门外", regex=True)) == [(3, 8)]
    assert find_matches(text, compile_pattern(r"离开\s*门外", regex=True)) == [(3, 8)]
    # A literal that holds the break itself is found across it.
    assert find_matches(text, compile_pattern("离开\n门外")) == [(3, 8)]


def test_regex_empty_matches_are_not_reported() -> None:
    assert find_matches("ab", compile_pattern("x*", regex=True)) == []
    assert find_matches("axxb", compile_pattern("x*", regex=True)) == [(1, 3)]


@pytest.mark.parametrize("pattern", ["", 3, None])
def test_empty_or_non_string_pattern_is_a_configuration_error(pattern: object) -> None:
    with pytest.raises(ConfigurationError, match="pattern"):
        compile_pattern(pattern)  # type: ignore[arg-type]


def test_invalid_regex_names_the_problem() -> None:
    with pytest.raises(
        ConfigurationError, match=r"missing \), unterminated subpattern.*regex=False"
    ):
        compile_pattern("林(墨", regex=True)
    # The same text is fine as a literal.
    assert find_matches("林(墨", compile_pattern("林(墨")) == [(0, 3)]


def test_kwic_cuts_first_then_marks_line_breaks() -> None:
    text = "上一段。\r\n林墨推门\r\n而入。"
    (span,) = find_matches(text, compile_pattern("林墨"))
    assert span == (6, 8)
    # Two code points before the match are "\r\n": one break, shown as one mark.
    assert kwic(text, *span, context=2) == ("林墨", "⏎", "推门")
    assert kwic(text, *span, context=3) == ("林墨", "。⏎", "推门⏎")
    # A context of 1 cuts the pair: the lone "\n" is still a break.
    assert kwic(text, *span, context=1) == ("林墨", "⏎", "推")
    assert kwic("a\u2028b\u2029c\rd", 2, 3, context=2) == ("b", "a⏎", "⏎c")
    assert kwic("林墨", 0, 2, context=0) == ("林墨", "", "")
    with pytest.raises(ConfigurationError, match="context"):
        kwic("林墨", 0, 2, context=-1)


def test_match_rows_feed_page_by_page_with_missing_texts() -> None:
    pages = [
        [((1, 1), "林墨来了。林墨走了。"), ((1, 2), None)],
        [((1, 3), ""), ((2, 1), "无人")],
        [((2, 2), "\u6797\u58a8")],
    ]
    matcher = compile_pattern("林墨")
    rows = [row for page in pages for row in match_rows(page, matcher, context=2)]
    assert rows == [
        (1, 1, 0, "林墨", "", "来了"),
        (1, 1, 5, "林墨", "了。", "走了"),
        (2, 2, 0, "林墨", "", ""),
    ]


def test_matches_frame_columns_and_dtypes() -> None:
    frame = matches_frame(
        [(("p1", 3), "风起\n风停"), (("p2", 1), None)],
        compile_pattern("风"),
        keys=["project_id", "chapter"],
        context=1,
    )
    assert list(frame.columns) == ["project_id", "chapter", "start", "match", "before", "after"]
    assert frame["start"].dtype == "int64"
    assert frame.to_dict("records")[1] == {
        "project_id": "p1",
        "chapter": 3,
        "start": 3,
        "match": "风",
        "before": "⏎",
        "after": "停",
    }
    empty = matches_frame([], compile_pattern("风"), keys=["id"])
    assert list(empty.columns) == ["id", "start", "match", "before", "after"]
    assert len(empty) == 0
    with pytest.raises(ConfigurationError, match="one per name in keys"):
        matches_frame([((1, 2), "风")], compile_pattern("风"), keys=["id"])


# -- the fast path and the general path agree --------------------------------------------

# Texts mix what folding touches (ASCII and full-width letters and digits, cased letters
# of other scripts, ß, the Kelvin sign) with what it does not (CJK, punctuation).
FOLDED = list("aAzZiIsSkK09ＡａＺｚＩｉＳｓ０９éÉßẞΣσςΩ\u0130\u0131\u017f\u212a")
PLAIN = list("林墨然小哈，。“”…—\n\r 😀𠀀\u2028")
text_strategy = st.text(alphabet=st.sampled_from(FOLDED + PLAIN) | st.characters(), max_size=60)
plain_pattern = st.text(
    alphabet=st.sampled_from(PLAIN)
    | st.characters().filter(lambda c: not _normalize.is_foldable(c)),
    min_size=1,
    max_size=4,
)


def general_path(text: str, pattern: str) -> list[tuple[int, int]]:
    """What the regex path finds: folded text, escaped folded pattern, IGNORECASE."""
    compiled = re.compile(re.escape(_normalize.fold_width(pattern)), re.IGNORECASE)
    return _search._regex_spans(_normalize.fold_width(text), compiled)


@settings(max_examples=300, deadline=None)
@given(text=text_strategy, pattern=plain_pattern, glue=st.integers(0, 3))
def test_fast_path_equals_general_path(text: str, pattern: str, glue: int) -> None:
    text = _normalize.nfc(text[:glue] + pattern + text[glue:] + pattern)
    pattern = _normalize.nfc(pattern)
    matcher = compile_pattern(pattern, ignore_case=True)
    assert matcher.needle == pattern  # this pattern takes the fast path
    assert find_matches(text, matcher) == general_path(text, pattern)
    assert find_matches(text, compile_pattern(pattern)) == general_path(text, pattern)


@settings(max_examples=200, deadline=None)
@given(
    text=text_strategy,
    pattern=st.text(alphabet=st.sampled_from(FOLDED + PLAIN), min_size=1, max_size=3),
)
def test_literals_equal_re_finditer(text: str, pattern: str) -> None:
    text, pattern = _normalize.nfc(text), _normalize.nfc(pattern)
    expected = [m.span() for m in re.finditer(re.escape(pattern), text)]
    assert find_matches(text, compile_pattern(pattern)) == expected
    folded = compile_pattern(pattern, ignore_case=True)
    assert find_matches(text, folded) == general_path(text, pattern)


@settings(max_examples=300, deadline=None)
@given(
    text=text_strategy,
    pattern=st.text(alphabet=st.sampled_from(list("aiskZ9ＡｉＳ０林，\n")), min_size=1, max_size=4),
)
def test_spelled_classes_equal_the_general_path(text: str, pattern: str) -> None:
    matcher = compile_pattern(pattern, ignore_case=True)
    if matcher.needle is None:
        assert not matcher.fold  # path 2
    text = _normalize.nfc(pattern + text + pattern.swapcase())
    assert find_matches(text, matcher) == general_path(text, pattern)


def test_is_foldable_covers_everything_ignorecase_treats_as_cased() -> None:
    """A character re.IGNORECASE folds is never sent down the fast path."""
    sre = pytest.importorskip("_sre")
    if not hasattr(sre, "unicode_iscased"):
        pytest.skip("this Python's _sre has no unicode_iscased")
    missed = [
        hex(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000
        and sre.unicode_iscased(c)
        and not _normalize.is_foldable(chr(c))
    ]
    assert missed == []


def test_each_pattern_takes_its_path() -> None:
    # 1: str.find.
    assert compile_pattern("林墨", ignore_case=True).needle == "林墨"
    assert compile_pattern("林墨AI").needle == "林墨AI"
    # 2: classes, no flag, no folding of the text.
    spelled = compile_pattern("林墨ai", ignore_case=True)
    assert spelled.needle is None
    assert spelled.compiled is not None
    assert spelled.compiled.flags & re.IGNORECASE == 0
    assert not spelled.fold
    # 3: IGNORECASE on folded text.
    for matcher in (
        compile_pattern("Zoé", ignore_case=True),
        compile_pattern("林墨", regex=True, ignore_case=True),
    ):
        assert matcher.compiled is not None
        assert matcher.compiled.flags & re.IGNORECASE
        assert matcher.fold
    assert compile_pattern("林墨", regex=True).needle is None


def test_folded_classes_are_what_ignorecase_matches() -> None:
    """Every code point a folded ASCII letter or digit matches, found by trying them all."""
    candidates = re.compile("[a-z0-9]", re.IGNORECASE)
    matching = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000 and candidates.fullmatch(_normalize.fold_width(chr(c)))
    ]
    for char in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ａＺ５":
        target = re.compile(re.escape(_normalize.fold_width(char)), re.IGNORECASE)
        expected = sorted(m for m in matching if target.fullmatch(_normalize.fold_width(m)))
        assert sorted(_normalize.folded_class(char) or "") == expected, char
    assert find_matches("x" * 10 + "林墨", compile_pattern("林墨")) == [(10, 12)]
