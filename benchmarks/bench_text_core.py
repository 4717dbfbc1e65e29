"""Speed of the text core (novelkit.text) against the plain alternatives, on real prose.

Reads every ``chapter_versions.content`` of the large demo database (``make demo-large``
builds it) and prints the best of ``--repeat`` timings and their ratios; nothing is
asserted (the tests check correctness, this only measures):

    python benchmarks/bench_text_core.py [--sqlite benchmarks/data/large.db] [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from novelkit.demo._text import WORLDS
from novelkit.loaders import _counts, _mentions, _normalize, _search, _stats

HERE = Path(__file__).resolve().parent


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def report(title: str, timings: dict[str, float], base: str) -> None:
    print(f"\n{title}")
    for name, seconds in timings.items():
        ratio = seconds / timings[base]
        print(f"  {name:<46} {seconds:8.3f} s   x{ratio:6.2f} of {base}")


# -- counts ---------------------------------------------------------------------------------


def regex_counts(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The definitions as novelkit.loaders.wordcount spells them (pandas str.count)."""
    strings = series.astype("string")
    nonspace = (strings.str.len() - strings.str.count(r"\s")).astype("Int64")
    words = strings.str.count(r"[\u4e00-\u9fa5]") + strings.str.count(
        r"[A-Za-z]+(?:['’-][A-Za-z]+)*"
    )
    return nonspace, words.astype("Int64")


def pyarrow_re2_counts(array: pa.Array) -> None:
    """pyarrow.compute with RE2: the other vectorised way the brief suggested."""
    import pyarrow.compute as pc

    spaces = "".join(f"\\x{{{c:x}}}" for c in _counts.WHITESPACE)
    pc.subtract(pc.utf8_length(array), pc.count_substring_regex(array, f"[{spaces}]"))
    pc.add(
        pc.count_substring_regex(array, "[\\x{4e00}-\\x{9fa5}]"),
        pc.count_substring_regex(array, "[A-Za-z]+(?:['’-][A-Za-z]+)*"),
    )


def bench_counts(texts: list[str], repeat: int) -> None:
    array = pa.array(texts, type=pa.large_string())
    series = pd.Series(pd.arrays.ArrowStringArray(array))
    objects = pd.Series(texts, dtype=object)
    fast = _counts.text_counts(series)
    nonspace, words = regex_counts(series)
    assert (fast["chars_nonspace"] == nonspace).all()
    assert (fast["cjk_chars_plus_words"] == words).all()
    timings = {
        "regex (pandas str.count), ArrowStringArray": best_of(1, lambda: regex_counts(series)),
        "pyarrow.compute RE2 count_substring_regex": best_of(1, lambda: pyarrow_re2_counts(array)),
        "text_counts, ArrowStringArray": best_of(repeat, lambda: _counts.text_counts(series)),
        "text_counts, pyarrow large_string": best_of(repeat, lambda: _counts.text_counts(array)),
        "text_counts, object Series (incl. encoding)": best_of(
            repeat, lambda: _counts.text_counts(objects)
        ),
    }
    for size in (1 << 17, 1 << 18, 1 << 20, 1 << 22):
        timings[f"text_counts, slices of {size >> 10} KiB"] = best_of(
            repeat, lambda size=size: _counts._text_counts(array, slice_bytes=size)
        )
    report("chars_nonspace + cjk_chars_plus_words", timings, "text_counts, ArrowStringArray")


# -- mentions -------------------------------------------------------------------------------


def find_per_name(texts: list[str], names: _mentions.NameSet) -> None:
    """The alternative: str.find per form (all occurrences), overlaps resolved in Python."""
    forms = list(names.owner)
    for text in texts:
        hits = []
        for form in forms:
            start = text.find(form)
            while start >= 0:
                hits.append((start, -len(form), form))
                start = text.find(form, start + 1)
        hits.sort()
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        cursor = 0
        for start, negative, form in hits:
            if start >= cursor:
                name = names.owner[form]
                counts[name] += 1
                first.setdefault(name, start)
                cursor = start - negative


def count_per_name(texts: list[str], names: _mentions.NameSet) -> None:
    """A lower bound for the str.find approach: one str.count pass per form, no overlaps."""
    forms = list(names.owner)
    for text in texts:
        for form in forms:
            text.count(form)


def findall_counter(texts: list[str], names: _mentions.NameSet) -> None:
    """The alternation counted in C (findall + Counter), then rescanned for first offsets."""
    owner = names.owner
    for text in texts:
        counts = dict.fromkeys(names.names, 0)
        for form, times in Counter(names.pattern.findall(text)).items():
            counts[owner[form]] += times
        first: dict[str, int] = {}
        missing = sum(1 for count in counts.values() if count)
        for match in names.pattern.finditer(text):
            if len(first) == missing:
                break
            first.setdefault(owner[match.group()], match.start())


