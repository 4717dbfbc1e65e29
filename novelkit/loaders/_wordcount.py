"""Chapter length the three ways Arboris counts it, over whole text columns at once.

- ``word_count`` (the app's): ``len(content)``, whitespace and punctuation included;
- ``chars_nonspace`` (the chapter list in the UI, HEAD's enrichment): non-whitespace
  characters;
- ``cjk_chars_plus_words`` (the chapter workspace): CJK ideographs ``[\\u4e00-\\u9fa5]``
  plus Latin words.

The counting itself is :mod:`novelkit.text._counts` (numpy over the column's UTF-8
bytes); here the loaders' text columns (pandas ``string`` backed by Arrow) are
handed to it without building a Python string per value. A missing text stays
missing (``<NA>``) in every count.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from ._counts import chars_nonspace, cjk_chars_plus_words, text_lengths

__all__ = ["arrow_lengths", "chars_nonspace", "cjk_chars_plus_words"]


def arrow_lengths(array: pa.Array | pa.ChunkedArray) -> pd.DataFrame:
    """``chars`` (code points), ``chars_nonspace`` and ``cjk_chars_plus_words`` per value.

    ``Int64`` columns on a ``RangeIndex``; a missing value is ``<NA>`` in all three.
    """
    return text_lengths(array)
