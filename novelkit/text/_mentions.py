"""Count how often each character of a novel is mentioned, and who appears with whom.

Rules:

- Names are given as a list (``["林墨", "苏晚"]``) or as a dict of aliases
  (``{"林墨": ["墨哥", "小林"]}``); an alias is counted under its name. The names keep
  the order given.
- Texts and names are compared in NFC, exactly: no case or width folding (names are
  written the way the novel writes them). Offsets are code points of the NFC text.
- Overlapping names are counted leftmost-longest: at each position the longest name or
  alias that starts there wins, and the scan resumes after it. With 林墨 and 林墨然,
  "林墨然说" is one mention, of 林墨然.
- A name listed twice, an alias listed twice or equal to its own name: merged.
- No name at all (``[]`` or ``{}``), an empty (or all-blank) name or alias, one
  holding a line break, or an alias that is another name or another name's alias:
  :class:`~novelkit.errors.ConfigurationError`.

How: one regular expression, the alternation of every name and alias longest first,
so that Python's ``re`` (which tries alternatives in order) picks the longest at the
leftmost position. ``benchmarks/bench_text_core.py`` compares it with ``str.find`` per
name plus resolving overlaps in Python: on the large demo (100 M characters, 20 names)
that took 2.5-3 times as long (about 3.2 s against 1.0-1.3 s); one ``str.count`` pass
per name alone already costs about 2.4 s.

Co-occurrence windows are the whole text or its paragraphs; a paragraph is a line that
is not blank, since Chinese novels put one paragraph per line.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from novelkit.errors import ConfigurationError

from ._normalize import LINE_BREAK, nfc

__all__ = [
    "MENTION_COLUMNS",
    "NameSet",
    "cooccurrence",
    "count_mentions",
    "mention_rows",
    "mentions_frame",
    "name_set",
    "name_windows",
]

#: The columns :func:`mentions_frame` adds after the key columns.
MENTION_COLUMNS = ("name", "count", "first_start")

Key = tuple[Hashable, ...]
Names = Sequence[str] | Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class NameSet:
    """One novel's names and aliases, compiled once; build it with :func:`name_set`.

    Attributes
    ----------
    names
        The names, NFC, in the order given, duplicates merged.
    owner
        Every form (name or alias, NFC) and the name it counts for.
    pattern
        The alternation of every form, longest first.
    with_breaks
        The same, and line breaks: one scan finds the mentions and the paragraphs.
    """

    names: tuple[str, ...]
    owner: Mapping[str, str] = field(repr=False)
    pattern: re.Pattern[str] = field(repr=False)
    with_breaks: re.Pattern[str] = field(repr=False)


def name_set(names: Names) -> NameSet:
    """Check and compile the names (and aliases) of one novel.

    Parameters
    ----------
    names
        A list of names, or a dict from each name to a list of its aliases.

    Returns
    -------
    NameSet

    Raises
    ------
    ConfigurationError
        ``names`` is empty, or neither a list nor a dict; a name or alias is empty,
        blank, not a string or holds a line break; an alias belongs to two names.

    Examples
    --------
    >>> names = name_set({"林墨": ["墨哥", "小林", "林墨"], "苏晚": []})
    >>> names.names
    ('林墨', '苏晚')
    >>> names.owner
    {'林墨': '林墨', '墨哥': '林墨', '小林': '林墨', '苏晚': '苏晚'}
    """
    if isinstance(names, str) or not isinstance(names, Sequence | Mapping):
        raise ConfigurationError(
            f"Names must be a list of names or a dict of name -> aliases, not "
            f"{type(names).__name__} (e.g. ['林墨', '苏晚'] or {{'林墨': ['墨哥']}})."
        )
    if not names:
        raise ConfigurationError(
            "No names to look for: give at least one name (e.g. ['林墨'] or {'林墨': ['墨哥']}); "
            "leave names out (None) to use each novel's own characters."
        )
    groups: dict[str, list[str]] = {}
    items = names.items() if isinstance(names, Mapping) else ((name, ()) for name in names)
    for name, aliases in items:
        if isinstance(aliases, str) or not isinstance(aliases, Sequence):
            raise ConfigurationError(
                f"The aliases of {name!r} must be a list of strings, e.g. {{{name!r}: "
                f"[{aliases!r}]}}."
            )
        canonical = _form(name)
        groups.setdefault(canonical, [canonical]).extend(_form(alias) for alias in aliases)
    owner: dict[str, str] = {}
    for canonical, forms in groups.items():
        for form in forms:
            other = owner.setdefault(form, canonical)
            if other != canonical:
                raise ConfigurationError(
                    f"{form!r} is listed for both {other!r} and {canonical!r}: a name or "
                    "alias must belong to one character only. Remove it from one of them."
                )
    # Longest first, so that the leftmost match is also the longest; then by text, so
    # that the pattern does not depend on the input order.
    ordered = sorted(owner, key=lambda form: (-len(form), form))
    alternation = "|".join(re.escape(form) for form in ordered)
    # No form holds a line break, so adding them changes no mention.
    with_breaks = re.compile(f"{LINE_BREAK.pattern}|{alternation}")
    return NameSet(tuple(groups), owner, re.compile(alternation), with_breaks)


def _form(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"A name or alias must be a string, not {value!r}.")
    if value.strip() == "":
        raise ConfigurationError(
            f"Empty name or alias {value!r}: every name needs at least one visible character."
        )
    if LINE_BREAK.search(value):
        raise ConfigurationError(f"The name {value!r} holds a line break: remove it.")
    return nfc(value)


def count_mentions(text: str | None, names: NameSet) -> dict[str, tuple[int, int | None]]:
    """``name -> (count, first_start)`` for every name, zeros included.

    ``first_start`` is the code-point offset (in the NFC text) of the name's first
    counted mention, None when it has none. A missing or empty text mentions nobody.

    Examples
    --------
    >>> names = name_set({"林墨": ["小林"], "林墨然": [], "苏晚": []})
    >>> count_mentions("林墨然说，小林和林墨都来了。", names)
    {'林墨': (2, 5), '林墨然': (1, 0), '苏晚': (0, None)}
    """
    counts: dict[str, int] = dict.fromkeys(names.names, 0)
    first: dict[str, int | None] = dict.fromkeys(names.names)
    if text:
        owner = names.owner
        # One scan, one Python step per mention: findall + Counter, then a second scan
        # for the first offsets, measured the same within the noise (the benchmark
        # keeps both) and is more code.
        for match in names.pattern.finditer(nfc(text)):
            name = owner[match.group()]
            if not counts[name]:
                first[name] = match.start()
            counts[name] += 1
    return {name: (counts[name], first[name]) for name in names.names}


def mention_rows(
    texts: Iterable[tuple[Key, str | None]], names: NameSet
) -> Iterator[tuple[Hashable, ...]]:
    """One row ``(*key, name, count, first_start)`` per text and name, zeros included.

    Parameters
    ----------
    texts
        ``(key, text)`` pairs, as for :func:`~novelkit.text._search.match_rows`; any
        iterable, so that a caller can feed it page by page. A text may be None.
    names
        From :func:`name_set`.

    Examples
    --------
    >>> list(mention_rows([((7,), "小林笑了")], name_set({"林墨": ["小林"]})))
    [(7, '林墨', 1, 0)]
    """
    for key, text in texts:
        for name, (count, first) in count_mentions(text, names).items():
            yield (*key, name, count, first)


def mentions_frame(
    texts: Iterable[tuple[Key, str | None]], names: NameSet, *, keys: Sequence[str]
) -> pd.DataFrame:
    """The rows of :func:`mention_rows` as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        The key columns, then ``name`` (string), ``count`` (``int64``) and
        ``first_start`` (``Int64``, ``<NA>`` when the count is 0).

    Examples
    --------
    >>> frame = mentions_frame([((1,), "苏晚")], name_set(["林墨", "苏晚"]), keys=["chapter"])
    >>> frame.columns.tolist(), frame["count"].tolist(), frame["first_start"].tolist()
    (['chapter', 'name', 'count', 'first_start'], [0, 1], [<NA>, 0])
    """
    columns = [*keys, *MENTION_COLUMNS]
    rows = list(mention_rows(texts, names))
    if {len(row) for row in rows} - {len(columns)}:
        raise ConfigurationError(
            f"Each key must have {len(keys)} values, one per name in keys={list(keys)!r}."
        )
    frame = pd.DataFrame(rows, columns=columns)
    frame["name"] = frame["name"].astype("str")
    frame["count"] = frame["count"].astype("int64")
    frame["first_start"] = pd.array(frame["first_start"].tolist(), dtype="Int64")
    return frame


def name_windows(
    text: str | None, names: NameSet, *, by: Literal["text", "paragraph"] = "text"
) -> list[frozenset[str]]:
    """The set of names present in each window of ``text`` that has at least one.

    Parameters
    ----------
    text
        A chapter text (None or empty: no window).
    names
        From :func:`name_set`.
    by
        ``"text"``: the whole text is one window; ``"paragraph"``: each non-blank line
        is one (a mention never spans lines, since names hold no line break).

    Examples
    --------
    >>> names = name_set(["林墨", "苏晚", "老周"])
    >>> windows = name_windows("林墨看着苏晚。\\n\\n老周来了。\\n林墨走了。", names, by="paragraph")
    >>> [sorted(window) for window in windows]
    [['林墨', '苏晚'], ['老周'], ['林墨']]
    """
    if by not in ("text", "paragraph"):
        raise ConfigurationError(f"by must be 'text' or 'paragraph', not {by!r}.")
    if not text:
        return []
    normal = nfc(text)
    owner = names.owner
    if by == "text":
        whole = frozenset(owner[form] for form in set(names.pattern.findall(normal)))
        return [whole] if whole else []
    windows: list[frozenset[str]] = []
    present: set[str] = set()
    for token in names.with_breaks.findall(normal):
        name = owner.get(token)
        if name is not None:
            present.add(name)
        elif present:  # a line break ends the paragraph
            windows.append(frozenset(present))
            present = set()
    if present:
        windows.append(frozenset(present))
    return windows


def cooccurrence(windows: Iterable[Iterable[str]]) -> pd.DataFrame:
    """For each pair of names, the number of windows that hold both.

    Parameters
    ----------
    windows
        The names present in each window (e.g. from :func:`name_windows`, chained over
        many texts); a name repeated within a window counts once.

    Returns
    -------
    pandas.DataFrame
        ``name_a``, ``name_b`` (with ``name_a < name_b`` in code-point order) and
        ``windows`` (``int64``); only pairs that share a window, most shared first,
        then by names.

    Examples
    --------
    >>> cooccurrence([{"林墨", "苏晚"}, {"林墨", "苏晚", "老周"}, {"老周"}]).values.tolist()
    [['林墨', '苏晚', 2], ['林墨', '老周', 1], ['老周', '苏晚', 1]]
    """
    pairs: Counter[tuple[str, str]] = Counter()
    for window in windows:
        present = sorted(set(window))
        pairs.update(itertools.combinations(present, 2))
    rows = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    frame = pd.DataFrame(
        [(a, b, shared) for (a, b), shared in rows], columns=["name_a", "name_b", "windows"]
    )
    frame["name_a"] = frame["name_a"].astype("str")
    frame["name_b"] = frame["name_b"].astype("str")
    frame["windows"] = frame["windows"].astype("int64")
    return frame
