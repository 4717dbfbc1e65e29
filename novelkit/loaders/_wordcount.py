"""Chapter length the three ways Arboris counts it, over whole text columns at once.

- ``word_count`` (the app's): ``len(content)``, whitespace and punctuation included;
- ``chars_nonspace`` (the chapter list in the UI, HEAD's enrichment): non-whitespace
  characters;
- ``cjk_chars_plus_words`` (the chapter workspace): CJK ideographs ``[\\u4e00-\\u9fa5]``
  plus Latin words.

The counting itself is :mod:`novelkit.loaders._counts` (numpy over the column's UTF-8
bytes), which the loaders hand their text columns (Arrow strings) without building
a Python string per value (``text_lengths``). A missing text stays missing (``<NA>``)
in every count.
"""

from __future__ import annotations

from ._counts import chars_nonspace, cjk_chars_plus_words

__all__ = ["chars_nonspace", "cjk_chars_plus_words"]
