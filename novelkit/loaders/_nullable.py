"""Columns as pandas' nullable and categorical dtypes, built vectorised.

``Int64``/``UInt64``, ``string``, ``boolean`` and the status categoricals, each
built in one C pass where the values allow (numpy, pyarrow) and by pandas' slower,
validating path otherwise. Split from :mod:`._convert`, which decides which of
these a column gets: how each dtype is built fast is a job of its own, also used
by loaders that build their frames by hand and by ``load_sql``'s typing.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import StoredValueWarning

__all__ = ["to_int", "to_string"]


_INT64_MAX = np.iinfo(np.int64).max


def _is_unsigned_64(dtype: Any) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        return bool(pa.types.is_uint64(dtype.pyarrow_dtype))
    return str(dtype) in ("uint64", "UInt64")


def to_int(values: pd.Series) -> pd.Series:
    """Whole numbers as pandas' nullable ``Int64`` (``UInt64`` where an unsigned value
    is beyond ``Int64``).

    When every non-null value is a Python int, numpy converts them in one C pass
    (about 8 times faster than ``astype("Int64")`` on object values); anything
    else (text in a SQLite integer column, decimals, huge numbers) takes that
    slower path, which validates every value.
    """
    if isinstance(values.dtype, pd.Int64Dtype):
        return values  # the Arrow path's integers: converted already
    if values.dtype != object:
        if _is_unsigned_64(values.dtype) and values.max() > _INT64_MAX:
            return values.astype("UInt64")
        with np.errstate(invalid="ignore"):  # see below: pandas raises what matters
            return values.astype("Int64")
    raw = values.to_numpy(dtype=object)
    missing = pd.isna(raw)
    present = raw[~missing] if missing.any() else raw
    if pd.api.types.infer_dtype(present, skipna=False) != "integer":
        # pandas checks every value and raises (for convert_column to keep the column
        # as stored) on any that is not whole or too large; numpy's own warning about
        # that cast would only repeat it.
        with np.errstate(invalid="ignore"):
            return values.astype("Int64")
    try:
        numbers = present.astype(np.int64)
    except OverflowError:
        # A BIGINT UNSIGNED past 2**63-1 (a fork's hash or counter): pandas' unsigned
        # dtype holds it; anything else too large raises for convert_column to keep.
        return values.astype("UInt64")
    data = np.zeros(len(raw), dtype=np.int64)
    data[~missing] = numbers
    array = pd.arrays.IntegerArray(data, missing)
    return pd.Series(array, index=values.index, name=values.name)


def to_string(values: pd.Series) -> pd.Series:
    """Text as pandas' nullable ``string`` dtype, built by pyarrow in one C pass.

    ``astype("string")`` checks every value in Python first and costs two to three
    times as much on large text columns; anything pyarrow refuses (bytes, numbers)
    takes that slower, more lenient path.
    """
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is pd.NA:
        return values
    raw = values.to_numpy(dtype=object)
    try:
        if _first_present(raw, bytes):
            # UTF-8 bytes (text selected as bytes, see _raw.fetched_column) are copied
            # as binary, then checked as UTF-8 in one vectorised pass: several times
            # faster than converting them as strings, which checks value by value.
            array = pa.array(raw, type=pa.large_binary(), from_pandas=True)
            array = array.view(pa.large_string())
            array.validate(full=True)
        else:
            array = pa.array(raw, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _lenient_string(values, raw)
    return pd.Series(pd.arrays.ArrowStringArray(array), index=values.index, name=values.name)


def _first_present(raw: np.ndarray, kind: type) -> bool:
    """Whether the first non-null value of ``raw`` is a ``kind``."""
    for value in raw:
        if value is not None and not (isinstance(value, float) and value != value):
            return isinstance(value, kind)
    return False


def _lenient_string(values: pd.Series, raw: np.ndarray) -> pd.Series:
    """Text from values pyarrow refused: bytes that are not UTF-8, numbers, other types."""
    broken = 0
    decoded = raw.copy()
    for position, value in enumerate(raw):
        if isinstance(value, bytes):
            try:
                decoded[position] = value.decode("utf-8")
            except UnicodeDecodeError:
                decoded[position] = value.decode("utf-8", errors="replace")
                broken += 1
    if broken:
        warnings.warn(
            f"{values.name}: {broken} stored text value(s) are not valid UTF-8; undecodable "
            "bytes are shown as U+FFFD.",
            StoredValueWarning,
            stacklevel=3,
        )
    return pd.Series(decoded, index=values.index, name=values.name).astype("string")


def _category(values: pd.Series, known: Sequence[str], seen: Sequence[str] = ()) -> pd.Series:
    """Text (as :func:`to_string` gives it) as a categorical: the vocabulary first, in
    its order, then any other value seen, sorted. The codes are looked up by Arrow,
    two to three times faster than ``astype(CategoricalDtype)``."""
    strings = pa.array(values.array, from_pandas=True)
    observed = set(pc.unique(strings.drop_null()).to_pylist()) | {str(v) for v in seen}
    categories = tuple(known) + tuple(sorted(v for v in observed if v not in known))
    codes = pc.index_in(strings, value_set=pa.array(categories, type=strings.type))
    return pd.Series(
        pd.Categorical.from_codes(
            # Codes Arrow looked up in these very categories: valid by construction.
            pc.fill_null(codes, -1).to_numpy(),
            dtype=_categorical_dtype(categories),
            validate=False,
        ),
        index=values.index,
        name=values.name,
    )


@functools.lru_cache(maxsize=256)
def _categorical_dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    """The dtype of a status column, made once per vocabulary: building one checks its
    categories (~50 us), as much as coding a small table's whole column."""
    return pd.CategoricalDtype(categories=list(categories))


def _as_boolean(numbers: pd.Series) -> pd.Series:
    """0/1 (any non-zero) as pandas' nullable ``boolean``, built from the integers'
    values and mask (``astype("boolean")`` costs about three times more)."""
    array = pd.arrays.BooleanArray(
        numbers.array.to_numpy(dtype=bool, na_value=False), np.asarray(numbers.array.isna())
    )
    return pd.Series(array, index=numbers.index, name=numbers.name)
