"""Mentions of a novel's characters: leftmost-longest counts, aliases, co-occurrence."""

from __future__ import annotations

import doctest
from itertools import combinations

import pytest
from hypothesis import given, settings, strategies as st

from novelkit.errors import ConfigurationError
from novelkit.text import _mentions
from novelkit.text._mentions import (
    cooccurrence,
    count_mentions,
    mentions_frame,
    name_set,
    name_windows,
)


def test_docstring_examples() -> None:
    assert doctest.testmod(_mentions).failed == 0


def reference(text: str, names: dict[str, list[str]]) -> dict[str, tuple[int, int | None]]:
    """Obviously correct: at each position take the longest form starting there."""
    owner = {form: name for name, aliases in names.items() for form in [name, *aliases]}
    counts = dict.fromkeys(names, 0)
    first: dict[str, int | None] = dict.fromkeys(names)
    position = 0
    while position < len(text):
        here = [form for form in owner if text.startswith(form, position)]
        if not here:
            position += 1
            continue
        form = max(here, key=len)
        name = owner[form]
        if counts[name] == 0:
            first[name] = position
        counts[name] += 1
        position += len(form)
    return {name: (counts[name], first[name]) for name in names}


# Small alphabets so that names overlap, nest and repeat in the texts.
name_text = st.text(alphabet="林墨然小哈", min_size=1, max_size=3)


@st.composite
def cast(draw: st.DrawFn) -> dict[str, list[str]]:
    forms = draw(st.lists(name_text, min_size=1, max_size=6, unique=True))
    split = draw(st.integers(1, len(forms)))
    names = {name: [] for name in forms[:split]}
    for alias in forms[split:]:
        names[draw(st.sampled_from(list(names)))].append(alias)
    return names


@settings(max_examples=500, deadline=None)
@given(names=cast(), text=st.text(alphabet="林墨然小哈说，\n", max_size=40))
def test_counts_equal_the_reference(names: dict[str, list[str]], text: str) -> None:
    assert count_mentions(text, name_set(names)) == reference(text, names)


def test_leftmost_longest() -> None:
    names = name_set(["林墨", "林墨然"])
    assert count_mentions("林墨然说", names) == {"林墨": (0, None), "林墨然": (1, 0)}
    assert count_mentions("林墨说林墨然", names) == {"林墨": (1, 0), "林墨然": (1, 3)}
    # Leftmost wins over longest: 小林 starts first, so 林墨然 is not seen in 小林墨然.
    names = name_set({"林墨然": [], "苏": ["小林"]})
    assert count_mentions("小林墨然", names) == {"林墨然": (0, None), "苏": (1, 0)}
    # A name repeated in itself is counted without overlap.
    assert count_mentions("哈哈哈哈哈", name_set(["哈哈"])) == {"哈哈": (2, 0)}


def test_aliases_count_under_their_name() -> None:
    names = name_set({"林墨": ["墨哥", "小林"], "苏晚": []})
    text = "墨哥来了。小林，林墨！苏晚"
    assert count_mentions(text, names) == {"林墨": (3, 0), "苏晚": (1, 11)}


def test_missing_and_empty_texts_mention_nobody() -> None:
    names = name_set(["林墨"])
    assert count_mentions(None, names) == {"林墨": (0, None)}
    assert count_mentions("", names) == {"林墨": (0, None)}


def test_nfc_and_no_case_folding() -> None:
    # é composed in the name, decomposed in the text: the same in NFC.
    names = name_set(["Zoé", "ai"])
    assert count_mentions("Zoe\u0301 said hi", names) == {"Zoé": (1, 0), "ai": (1, 5)}
    assert count_mentions("AI Ａｉ Ai", names)["ai"] == (0, None)


