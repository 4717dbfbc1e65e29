"""Find a pattern in chapter texts, with keyword-in-context excerpts.

Rules (see also :mod:`novelkit.text._normalize`):

- Texts and patterns are compared in NFC; ``start`` and ``end`` are code-point offsets
  of the NFC text.
- A pattern is a literal by default; ``regex=True`` makes it a Python regular
  expression, compiled with the same flags.
- ``ignore_case=True`` folds case (``re.IGNORECASE``) and full-width Latin letters and
  digits to ASCII (``Ａ`` finds ``a``), one code point for one, so offsets are those
  of the unfolded text.
- Matches do not overlap: they are found left to right and the search resumes at the
  end of each match, as :func:`re.finditer` does. A regular expression's empty
  matches (``x*`` between two characters) are not reported.
- A literal matches across a line break only if it contains one; a regular
  expression may, through ``\\n`` or ``\\s``.
- An empty pattern, and a regular expression that does not compile, raise
  :class:`~novelkit.errors.ConfigurationError`.

How, fastest first (the benchmark measures each):

1. A literal with nothing folding could change (the usual Chinese word or name), or
   any literal without ``ignore_case``: :meth:`str.find` in a loop.
2. A literal with ``ignore_case`` whose only foldable characters are ASCII or
   full-width letters and digits: a regular expression with each of them spelled as
   the class of what it matches (``[Aaａ…]``), no flag, no change to the text.
3. Otherwise (a regular expression, or a literal with other cased letters such as
   ``é`` or ``Σ``, with ``ignore_case``): ``re.IGNORECASE`` on the text with its
   full-width letters and digits folded, a copy made only for texts that hold some.

Tests prove that the three give the same matches.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd

from novelkit.errors import ConfigurationError

from ._normalize import fold_width, folded_class, has_full_width, is_foldable, nfc, one_line

__all__ = [
    "MATCH_COLUMNS",
    "Matcher",
    "compile_pattern",
    "find_matches",
    "kwic",
    "match_rows",
    "matches_frame",
]

#: The columns :func:`matches_frame` adds after the key columns.
MATCH_COLUMNS = ("start", "match", "before", "after")

Span = tuple[int, int]
Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Matcher:
    """A pattern compiled once for many texts; build it with :func:`compile_pattern`.

    Attributes
    ----------
    pattern
        The pattern as given.
    regex, ignore_case
        The options it was compiled with.
    needle
        The NFC literal searched with :meth:`str.find` (path 1), or None.
    compiled
        The regular expression for every other case (paths 2 and 3), or None.
    fold
        Whether texts are width-folded before ``compiled`` runs on them (path 3).
    """

    pattern: str
    regex: bool
    ignore_case: bool
    needle: str | None = field(repr=False)
    compiled: re.Pattern[str] | None = field(repr=False)
    fold: bool = field(repr=False)


def compile_pattern(pattern: str, *, regex: bool = False, ignore_case: bool = False) -> Matcher:
    """Compile ``pattern`` once for a whole search.

    Parameters
    ----------
    pattern
        The text to find (NFC-normalised here), or a regular expression if ``regex``.
    regex
        Treat ``pattern`` as a Python regular expression.
    ignore_case
        Ignore case, and let full-width Latin letters and digits match ASCII ones.

    Returns
    -------
    Matcher

    Raises
    ------
    ConfigurationError
        The pattern is empty or not a string, or the regular expression is invalid.

    Examples
    --------
    >>> matcher = compile_pattern("ai", ignore_case=True)
    >>> find_matches("ＡＩ与Ai", matcher)
    [(0, 2), (3, 5)]
    """
    if not isinstance(pattern, str):
        raise ConfigurationError(
            f"The search pattern must be a string, not {type(pattern).__name__}."
        )
    if pattern == "":
        raise ConfigurationError(
            "The search pattern is empty: give at least one character to look for."
        )
    pattern_nfc = nfc(pattern)
    fold = ignore_case and (regex or any(is_foldable(c) for c in pattern_nfc))
    if not regex and not fold:
        return Matcher(pattern, regex, ignore_case, needle=pattern_nfc, compiled=None, fold=False)
    if not regex:
        classes = [folded_class(c) for c in pattern_nfc]
        if all(
            cls is not None or not is_foldable(c)
            for c, cls in zip(pattern_nfc, classes, strict=True)
        ):
            source = "".join(
                re.escape(c) if cls is None else f"[{re.escape(cls)}]"
                for c, cls in zip(pattern_nfc, classes, strict=True)
            )
            return Matcher(
                pattern, regex, ignore_case, needle=None, compiled=re.compile(source), fold=False
            )
    source = pattern_nfc if regex else re.escape(pattern_nfc)
    flags = re.IGNORECASE if ignore_case else 0
    try:
        compiled = re.compile(fold_width(source) if fold else source, flags)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise ConfigurationError(
            f"The regular expression {pattern!r} is invalid: {exc.msg}{where}. Fix it, or "
            "pass regex=False to search for the text literally."
        ) from exc
    return Matcher(pattern, regex, ignore_case, needle=None, compiled=compiled, fold=fold)


def find_matches(text: str, matcher: Matcher) -> list[Span]:
    """Non-overlapping ``(start, end)`` spans of the matches in ``text``, left to right.

    Offsets are code points of the NFC form of ``text``.

    Examples
    --------
    >>> find_matches("哈哈哈哈哈", compile_pattern("哈哈"))
    [(0, 2), (2, 4)]
    >>> find_matches("风起\\n云涌", compile_pattern("起\\n云"))
    [(1, 4)]
    """
    return _spans(nfc(text), matcher)


def _spans(text: str, matcher: Matcher) -> list[Span]:
    """:func:`find_matches` on a text already in NFC."""
    if matcher.needle is not None:
        return _literal_spans(text, matcher.needle)
    if matcher.compiled is None:  # pragma: no cover - compile_pattern sets one of the two
        raise ConfigurationError("Build the matcher with compile_pattern().")
    if matcher.fold and has_full_width(text):
        text = fold_width(text)  # one for one: the offsets stay those of the text
    return _regex_spans(text, matcher.compiled)


def _literal_spans(text: str, needle: str) -> list[Span]:
    """The fast path: :meth:`str.find` (C fastsearch) in a loop."""
    spans = []
    width = len(needle)
    start = text.find(needle)
    while start >= 0:
        spans.append((start, start + width))
        start = text.find(needle, start + width)
    return spans


def _regex_spans(text: str, compiled: re.Pattern[str]) -> list[Span]:
    """The general path: every non-empty match of ``compiled``."""
    return [m.span() for m in compiled.finditer(text) if m.end() > m.start()]


def kwic(text: str, start: int, end: int, context: int = 20) -> tuple[str, str, str]:
    """``(match, before, after)`` around ``text[start:end]``, each on one line.

    ``before`` and ``after`` hold up to ``context`` code points of ``text`` (which
    should be the NFC text the offsets refer to); they are cut first, then every line
    break in the three pieces is shown as ``⏎``.

    Examples
    --------
    >>> kwic("第一章\\n林墨推门而入。", 4, 6, context=3)
    ('林墨', '一章⏎', '推门而')
    """
    if context < 0:
        raise ConfigurationError(f"context must be 0 or more code points, not {context}.")
    before = text[max(start - context, 0) : start]
    after = text[end : end + context]
    return one_line(text[start:end]), one_line(before), one_line(after)


def match_rows(
    texts: Iterable[tuple[Key, str | None]], matcher: Matcher, *, context: int = 20
) -> Iterator[tuple[Hashable, ...]]:
    """One row ``(*key, start, match, before, after)`` per match, text after text.

    Parameters
    ----------
    texts
        ``(key, text)`` pairs; ``key`` is a tuple (e.g. ``(novel_id, chapter, version)``)
        copied to the front of each row. A text may be None or empty: it has no match.
        Any iterable works, so a caller can feed it page by page.
    matcher
        From :func:`compile_pattern`.
    context
        Code points of context each side.

    Examples
    --------
    >>> rows = match_rows([((1,), "林墨来了"), ((2,), None)], compile_pattern("林墨"))
    >>> list(rows)
    [(1, 0, '林墨', '', '来了')]
    """
    if context < 0:
        raise ConfigurationError(f"context must be 0 or more code points, not {context}.")
    for key, text in texts:
        if not text:
            continue
        normal = nfc(text)
        for start, end in _spans(normal, matcher):
            yield (*key, start, *kwic(normal, start, end, context))


def matches_frame(
    texts: Iterable[tuple[Key, str | None]],
    matcher: Matcher,
    *,
    keys: Sequence[str],
    context: int = 20,
) -> pd.DataFrame:
    """The rows of :func:`match_rows` as a DataFrame.

    Parameters
    ----------
    texts, matcher, context
        As for :func:`match_rows`.
    keys
        Names of the key columns, one per element of each key tuple.

    Returns
    -------
    pandas.DataFrame
        The key columns, then ``start`` (``int64``), ``match``, ``before``, ``after``
        (strings); one row per match, in text order, then offset order.

    Examples
    --------
    >>> texts = [(("a", 1), "风起。风停。"), (("a", 2), "")]
    >>> frame = matches_frame(texts, compile_pattern("风"), keys=["novel", "chapter"], context=2)
    >>> frame.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'novel': 'a', 'chapter': 1, 'start': 0, 'match': '风', 'before': '', 'after': '起。'},
     {'novel': 'a', 'chapter': 1, 'start': 3, 'match': '风', 'before': '起。', 'after': '停。'}]
    """
    columns = [*keys, *MATCH_COLUMNS]
    rows = list(match_rows(texts, matcher, context=context))
    width = {len(row) for row in rows}
    if width - {len(columns)}:
        raise ConfigurationError(
            f"Each key must have {len(keys)} values, one per name in keys={list(keys)!r}."
        )
    frame = pd.DataFrame(rows, columns=columns)
    frame["start"] = frame["start"].astype("int64")
    for column in ("match", "before", "after"):
        frame[column] = frame[column].astype("str")
    return frame