def bench_mentions(texts: list[str], repeat: int) -> None:
    cast: list[str] = []
    for world in WORLDS:
        cast.extend(n for n in (*world.heroes, *world.cast) if n not in cast)
    names = _mentions.name_set(cast[:20])
    print(f"\nnames: {', '.join(names.names)}")
    rows = [((i,), text) for i, text in enumerate(texts)]
    timings = {
        "count_mentions (alternation, finditer loop)": best_of(
            repeat, lambda: [_mentions.count_mentions(text, names) for text in texts]
        ),
        "mention_rows (the same, NFC check, rows)": best_of(
            repeat, lambda: list(_mentions.mention_rows(rows, names))
        ),
        "alternation, findall+Counter, first rescan": best_of(
            repeat, lambda: findall_counter(texts, names)
        ),
        "str.find per name + overlaps in Python": best_of(1, lambda: find_per_name(texts, names)),
        "str.count per name (lower bound, no overlaps)": best_of(
            1, lambda: count_per_name(texts, names)
        ),
        "name_windows by paragraph": best_of(
            1,
            lambda: _mentions.cooccurrence(
                w for t in texts for w in _mentions.name_windows(t, names, by="paragraph")
            ),
        ),
    }
    report("mentions of 20 names", timings, "count_mentions (alternation, finditer loop)")


# -- search and stats -----------------------------------------------------------------------


def bench_search(texts: list[str], repeat: int) -> None:
    rows = [((i,), text) for i, text in enumerate(texts)]
    literal = _search.compile_pattern("黑匣子", ignore_case=True)
    assert literal.needle is not None
    general = _search.compile_pattern("黑匣子", regex=True)
    spelled = _search.compile_pattern("AI", ignore_case=True)
    assert spelled.compiled is not None
    assert not spelled.fold
    folded = _search.compile_pattern("AI", regex=True, ignore_case=True)
    plain_re = re.compile("黑匣子")
    timings = {
        "match_rows, literal (str.find path)": best_of(
            repeat, lambda: list(_search.match_rows(rows, literal))
        ),
        "match_rows, same pattern as regex": best_of(
            repeat, lambda: list(_search.match_rows(rows, general))
        ),
        "match_rows, 'AI' ignore_case (letter classes)": best_of(
            repeat, lambda: list(_search.match_rows(rows, spelled))
        ),
        "match_rows, 'AI' regex ignore_case (IGNORECASE)": best_of(
            repeat, lambda: list(_search.match_rows(rows, folded))
        ),
        "'AI' ignore_case folding every text (before)": best_of(
            1,
            lambda: [
                m.span()
                for t in texts
                for m in re.finditer("AI", _normalize.fold_width(t), re.IGNORECASE)
            ],
        ),
        "bare str.find loop spans (no NFC, no KWIC)": best_of(
            repeat, lambda: [_search._literal_spans(t, "黑匣子") for t in texts]
        ),
        "bare re.finditer spans (no NFC, no KWIC)": best_of(
            repeat, lambda: [m.span() for t in texts for m in plain_re.finditer(t)]
        ),
    }
    hits = sum(1 for _ in _search.match_rows(rows, literal))
    report(f"search ({hits:,} matches of 黑匣子)", timings, "match_rows, literal (str.find path)")


def bench_stats(texts: list[str], repeat: int) -> None:
    sample = texts[:2000]
    chars = sum(map(len, sample))
    seconds = best_of(repeat, lambda: [_stats.text_stats(t) for t in sample])
    print(f"\ntext_stats: {len(sample):,} texts, {chars:,} characters in {seconds:.3f} s")
    print(f"  {chars / seconds / 1e6:.1f} M characters/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, default=HERE / "data" / "large.db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["counts", "mentions", "search", "stats"])
    args = parser.parse_args(argv)
    if not args.sqlite.exists():
        print(f"{args.sqlite} is missing: build it with `make demo-large`.", file=sys.stderr)
        return 2
    with sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True) as connection:
        texts = [row[0] or "" for row in connection.execute("SELECT content FROM chapter_versions")]
    chars = sum(map(len, texts))
    size = sum(len(t.encode()) for t in texts)
    print(f"{len(texts):,} versions, {chars:,} characters, {size / 1e6:.0f} MB of UTF-8")
    sections = {
        "counts": bench_counts,
        "mentions": bench_mentions,
        "search": bench_search,
        "stats": bench_stats,
    }
    for name, bench in sections.items():
        if args.only in (None, name):
            bench(texts, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