def test_duplicates_are_merged() -> None:
    names = name_set(["林墨", "苏晚", "林墨"])
    assert names.names == ("林墨", "苏晚")
    names = name_set({"林墨": ["林墨", "小林", "小林"]})
    assert count_mentions("林墨小林", names) == {"林墨": (2, 0)}
    # The same name in NFC and NFD is one name.
    assert name_set(["Zoé", "Zoe\u0301"]).names == ("Zoé",)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "at least one name"),
        ({}, "at least one name"),
        (["林墨", ""], "Empty name"),
        (["  "], "Empty name"),
        ({"林墨": [""]}, "Empty name"),
        ({"林墨": ["苏晚"], "苏晚": []}, "listed for both '林墨' and '苏晚'"),
        ({"林墨": ["小林"], "林小": ["小林"]}, "listed for both"),
        ({"林墨": "墨哥"}, r"must be a list of strings, e\.g\. \{'林墨': \['墨哥'\]\}"),
        ("林墨", "must be a list of names"),
        (["林\n墨"], "line break"),
        ([3], "must be a string"),
    ],
)
def test_bad_names_are_configuration_errors(names: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        name_set(names)  # type: ignore[arg-type]


def test_mentions_frame_has_every_name_and_zero() -> None:
    names = name_set({"林墨": ["小林"], "苏晚": []})
    frame = mentions_frame(
        [(("p", 1), "小林来了"), (("p", 2), None)], names, keys=["project", "chapter"]
    )
    assert list(frame.columns) == ["project", "chapter", "name", "count", "first_start"]
    assert frame["count"].dtype == "int64"
    assert str(frame["first_start"].dtype) == "Int64"
    assert frame[["chapter", "name", "count"]].values.tolist() == [
        [1, "林墨", 1],
        [1, "苏晚", 0],
        [2, "林墨", 0],
        [2, "苏晚", 0],
    ]
    assert frame["first_start"].isna().tolist() == [False, True, True, True]
    assert frame["first_start"].iloc[0] == 0


# -- co-occurrence ------------------------------------------------------------------------


def test_paragraph_windows_are_non_blank_lines() -> None:
    names = name_set({"林墨": ["小林"], "苏晚": [], "老周": []})
    text = "林墨看着苏晚。\r\n   \r\n老周来了。\u2028小林走了，苏晚也走了。\n\n无人。"
    windows = name_windows(text, names, by="paragraph")
    assert windows == [
        frozenset({"林墨", "苏晚"}),
        frozenset({"老周"}),
        frozenset({"林墨", "苏晚"}),
    ]
    assert name_windows(text, names) == [frozenset({"林墨", "苏晚", "老周"})]
    assert name_windows(None, names) == []
    assert name_windows("无人", names, by="paragraph") == []
    with pytest.raises(ConfigurationError, match="'text' or 'paragraph'"):
        name_windows(text, names, by="line")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(names=cast(), text=st.text(alphabet="林墨然小哈说\n\r", max_size=40))
def test_paragraph_windows_equal_counting_each_line(names: dict[str, list[str]], text: str) -> None:
    compiled = name_set(names)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    expected = []
    for line in lines:
        present = {name for name, (count, _) in reference(line, names).items() if count}
        if present:
            expected.append(frozenset(present))
    assert name_windows(text, compiled, by="paragraph") == expected


def test_cooccurrence_counts_unordered_pairs_once_per_window() -> None:
    windows = [
        {"苏晚", "林墨"},
        ["林墨", "苏晚", "林墨", "老周"],  # a repeated name counts once
        {"老周"},
        set(),
    ]
    frame = cooccurrence(windows)
    assert list(frame.columns) == ["name_a", "name_b", "windows"]
    assert frame.values.tolist() == [["林墨", "苏晚", 2], ["林墨", "老周", 1], ["老周", "苏晚", 1]]
    assert all(a < b for a, b in zip(frame["name_a"], frame["name_b"], strict=True))
    assert cooccurrence([]).empty


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.sampled_from("ABCDE")), max_size=10))
def test_cooccurrence_equals_counting_every_pair(windows: list[set[str]]) -> None:
    frame = cooccurrence(windows)
    got = {(a, b): n for a, b, n in frame.values.tolist()}
    expected = {}
    for a, b in combinations("ABCDE", 2):
        shared = sum(1 for window in windows if a in window and b in window)
        if shared:
            expected[(a, b)] = shared
    assert got == expected
