"""Column conversions: raw driver values to pandas-friendly dtypes, vectorised.

Known columns get nullable dtypes (``Int64``, ``Float64``, ``boolean``,
``string``), UTC datetimes, categoricals for status vocabularies and parsed
JSON; columns a fork added are converted by their declared SQL type, and a
binary one (BLOB, BINARY, VARBINARY) is returned as stored: Python ``bytes``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Interval, Numeric, Time
from sqlalchemy.types import TypeEngine, _Binary

from ..errors import StoredValueWarning
from ..schema.tables import build_metadata
from ..schema.vocabularies import STATUS_VOCABULARIES
from ._gc import collector_paused

__all__ = [
    "DATE_DTYPE",
    "Kind",
    "convert_column",
    "kind_of_type",
    "known_kinds",
    "parse_json_arrow",
    "parse_json_values",
    "to_int",
    "to_string",
    "to_utc",
    "warn_not_json",
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
        return _warn_unread(table, column, values, to_utc(values, server_timezone))
    if kind == "duration":
        # MySQL TIME is a signed duration (up to 838:59:59) that the driver gives as
        # timedelta; SQLite keeps the text. pandas has no time-of-day dtype: both as
        # timedelta64 (a time of day is its time since midnight).
        durations = pd.to_timedelta(values, errors="coerce").astype("timedelta64[us]")
        return _warn_unread(table, column, values, durations)
    if kind == "date":
        dates = pd.to_datetime(values, format="ISO8601", errors="coerce").astype(DATE_DTYPE)
        return _warn_unread(table, column, values, dates)
    if kind == "category":
        return _category(to_string(values), STATUS_VOCABULARIES[(table, column)], seen)
    if not parse_json:
        return to_string(values)
    parsed = parse_json_values(values.to_numpy(dtype=object), where=f"{table}.{column}")
    # object, always: pandas 3 would infer str for a column of JSON strings (and make
    # SQL NULL a NaN), so chunks and filtered frames would differ in dtype.
    return pd.Series(parsed, index=values.index, dtype=object)


def _warn_unread(table: str, column: str, stored: pd.Series, read: pd.Series) -> pd.Series:
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


#: Values parsed per step when a JSON column comes in Arrow (the Arrow path): their
#: Python bytes exist for one slice at a time, not beside every parsed value.
JSON_SLICE = 16_384


def parse_json_values(raw: np.ndarray, *, where: str = "a JSON column") -> np.ndarray:
    """JSON text to Python objects; SQL NULL (None, NaN, NA) to None.

    Only the non-null values go through Python: large tables often have the JSON
    column mostly empty. Text that is not JSON (SQLite does not check) is kept as
    stored, with a :class:`~novelkit.StoredValueWarning` naming ``where``.
    """
    parsed, broken = _parse_json_array(raw)
    warn_not_json(where, broken)
    return parsed


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
