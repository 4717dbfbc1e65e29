"""Column conversions: raw driver values to pandas-friendly dtypes, vectorised.

Known columns get nullable dtypes (``Int64``, ``Float64``, ``boolean``,
``string``), UTC datetimes, categoricals for status vocabularies and parsed
JSON; columns a fork added are converted by their declared SQL type, and a
binary one (BLOB, BINARY, VARBINARY) is returned as stored: Python ``bytes``.

This module decides each column's conversion and reads timestamps; how the
nullable dtypes are built is in :mod:`._nullable`, how JSON is parsed in :mod:`._json`.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Interval, Numeric, Time
from sqlalchemy.types import TypeEngine, _Binary

from ..errors import StoredValueWarning
from ..schema.tables import build_metadata
from ..schema.vocabularies import STATUS_VOCABULARIES
from ._json import _parse_json_array, parse_json_values
from ._nullable import _as_boolean, _category, to_int, to_string

__all__ = [
    "DATE_DTYPE",
    "Kind",
    "convert_column",
    "kind_of_type",
    "known_kinds",
    "parse_json_arrow",
    "to_utc",
    "warn_unread",
]

#: The pandas dtype of a calendar day (a DATE column): naive, whole seconds, at midnight.
#: pandas has no date dtype of its own; to="polars"/"arrow" give such a column as a date
#: (``date32``, polars ``Date``), the one naive datetime64 dtype novelkit makes.
DATE_DTYPE = "datetime64[s]"

Kind = Literal[
    "int", "float", "bool", "str", "bytes", "datetime", "date", "duration", "json", "category"
]


def kind_of_type(sa_type: TypeEngine[Any]) -> Kind:
    """The conversion for a column of this SQL type (a fork's column, typed by what it declares)."""
    if isinstance(sa_type, JSON):
        return "json"
    if isinstance(sa_type, Boolean):
        return "bool"
    if isinstance(sa_type, DateTime):
        return "datetime"
    if isinstance(sa_type, Date):
        return "date"
    if isinstance(sa_type, Time | Interval):
        return "duration"
    if isinstance(sa_type, Integer):
        return "int"
    if isinstance(sa_type, Float | Numeric):
        return "float"
    if isinstance(sa_type, _Binary):
        # LargeBinary/BLOB, BINARY, VARBINARY and MySQL's TINY/MEDIUM/LONGBLOB: bytes,
        # not text in some encoding (decoding them as UTF-8 would replace most bytes).
        return "bytes"
    return "str"


@functools.cache
def known_kinds(table: str) -> dict[str, Kind]:
    """Column → conversion kind for a known Arboris table ({} for an unknown one)."""
    metadata = build_metadata("fusion")
    if table not in metadata.tables:
        return {}
    kinds: dict[str, Kind] = {}
    for column in metadata.tables[table].columns:
        kind = kind_of_type(column.type)
        if (table, column.name) in STATUS_VOCABULARIES:
            kind = "category"
        kinds[column.name] = kind
    return kinds


def to_utc(values: pd.Series, server_timezone: str | dt.tzinfo | None) -> pd.Series:
    """Parse timestamps (text in both SQLite formats, or datetimes) as UTC.

    SQLite stores naive UTC text with and without microseconds; MySQL returns
    naive datetimes in the server's time zone, given as ``server_timezone``
    (an IANA name or a fixed offset like ``+08:00``).
    """
    fast = _utc_by_arrow(values, server_timezone)
    if fast is not None:
        return fast
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        try:
            parsed = pd.to_datetime(values, format="ISO8601", errors="coerce")
        except ValueError:
            # Text with an offset beside text without one (a fork's or a hand's
            # write): the offsets are honoured and the rest read as UTC, as stored.
            parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    else:
        parsed = pd.to_datetime(values, errors="coerce")
    # One resolution whatever the values: pandas infers seconds from text without
    # a fraction, which would make a filtered frame's dtype differ from the whole.
    parsed = parsed.astype("datetime64[us]") if parsed.dt.tz is None else parsed
    if parsed.dt.tz is not None:
        return parsed.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if server_timezone in (None, "UTC", "+00:00"):
        return parsed.dt.tz_localize("UTC")
    return parsed.dt.tz_localize(
        server_timezone, ambiguous="NaT", nonexistent="shift_forward"
    ).dt.tz_convert("UTC")


def _utc_by_arrow(values: pd.Series, server_timezone: str | dt.tzinfo | None) -> pd.Series | None:
    """The common case of :func:`to_utc` in one C pass, or None to take the general path.

    Text in SQLite's formats (or naive datetimes from MySQL) read by Arrow's
    ISO 8601 parser, about three times faster than ``pd.to_datetime``; a zone
    that is UTC or a fixed offset is then one subtraction. Anything Arrow refuses
    (a value with an offset, an impossible date, text that is no timestamp) and
    named zones with daylight saving go the general way, which keeps what it can
    and counts what it cannot.
    """
    if server_timezone in (None, "UTC", "+00:00"):
        offset = dt.timedelta(0)
    elif isinstance(server_timezone, dt.timezone):
        offset = server_timezone.utcoffset(None)
    else:
        return None
    try:
        if isinstance(values.dtype, pd.StringDtype):
            array = pa.array(values.array, from_pandas=True).cast(pa.timestamp("us"))
        elif values.dtype == object:
            raw = values.to_numpy()
            first = next((v for v in raw if v is not None and v == v), None)
            if isinstance(first, str):
                text = pa.array(raw, type=pa.string(), from_pandas=True)
                array = text.cast(pa.timestamp("us"))
            elif isinstance(first, dt.datetime) and first.tzinfo is None:
                # Arrow would move an aware datetime to UTC; a driver gives one kind per column.
                array = pa.array(raw, type=pa.timestamp("us"), from_pandas=True)
            else:
                return None
        else:
            return None
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    stamps = array.to_numpy(zero_copy_only=False)
    if offset:
        stamps = stamps - np.timedelta64(offset // dt.timedelta(microseconds=1), "us")
    return pd.Series(stamps, index=values.index, name=values.name).dt.tz_localize("UTC")


def convert_column(
    table: str,
    column: str,
    values: pd.Series,
    kind: Kind,
    *,
    parse_json: bool,
    server_timezone: str | None,
    seen: Sequence[str] = (),
) -> pd.Series:
    """Convert one known column to its pandas dtype.

    ``seen``: values of a status column known to occur beyond this batch
    (iter_frames gives every chunk the same categories).
    """
    if kind == "bool" and isinstance(values.dtype, pd.BooleanDtype):
        return values  # built as booleans already (is_orphan)
    if kind in ("int", "float", "bool"):
        try:
            if kind == "float":
                return values.astype("Float64")
            numbers = to_int(values)
            return _as_boolean(numbers) if kind == "bool" else numbers
        except (ValueError, TypeError, OverflowError):
            # SQLite keeps any value in any column (text in an INTEGER column of a
            # fork's table): the column is given as stored, and the user told.
            warnings.warn(
                f"{table}.{column}: some stored values are not whole numbers of 64 bits; "
                "the column is given as stored, not converted.",
                StoredValueWarning,
                stacklevel=3,
            )
            if values.dtype == object and pd.api.types.infer_dtype(values) == "floating":
                # REALs in an integer column (2.5, or 2.0**64 for an unsigned too large
                # for SQLite): as numbers, as the Arrow path reads them too.
                return values.astype("float64")
            return values
    if kind == "str":
        return to_string(values)
    if kind == "bytes":
        # Kept as the driver (or Arrow's binary column) gave them: bytes, as objects.
        return values if values.dtype == object else values.astype(object)
    if kind == "datetime":
        return warn_unread(table, column, values, to_utc(values, server_timezone))
    if kind == "duration":
        # MySQL TIME is a signed duration (up to 838:59:59) that the driver gives as
        # timedelta; SQLite keeps the text. pandas has no time-of-day dtype: both as
        # timedelta64 (a time of day is its time since midnight).
        durations = pd.to_timedelta(values, errors="coerce").astype("timedelta64[us]")
        return warn_unread(table, column, values, durations)
    if kind == "date":
        dates = pd.to_datetime(values, format="ISO8601", errors="coerce").astype(DATE_DTYPE)
        return warn_unread(table, column, values, dates)
    if kind == "category":
        return _category(to_string(values), STATUS_VOCABULARIES[(table, column)], seen)
    if not parse_json:
        return to_string(values)
    parsed = parse_json_values(values.to_numpy(dtype=object), where=f"{table}.{column}")
    # object, always: pandas 3 would infer str for a column of JSON strings (and make
    # SQL NULL a NaN), so chunks and filtered frames would differ in dtype.
    return pd.Series(parsed, index=values.index, dtype=object)


def warn_unread(table: str, column: str, stored: pd.Series, read: pd.Series) -> pd.Series:
    """Say how many stored timestamps became NaT (unreadable text, an ambiguous DST hour)."""
    lost = int((read.isna().to_numpy() & stored.notna().to_numpy()).sum())
    if lost:
        warnings.warn(
            f"{table}.{column}: {lost} stored value(s) could not be read as a date/time and "
            "are missing (NaT) in the frame; the database still holds them as stored.",
            StoredValueWarning,
            stacklevel=3,
        )
    return read


# JSON_SLICE and parse_json_arrow stay here, beside the Arrow path's other
# conversions, rather than in _json: tests tune JSON_SLICE on this module.

#: Values parsed per step when a JSON column comes in Arrow (the Arrow path): their
#: Python bytes exist for one slice at a time, not beside every parsed value.
JSON_SLICE = 16_384


def parse_json_arrow(stored: pa.Array) -> tuple[np.ndarray, int]:
    """:func:`_parse_json_array` of an Arrow array of JSON text or bytes, a slice at a time
    (the Arrow path: the values' Python bytes never all exist beside the parsed ones)."""
    parsed = np.full(len(stored), None, dtype=object)
    broken = 0
    for start in range(0, len(stored), JSON_SLICE):
        part, count = _parse_json_array(
            stored.slice(start, JSON_SLICE).to_numpy(zero_copy_only=False)
        )
        parsed[start : start + len(part)] = part
        broken += count
    return parsed, broken
