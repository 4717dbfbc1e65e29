"""Statistics of one chapter text: length, paragraphs, sentences, dialogue, vocabulary.

The statistics describe the text as stored (no NFC), so that ``word_count`` is the
app's own count. Whitespace is Python's (``str.isspace``, the same 29 code points as
``\\s``); line breaks are those of :mod:`novelkit.text._normalize`.

- ``word_count``: ``len(text)``, the app's count.
- ``chars_nonspace``, ``cjk_chars_plus_words``: as in :mod:`novelkit.loaders._counts`.
- ``paragraphs``: lines that are not blank (Chinese novels put one paragraph per line).
- ``sentences``: a sentence ends with a run of terminators ``。！？…`` or ``.!?`` (``？！``
  or ``……`` end one sentence, not several; a ``.`` right before a Latin letter or digit,
  as in ``3.14`` or ``v2.0``, ends none), together with the closing quotes and
  brackets ``”’」』）)"'`` and further terminators right after it. A paragraph's end
  also ends a sentence: the text after a paragraph's last terminator is a sentence if
  it has a non-space character (a heading like ``第一章 风起`` is one sentence).
- ``mean_sentence_chars``: ``chars_nonspace / sentences``; NA with no sentence.
- ``dialogue_share``: of the non-space characters that are not quote marks, the share
  inside ``“…”``, ``「…」``, ``『…』`` or ``"…"``. Quotes nest (``『』`` inside ``「」``);
  a closing mark closes its own kind, and any quote opened inside it; one that closes
  nothing opened is ignored; an unclosed quote runs to the end of its paragraph. Quote
  marks themselves count on neither side. NA when there is nothing to count.
- ``distinct_chars``: distinct non-space characters.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, fields

import numpy as np
import pandas as pd

from novelkit.errors import ConfigurationError

from ..loaders._counts import WHITESPACE
from ._normalize import LINE_BREAK

__all__ = ["STAT_COLUMNS", "TextStats", "stats_frame", "stats_rows", "text_stats"]

_TERMINATORS = "。！？…!?."
_CLOSERS = "”’」』）)\"'"
_TC = re.escape(_TERMINATORS + _CLOSERS)
# Whitespace that is not a line break (\s minus \r \n U+2028 U+2029).
_H = re.escape("".join(chr(c) for c in WHITESPACE if c not in (0x0A, 0x0D, 0x2028, 0x2029)))
_BREAK = LINE_BREAK.pattern
# A sentence end: a terminator, then any terminators and closing marks. None spans a
# line break, so the text can be scanned whole.
# A "." before a letter or digit is a decimal point or part of a name (3.14, v2.0).
_END = f"(?:[{re.escape(_TERMINATORS.replace('.', ''))}]|\\.(?![0-9A-Za-z]))"
_SENTENCE_END = re.compile(f"{_END}[{_TC}]*")
# The same end when nothing but blanks follows it on its line: that paragraph has no
# unterminated tail (which would be one more sentence).
_FINAL_END = re.compile(f"{_END}[{_TC}]*[{_H}]*(?={_BREAK}|\\Z)")
# From the first visible character of a line to the line's end: one per paragraph.
_PARAGRAPH = re.compile("[^\\s][^\\r\\n\\u2028\\u2029]*")
_CJK_RUN = re.compile("[\u4e00-\u9fa5]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_QUOTE = re.compile('[“”「」『』"]')
_CLOSER_OF = {"“": "”", "「": "」", "『": "』", '"': '"'}
_SPACE_CODES = np.array(sorted(WHITESPACE), dtype=np.uint32)

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class TextStats:
    """The statistics of one text (see the module docstring for the definitions)."""

    word_count: int
    chars_nonspace: int
    cjk_chars_plus_words: int
    paragraphs: int
    sentences: int
    mean_sentence_chars: float | None
    dialogue_share: float | None
    distinct_chars: int


#: The columns :func:`stats_frame` adds after the key columns.
STAT_COLUMNS = tuple(f.name for f in fields(TextStats))
_FLOAT_COLUMNS = ("mean_sentence_chars", "dialogue_share")


def _nonspace(text: str) -> int:
    # str.split() with no argument splits at exactly the str.isspace characters.
    return sum(map(len, text.split()))


def text_stats(text: str) -> TextStats:
    """The statistics of one text.

    Examples
    --------
    >>> stats = text_stats("第一章 风起\\n\\n“走吧。”他说。")
    >>> stats.paragraphs, stats.sentences, stats.chars_nonspace
    (2, 3, 13)
    >>> stats.dialogue_share  # 走吧。 out of the 11 non-space characters but “ ”
    0.2727272727272727
    """
    if not isinstance(text, str):
        raise ConfigurationError(f"text_stats needs a str, not {type(text).__name__}.")
    # Whole-text scans (C loops) rather than a Python loop over paragraphs.
    nonspace = _nonspace(text)
    paragraphs = sum(1 for _ in _PARAGRAPH.finditer(text))
    ends = sum(1 for _ in _SENTENCE_END.finditer(text))
    sentences = ends + paragraphs - sum(1 for _ in _FINAL_END.finditer(text))
    marks = sum(1 for _ in _QUOTE.finditer(text))
    countable = nonspace - marks
    return TextStats(
        word_count=len(text),
        chars_nonspace=nonspace,
        cjk_chars_plus_words=sum(map(len, _CJK_RUN.findall(text))) + len(_LATIN_WORD.findall(text)),
        paragraphs=paragraphs,
        sentences=sentences,
        mean_sentence_chars=nonspace / sentences if sentences else None,
        dialogue_share=_quoted(text) / countable if countable else None,
        distinct_chars=_distinct_nonspace(text),
    )


def _distinct_nonspace(text: str) -> int:
    """Distinct non-space code points: a numpy sort of the UTF-32 code units.

    ``len(set(text))`` measured 2.5x slower: it makes a str object per character.
    """
    if not text:
        return 0
    codes = np.sort(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))
    distinct = 1 + int(np.count_nonzero(codes[1:] != codes[:-1]))
    where = np.minimum(np.searchsorted(codes, _SPACE_CODES), codes.size - 1)
    return distinct - int(np.count_nonzero(codes[where] == _SPACE_CODES))


def _quoted(text: str) -> int:
    """Non-space characters inside quotes, quote marks excluded.

    Only the marks are visited: the text between two of them is measured when a quote
    is open, and a line break in it closes every open quote (paragraph end).
    """
    open_closers: list[str] = []  # the closing mark each open quote waits for
    inside = 0
    position = 0
    for match in _QUOTE.finditer(text):
        if open_closers:
            stop = LINE_BREAK.search(text, position, match.start())
            inside += _nonspace(text[position : stop.start() if stop else match.start()])
            if stop:
                open_closers = []
        position = match.end()
        mark = match.group()
        if mark in open_closers:  # closes its quote and any opened inside it
            del open_closers[len(open_closers) - 1 - open_closers[::-1].index(mark) :]
        elif mark in _CLOSER_OF:
            open_closers.append(_CLOSER_OF[mark])
        # Otherwise a closing mark with nothing open to close: ignored.
    if open_closers:
        stop = LINE_BREAK.search(text, position)
        inside += _nonspace(text[position : stop.start() if stop else len(text)])
    return inside


def stats_rows(texts: Iterable[tuple[Key, str | None]]) -> Iterator[tuple[Hashable, ...]]:
    """One row ``(*key, word_count, ..., distinct_chars)`` per text; a None text gives NAs.

    Examples
    --------
    >>> list(stats_rows([((1,), "好。"), ((2,), None)]))
    [(1, 2, 2, 1, 1, 1, 2.0, 0.0, 2), (2, None, None, None, None, None, None, None, None)]
    """
    empty = (None,) * len(STAT_COLUMNS)
    for key, text in texts:
        yield (*key, *(empty if text is None else astuple(text_stats(text))))


def stats_frame(texts: Iterable[tuple[Key, str | None]], *, keys: Sequence[str]) -> pd.DataFrame:
    """The rows of :func:`stats_rows` as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        The key columns, then the counts (``Int64``) and the two ratios
        (``mean_sentence_chars``, ``dialogue_share``: ``Float64``).

    Examples
    --------
    >>> frame = stats_frame([(("a",), "“好！”")], keys=["id"])
    >>> frame[["id", "sentences", "dialogue_share"]].to_dict("records")
    [{'id': 'a', 'sentences': 1, 'dialogue_share': 1.0}]
    """
    columns = [*keys, *STAT_COLUMNS]
    rows = list(stats_rows(texts))
    if {len(row) for row in rows} - {len(columns)}:
        raise ConfigurationError(
            f"Each key must have {len(keys)} values, one per name in keys={list(keys)!r}."
        )
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for column in STAT_COLUMNS:
        dtype = "Float64" if column in _FLOAT_COLUMNS else "Int64"
        frame[column] = pd.array(frame[column].tolist(), dtype=dtype)
    for column in keys:
        frame[column] = frame[column].infer_objects()
    return frame
