"""An Arrow table as the columns the loaders convert, as the async driver gives them.

Text columns named by the loader become pandas ``string`` arrays on the same
Arrow buffers (bytes checked as UTF-8 once, no copy). Other columns become
what the converters take in one step: integers as ``Int64``, floats, booleans,
timestamps as ``datetime64``, everything else (ids, short strings, bytes,
decimals) as Python objects built in C. The converters then give the same
dtypes and values as on the driver path (the parity tests check it).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import pyarrow as pa

from ..loaders._convert import parse_json_arrow
from ..loaders._counts import text_lengths
from ..loaders._fetch import Fetched, LengthCounter, text_array

__all__ = ["ArrowColumns", "text_chunked"]

_NULLABLE = {
    pa.int8(): pd.Int64Dtype(),
    pa.int16(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.Int64Dtype(),
    pa.uint16(): pd.Int64Dtype(),
    pa.uint32(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def _utf8(chunk: pa.Array) -> pa.Array:
    """One chunk of text (string, or the UTF-8 bytes text is selected as) as
    ``large_string``; bytes are checked as UTF-8 (``ArrowInvalid`` when they are not)."""
    if pa.types.is_binary(chunk.type) or pa.types.is_large_binary(chunk.type):
        strings = chunk.cast(pa.large_binary()).view(pa.large_string())
        strings.validate(full=True)
        return strings
    if pa.types.is_null(chunk.type):
        return pa.nulls(len(chunk), pa.large_string())
    return chunk.cast(pa.large_string())


def text_chunked(column: pa.ChunkedArray, where: str) -> pa.ChunkedArray:
    """A column of text (string, or the UTF-8 bytes text is selected as) as ``large_string``."""
    try:
        return pa.chunked_array([_utf8(chunk) for chunk in column.chunks], type=pa.large_string())
    except pa.ArrowInvalid:
        # Bytes that are not UTF-8: shown as U+FFFD with a warning, as on the
        # driver path (the same function does it).
        return pa.chunked_array([text_array(column.to_numpy(zero_copy_only=False), where=where)])


def _objects(column: pa.ChunkedArray) -> pd.Series:
    kind = column.type
    if kind in _NULLABLE:
        if column.null_count:
            # Python ints and None, as the driver gives them: code comparing them
            # (``version_id == selected_version_id``) must see False, not NA.
            values = column.to_pylist()
            return pd.Series(np.fromiter(values, dtype=object, count=len(values)), dtype=object)
        # No missing values: exact as Int64, and the converters keep it as it is.
        return column.to_pandas(types_mapper=_NULLABLE.get)
    if pa.types.is_float32(kind):
        # MySQL FLOAT: the async driver reads its text (0.82); connectorx its binary
        # single-precision value (0.8199999928...). Arrow's shortest repr gives the text.
        return column.cast(pa.string()).cast(pa.float64()).to_pandas()
    if pa.types.is_floating(kind) or pa.types.is_timestamp(kind):
        return column.to_pandas()
    if pa.types.is_null(kind):
        return pd.Series([None] * len(column), dtype=object)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        # Kept in Arrow: the converters take pandas' Arrow-backed strings as they are
        # (a round trip through Python str objects cost more than the read).
        strings = column.cast(pa.large_string())
        strings.validate(full=True)
        return pd.Series(pd.arrays.ArrowStringArray(strings))
    if pa.types.is_date(kind):
        return pd.Series(column.to_pylist(), dtype=object)
    if pa.types.is_time(kind):
        return pd.Series(time_as_duration(column).to_pandas(), dtype=object)
    return pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)


def _is_text_or_bytes(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    )


def time_as_duration(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """connectorx's time of day as the duration since midnight the MySQL driver gives
    for a TIME (``timedelta``): the same values whichever path read them."""
    unit = column.type.unit
    return column.cast(pa.int64()).cast(pa.duration(unit))


class ArrowColumns:
    """An Arrow result, gathered batch by batch into the columns the loaders convert
    (:func:`~novelkit.loaders._fetch.fetch_columns`' ``Fetched``).

    Text columns are checked as UTF-8 as each batch is added, their lengths counted
    on the counter's own thread (:class:`~novelkit.loaders._fetch.LengthCounter`),
    and ``json`` columns of text or bytes parsed (a slice at a time, so their values
    never all exist twice, as Python bytes and as parsed objects). On SQLite the
    batches are added while the worker thread reads the next ones, so this work runs
    beside the read instead of after it: the UTF-8 check in pyarrow, mostly outside
    the GIL; the JSON parse in orjson while the worker waits on SQLite, which holds
    no GIL either.
    """

    def __init__(
        self,
        *,
        text: Collection[str] = (),
        counter: LengthCounter | None = None,
        json: Collection[str] = (),
    ) -> None:
        self.counter = counter if counter is not None else LengthCounter(())
        self.text = set(text) | self.counter.names
        self.json = set(json)
        self.added = False
        self.chunks: dict[str, list[pa.Array]] = {}
        self.strings: dict[str, list[pa.Array]] = {}
        self.parsed: dict[str, list[np.ndarray]] = {}
        #: Per parsed JSON column: how many values were not JSON (kept as stored text).
        self.not_json: dict[str, int] = {}
        #: Text columns with bytes that are not UTF-8: redone whole at the end, with
        #: one warning for the column (as :func:`text_chunked` gives it).
        self.broken: set[str] = set()

    def _is_json(self, name: str, kind: pa.DataType) -> bool:
        return name in self.json and _is_text_or_bytes(kind)

    def add(self, data: pa.RecordBatch | pa.Table) -> None:
        """Take the next rows (a batch as it arrives, or the whole result at once)."""
        self.added = True
        for name, column in zip(data.schema.names, data.columns, strict=True):
            chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
            if self._is_json(name, column.type):
                # Parsed now; the stored text is not kept (the frame holds the objects).
                parts = self.parsed.setdefault(name, [])
                self.not_json.setdefault(name, 0)
                for chunk in chunks:
                    parsed, not_json = parse_json_arrow(chunk)
                    parts.append(parsed)
                    self.not_json[name] += not_json
                continue
            self.chunks.setdefault(name, []).extend(chunks)
            if name not in self.text or name in self.broken:
                continue
            try:
                strings = [_utf8(chunk) for chunk in chunks]
            except pa.ArrowInvalid:
                self.broken.add(name)
                continue
            self.strings.setdefault(name, []).extend(strings)
            for chunk in strings:
                self.counter.add(name, chunk)

    def add_unless_added(self, table: pa.Table) -> None:
        """Add ``table``, the whole result, if no batch of it was added as it arrived."""
        if not self.added:
            self.add(table)

    def fetched(self, table: pa.Table) -> Fetched:
        """The columns, after the counter's ``counted()``. ``table`` is what the read
        returned: the whole result, or its columns without rows when the rows came
        batch by batch to :meth:`add` (only its schema is read then)."""
        self.add_unless_added(table)
        columns: dict[str, pd.Series] = {}
        counted: dict[str, pd.DataFrame] = {}
        for field in table.schema:
            name = field.name
            if self._is_json(name, field.type):
                parts = self.parsed.get(name, [])
                values = np.concatenate(parts) if parts else np.empty(0, dtype=object)
                columns[name] = pd.Series(values, dtype=object, name=name)
                continue
            column = pa.chunked_array(self.chunks.get(name, []), type=field.type)
            if name in self.text:
                if name in self.broken:
                    strings = text_chunked(column, name)
                    if name in self.counter.names:
                        counted[name] = text_lengths(strings)
                else:
                    strings = pa.chunked_array(self.strings.get(name, []), type=pa.large_string())
                    if name in self.counter.names:
                        counted[name] = self.counter.result(name)
                columns[name] = pd.Series(pd.arrays.ArrowStringArray(strings), name=name)
            else:
                series = _objects(column)
                series.name = name
                columns[name] = series
        return Fetched(columns, counted, parsed_json=self.not_json)
