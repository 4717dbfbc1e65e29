"""Chapter length the three ways Arboris counts it, vectorised over a text column.

- ``word_count`` (the app's): ``len(content)``, whitespace and punctuation included;
- ``chars_nonspace`` (the chapter list in the UI, HEAD's enrichment): non-whitespace
  characters;
- ``cjk_chars_plus_words`` (the chapter workspace): CJK ideographs ``[\\u4e00-\\u9fa5]``
  plus Latin words.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["add_counts", "chars_nonspace", "cjk_chars_plus_words"]

_CJK = r"[\u4e00-\u9fa5]"
_LATIN_WORD = r"[A-Za-z]+(?:['’-][A-Za-z]+)*"


def chars_nonspace(text: pd.Series) -> pd.Series:
    """Non-whitespace characters per value (``Int64``, missing stays missing)."""
    strings = text.astype("string")
    return (strings.str.len() - strings.str.count(r"\s")).astype("Int64")


def cjk_chars_plus_words(text: pd.Series) -> pd.Series:
    """CJK ideographs plus Latin words per value (``Int64``)."""
    strings = text.astype("string")
    return (strings.str.count(_CJK) + strings.str.count(_LATIN_WORD)).astype("Int64")


def add_counts(frame: pd.DataFrame, text: pd.Series) -> pd.DataFrame:
    """Add ``chars_nonspace`` and ``cjk_chars_plus_words`` computed from ``text``."""
    frame["chars_nonspace"] = pd.array(chars_nonspace(text).to_numpy(), dtype="Int64")
    frame["cjk_chars_plus_words"] = pd.array(cjk_chars_plus_words(text).to_numpy(), dtype="Int64")
    return frame
