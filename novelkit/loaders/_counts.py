"""Chapter lengths counted on the UTF-8 bytes of an Arrow text column.

The definitions are those of :mod:`novelkit.loaders._wordcount`, which spells them
as regular expressions on Python strings:

- ``chars_nonspace``: ``len(s) - count(r"\\s")``, with Python's Unicode ``\\s``
  (29 code points: ``\\t\\n\\v\\f\\r``, U+001C–001F, space, U+0085, U+00A0, U+1680,
  U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000);
- ``cjk_chars_plus_words``: count of ``[\\u4e00-\\u9fa5]`` plus count of Latin words
  ``[A-Za-z]+(?:['’-][A-Za-z]+)*``.

They are computed without decoding a single string, on the UTF-8 bytes of the
column: how is :mod:`._utf8_counts`. This module takes the column in (pandas or
Arrow), hands its Arrow chunks to those kernels and puts the counts together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from novelkit._docstrings import shared_sections
from novelkit.errors import ConfigurationError

from ._utf8_counts import WHITESPACE, chunk_counts

__all__ = [
    "SLICE_BYTES",
    "WHITESPACE",
    "chars_nonspace",
    "cjk_chars_plus_words",
    "text_counts",
    "text_lengths",
]

#: Bytes of text handled per step; small enough for the temporaries to stay in cache.
SLICE_BYTES = 1 << 19

_Ints = npt.NDArray[np.int64]


def text_counts(values: Any) -> pd.DataFrame:
    """Both chapter lengths of every value of a text column, in one pass over its bytes.

    Parameters
    ----------
    values
        A ``pyarrow`` ``string``/``large_string``/``string_view`` array or chunked array,
        a pandas ``ArrowStringArray``, or a pandas Series of ``str`` and missing values
        (any other value is converted with ``str()``, as ``astype("string")`` does).

    Returns
    -------
    pandas.DataFrame
        Columns ``chars_nonspace`` and ``cjk_chars_plus_words`` (``Int64``); a missing
        value gives ``<NA>`` in both. The index is the Series' index, otherwise a
        ``RangeIndex``.

    Examples
    --------
    >>> import pandas as pd
    >>> text_counts(pd.Series(["第一章 风起", None, "It's OK。"]))
       chars_nonspace  cjk_chars_plus_words
    0               5                     5
    1            <NA>                  <NA>
    2               7                     2
    """
    return _text_counts(values, slice_bytes=SLICE_BYTES)


def text_lengths(values: Any) -> pd.DataFrame:
    """:func:`text_counts` with a first column ``chars``: code points per value (``Int64``).

    The code points are counted in the same pass (UTF-8 bytes that do not continue a
    sequence), which costs less than a separate ``pyarrow.compute.utf8_length``.

    >>> import pandas as pd
    >>> text_lengths(pd.Series(["第一章 风起", None]))
       chars  chars_nonspace  cjk_chars_plus_words
    0      6               5                     5
    1   <NA>            <NA>                  <NA>
    """
    return _text_counts(values, slice_bytes=SLICE_BYTES, chars=True)


def _text_counts(values: Any, *, slice_bytes: int, chars: bool = False) -> pd.DataFrame:
    """:func:`text_counts` (or :func:`text_lengths` with ``chars``), the slice size a
    parameter (tests use tiny slices)."""
    chunks, index = _arrow_chunks(values)
    parts: dict[str, list[_Ints]] = {"chars": [], "chars_nonspace": [], "cjk_chars_plus_words": []}
    missing_parts: list[npt.NDArray[np.bool_]] = []
    for chunk in chunks:
        code_points, whitespace, cjk, missing = chunk_counts(chunk, slice_bytes)
        parts["chars"].append(code_points)
        parts["chars_nonspace"].append(code_points - whitespace)
        parts["cjk_chars_plus_words"].append(cjk)
        missing_parts.append(missing)
    missing = _concat(missing_parts, np.bool_)
    if not chars:
        del parts["chars"]
    return pd.DataFrame(
        {
            name: pd.arrays.IntegerArray(_concat(columns, np.int64), missing)
            for name, columns in parts.items()
        },
        index=index,
    )


#: The docstring sections :func:`chars_nonspace` and :func:`cjk_chars_plus_words` share.
_ONE_COUNT_DOC = """
    Parameters
    ----------
    values
        A text column, as for :func:`text_counts`.

    Returns
    -------
    pandas.Series
        ``Int64``, with the input Series' index and name.

    Examples
    --------
    >>> import pandas as pd
    """


@shared_sections(one_count=_ONE_COUNT_DOC)
def chars_nonspace(values: Any) -> pd.Series:
    """Non-whitespace code points per value (``Int64``, missing stays missing).

    {{one_count}}
    >>> chars_nonspace(pd.Series(["\\u3000\\u3000他说：走吧。\\r\\n", None])).tolist()
    [6, <NA>]
    """
    return _one_column(values, "chars_nonspace")


@shared_sections(one_count=_ONE_COUNT_DOC)
def cjk_chars_plus_words(values: Any) -> pd.Series:
    """CJK ideographs ``[\\u4e00-\\u9fa5]`` plus Latin words per value (``Int64``).

    {{one_count}}
    >>> cjk_chars_plus_words(pd.Series(["state-of-the-art 的 AI", ""])).tolist()
    [3, 0]
    """
    return _one_column(values, "cjk_chars_plus_words")


def _one_column(values: Any, column: str) -> pd.Series:
    result = text_counts(values)[column]
    result.name = values.name if isinstance(values, pd.Series) else column
    return result


# -- input --------------------------------------------------------------------------------


def _arrow_chunks(values: Any) -> tuple[list[pa.Array], pd.Index]:
    """The column as Arrow string chunks, and the index the result gets."""
    index: pd.Index | None = None
    if isinstance(values, pd.Series):
        index = values.index
        values = values.array
    if isinstance(values, pd.api.extensions.ExtensionArray) and hasattr(values, "__arrow_array__"):
        values = pa.array(values)
    elif isinstance(values, pd.api.extensions.ExtensionArray | np.ndarray):
        values = _from_python(values)
    if isinstance(values, pa.ChunkedArray):
        chunks = list(values.chunks)
        type_ = values.type
    elif isinstance(values, pa.Array):
        chunks = [values]
        type_ = values.type
    else:
        raise ConfigurationError(
            f"Cannot count the text of a {type(values).__name__}: pass a pandas Series or a "
            "pyarrow string array."
        )
    if pa.types.is_null(type_) or pa.types.is_string_view(type_):
        chunks = [chunk.cast(pa.large_string()) for chunk in chunks]
    elif not (pa.types.is_string(type_) or pa.types.is_large_string(type_)):
        raise ConfigurationError(
            f"Cannot count the text of an Arrow column of type {type_}: pass a string column "
            "(cast it first, e.g. array.cast(pyarrow.large_string()))."
        )
    length = sum(len(chunk) for chunk in chunks)
    return chunks, index if index is not None else pd.RangeIndex(length)


def _from_python(values: Any) -> pa.Array:
    """Objects (``str``, ``None``, ``NaN``, others through ``str()``) as large_string."""
    objects = np.asarray(values, dtype=object)
    try:
        return pa.array(objects, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Numbers or bytes among the texts: let pandas apply str() like astype("string").
        pass
    except UnicodeEncodeError as exc:
        raise _surrogate_error(exc) from exc
    try:
        strings = pd.array(objects, dtype=pd.StringDtype("pyarrow"))
    except UnicodeEncodeError as exc:
        raise _surrogate_error(exc) from exc
    return pa.array(strings)


def _surrogate_error(exc: UnicodeEncodeError) -> ConfigurationError:
    return ConfigurationError(
        f"Cannot count text holding a lone surrogate ({exc.reason}): it is not valid "
        "Unicode, and the database never returns it. Replace it first, e.g. "
        "series.str.encode('utf-8', 'replace').str.decode('utf-8')."
    )


def _concat(parts: list[Any], dtype: type) -> Any:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
