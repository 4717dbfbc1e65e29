"""JSON columns' stored text to Python objects, and the warning about values that are not JSON.

Split from :mod:`._convert`, which decides each column's conversion: parsing JSON
is a job of its own (orjson over the whole column, value by value only when some
value is not JSON, such values kept as stored and counted for one warning), used
by the loaders, the Arrow path (:func:`._convert.parse_json_arrow`) and ``load_sql``.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import orjson
import pandas as pd

from ..errors import StoredValueWarning
from ._gc import collector_paused

__all__ = ["parse_json_values", "warn_not_json"]


class _NotJson:
    """Marks a stored value that is not JSON (kept as stored, counted for the warning)."""

    __slots__ = ("text",)

    def __init__(self, text: str | bytes) -> None:
        self.text = text


def _parse_json(value: Any) -> Any:
    """One non-null stored value: JSON text parsed, anything else (a fork's odd type) kept."""
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        pass
    try:
        # Python's json also takes NaN/Infinity, which json.dumps writes by default.
        return json.loads(value)
    except ValueError:
        return _NotJson(value)


def _as_stored(value: str | bytes) -> str | bytes:
    """A value that is not JSON, as the database holds it: text as ``str``.

    JSON columns are fetched as UTF-8 bytes (see ``_raw.fetched_column``); bytes
    that do not decode were not text to begin with (a fork's odd type) and stay bytes.
    """
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def parse_json_values(raw: np.ndarray, *, where: str = "a JSON column") -> np.ndarray:
    """JSON text to Python objects; SQL NULL (None, NaN, NA) to None.

    Only the non-null values go through Python: large tables often have the JSON
    column mostly empty. Text that is not JSON (SQLite does not check) is kept as
    stored, with a :class:`~novelkit.StoredValueWarning` naming ``where``.
    """
    parsed, broken = _parse_json_array(raw)
    warn_not_json(where, broken)
    return parsed


def _parse_json_array(raw: np.ndarray) -> tuple[np.ndarray, int]:
    """``raw`` parsed (see :func:`parse_json_values`), and how many values were not JSON;
    the caller says so with :func:`warn_not_json`."""
    parsed = np.full(len(raw), None, dtype=object)
    present = np.flatnonzero(~pd.isna(raw))
    # fromiter with dtype=object keeps each list or dict whole; assigning a Python
    # list would let numpy read nested lists as another dimension.
    stored = raw[present]
    broken: list[int] = []
    with collector_paused():
        try:
            # orjson straight over the column: the usual case, every value JSON text
            # (a third faster than going through _parse_json value by value).
            values = np.fromiter(map(orjson.loads, stored), dtype=object, count=len(stored))
        except orjson.JSONDecodeError:
            # Some value is not JSON text (NaN as json.dumps writes it, a fork's odd
            # value or type): each value on its own, the others still parsed.
            values = np.fromiter(map(_parse_json, stored), dtype=object, count=len(stored))
            broken = [i for i, v in enumerate(values) if type(v) is _NotJson]
    for i in broken:
        values[i] = _as_stored(values[i].text)
    parsed[present] = values
    return parsed, len(broken)


def warn_not_json(where: str, broken: int) -> None:
    """Say (one warning) that ``broken`` values of ``where`` were not JSON, kept as text."""
    if broken:
        # The values are not shown: a JSON column of a fork's config table may hold keys.
        warnings.warn(
            f"{where}: {broken} stored value(s) are not valid JSON and were kept as "
            "text; pass parse_json=False to get every value as stored text.",
            StoredValueWarning,
            stacklevel=4,
        )
