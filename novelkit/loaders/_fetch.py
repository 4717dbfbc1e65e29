"""Rows from the database into columns: the one fast fetch path every loader uses.

A statement runs through the engine (so echo, events, statement timeouts and
error translation apply), and its rows are read from the DBAPI cursor as tuples:
building SQLAlchemy ``Row`` objects first roughly doubles the cost on SQLite.
The rows are then split into columns a chunk at a time, text columns turned
into Arrow arrays and their lengths counted when asked, each chunk's tuples
freed as soon as its columns exist. Between chunks the task yields to the event
loop, so a cancellation (the interrupt button) ends a long load within a chunk.
(Streaming with a server-side cursor, and fetching the next chunk while
converting this one, were tried: on SQLite the driver's thread and the
conversion then fight over the GIL, and the whole got slower.)

Columns stay Python objects unless named as text (no dtype inference, which
pandas 3 would do for every text column): each loader converts its known columns
once and builds its DataFrame from the converted columns.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from ..arrow._choice import note_driver_path
from ..errors import StoredValueWarning
from ._counts import text_lengths

if TYPE_CHECKING:
    from ..schema.reflect import TableShape
    from ._query import LoadContext

__all__ = [
    "CHUNK_ROWS",
    "Fetched",
    "LengthCounter",
    "as_utf8_bytes",
    "fetch_columns",
    "fetch_frame",
    "frame_of",
    "is_utf8_bytes",
    "text_array",
]

#: Rows per round trip to the driver: big enough that the round trips cost nothing
#: next to the rows, small enough that a chunk of chapter texts stays tens of MB.
CHUNK_ROWS = 2048


#: The type text is cast to when selected as its UTF-8 bytes (:func:`as_utf8_bytes`):
#: this very instance, so a reader can tell these casts from any other.
_UTF8_BYTES = sa.LargeBinary()


def as_utf8_bytes(
    table: sa.TableClause, shape: TableShape, name: str, label: str | None = None
) -> sa.ColumnElement[Any]:
    """Text selected as its stored UTF-8 bytes (``CAST(... AS BLOB)``, MySQL ``BINARY``).

    The async drivers decode every text value into a Python ``str``, which pyarrow
    then encodes back to UTF-8: for chapter texts that round trip costs more than
    the transfer itself. As bytes, the stored UTF-8 goes into Arrow (or orjson) as
    it is, checked once. connectorx, which builds Arrow strings itself, reads the
    plain column instead (see :func:`is_utf8_bytes`). A MySQL column of another
    character set (``latin1``) is selected as text: its bytes are not UTF-8, and
    the server converts its text to the connection's ``utf8mb4``.
    """
    column = table.c[name]
    found = shape.column(name)
    if found is not None and not found.stores_utf8:
        return column.label(label or name)
    return sa.cast(column, _UTF8_BYTES).label(label or name)


def is_utf8_bytes(element: object) -> bool:
    """Whether ``element`` is a cast made by :func:`as_utf8_bytes`."""
    return isinstance(element, sa.Cast) and element.type is _UTF8_BYTES


@dataclass
class Fetched:
    """What :func:`fetch_columns` read: columns by name, and lengths of text columns."""

    columns: dict[str, pd.Series]
    #: For each column named in ``lengths=``: ``chars``, ``chars_nonspace`` and
    #: ``cjk_chars_plus_words`` per row (``Int64``, missing where the text is).
    lengths: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: JSON columns (of those named in ``json=``) given already parsed, as Python
    #: objects, with how many of their values were not JSON (kept as text, not yet
    #: said: :func:`~novelkit.loaders._json.warn_not_json`).
    parsed_json: dict[str, int] = field(default_factory=dict)


def text_array(values: Sequence[Any] | np.ndarray, *, where: str = "a text column") -> pa.Array:
    """One chunk of a text column as an Arrow ``large_string`` array.

    UTF-8 bytes (long text is selected as bytes, see ``_raw.fetched_column``) are
    copied as binary and checked as UTF-8 in one vectorised pass, several times
    faster than converting them as strings; ``str`` values are encoded by Arrow.
    Anything else (numbers in a SQLite text column, bytes that are not UTF-8)
    takes a lenient path, undecodable bytes shown as U+FFFD with a warning.
    """
    try:
        if _first_present_is_bytes(values):
            array = pa.array(values, type=pa.large_binary(), from_pandas=True)
            array = array.view(pa.large_string())
            array.validate(full=True)
            return array
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _lenient(values, where)


def _first_present_is_bytes(values: Sequence[Any] | np.ndarray) -> bool:
    for value in values:
        if value is not None and not (isinstance(value, float) and value != value):
            return isinstance(value, bytes)
    return False


def _lenient(values: Sequence[Any] | np.ndarray, where: str) -> pa.Array:
    broken = 0
    decoded: list[Any] = []
    for value in values:
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                value = value.decode("utf-8", errors="replace")
                broken += 1
        decoded.append(value)
    if broken:
        warnings.warn(
            f"{where}: {broken} stored text value(s) are not valid UTF-8; undecodable bytes "
            "are shown as U+FFFD.",
            StoredValueWarning,
            stacklevel=4,
        )
    strings = pd.array(decoded, dtype=pd.StringDtype("pyarrow"))
    return pa.array(strings)


class _Columns:
    """Chunks of each column, gathered as they arrive."""

    def __init__(self, names: list[str], text: Collection[str], counter: LengthCounter) -> None:
        self.names = names
        self.counter = counter
        self.text = set(text) | counter.names
        self.objects: dict[str, list[np.ndarray]] = {n: [] for n in names if n not in self.text}
        self.arrays: dict[str, list[pa.Array]] = {n: [] for n in names if n in self.text}

    def add(self, rows: Sequence[Any]) -> None:
        count = len(rows)
        for position, name in enumerate(self.names):
            # One column at a time by index: ``zip(*rows)`` makes an iterator object
            # per row, and 200,000 short-lived GC-tracked objects set off full
            # collections that cost more than the transposition itself.
            column = np.fromiter(map(itemgetter(position), rows), dtype=object, count=count)
            if name not in self.text:
                self.objects[name].append(column)
                continue
            array = text_array(column, where=name)
            self.arrays[name].append(array)
            self.counter.add(name, array)

    def result(self) -> Fetched:
        columns: dict[str, pd.Series] = {}
        for name in self.names:
            if name in self.text:
                chunks = self.arrays.pop(name)
                array = pa.chunked_array(chunks, type=pa.large_string())
                columns[name] = pd.Series(pd.arrays.ArrowStringArray(array), name=name)
            else:
                parts = self.objects.pop(name)
                values = np.concatenate(parts) if parts else np.empty(0, dtype=object)
                columns[name] = pd.Series(values, dtype=object, name=name)
        lengths = {
            name: self.counter.result(name) for name in self.names if name in self.counter.names
        }
        return Fetched(columns, lengths)


class LengthCounter:
    """The lengths of text columns (:func:`~novelkit.loaders._counts.text_lengths`),
    counted chunk by chunk on a thread of its own as the chunks arrive.

    The caller goes on with the next chunk meanwhile (its conversion, its UTF-8
    check, the JSON parse): numpy's passes over the bytes run mostly outside the
    GIL, so on two cores the counts cost little more than nothing. Use it as a
    context manager: leaving it (a cancellation included) drops the chunks not yet
    counted, without waiting for the one being counted.
    """

    def __init__(self, names: Collection[str]) -> None:
        self.names = set(names)
        self._parts: dict[str, list[Future[pd.DataFrame]]] = {n: [] for n in self.names}
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="novelkit-count")
            if self.names
            else None
        )

    def __enter__(self) -> LengthCounter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)

    def add(self, name: str, chunk: pa.Array) -> None:
        """Count the next chunk of column ``name`` (if it is one to count)."""
        if self._thread is not None and name in self.names:
            self._parts[name].append(self._thread.submit(text_lengths, chunk))

    async def counted(self) -> None:
        """Wait, without blocking the event loop, until every chunk added is counted."""
        pending = [f for parts in self._parts.values() for f in parts if not f.done()]
        if pending:
            await asyncio.wait([asyncio.wrap_future(f) for f in pending])

    def result(self, name: str) -> pd.DataFrame:
        """Column ``name``'s lengths, every chunk in order (after :meth:`counted`)."""
        return concat_lengths([part.result() for part in self._parts[name]])


def concat_lengths(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The lengths of a text column's chunks, counted chunk by chunk, as one frame."""
    if not parts:
        return text_lengths(pa.array([], type=pa.large_string()))
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


async def fetch_columns(
    ctx: LoadContext,
    statement: sa.Executable,
    *,
    text: Collection[str] = (),
    lengths: Collection[str] = (),
    json: Collection[str] = (),
    chunk_rows: int = CHUNK_ROWS,
    partition_on: str | None = None,
    rows_of: str | None = None,
) -> Fetched:
    """Run ``statement``; its columns by name, ``text`` ones as pandas ``string`` (Arrow).

    ``lengths`` names text columns whose lengths are counted too, chunk by chunk
    as they arrive (see :class:`Fetched`). When the call takes the Arrow path
    (``ctx.arrow``), the statement runs there and gives the same columns;
    ``partition_on`` names an integer key it may split a large read on (MySQL);
    ``rows_of`` the table a join gives a row per row of (MySQL weighs the statement
    by that table's size; a plain read of one table is weighed by it anyway).
    ``json`` names JSON columns about to be parsed: the Arrow path parses them as
    its batches arrive, beside the read (see ``Fetched.parsed_json``); the driver
    path gives them as stored, for the converters to parse.
    """
    if ctx.arrow is not None:
        fetched = await ctx.arrow.fetch(
            ctx.conn,
            statement,
            text=text,
            lengths=lengths,
            json=json,
            partition_on=partition_on,
            rows_of=rows_of,
        )
        if fetched is not None:
            return fetched
    note_driver_path()
    result = await ctx.conn.execute(statement)
    try:
        names = list(result.keys())
        # The DBAPI cursor's rows: tuples, no Row objects (see above).
        rows = cast(Any, result).cursor.fetchall()
    finally:
        result.close()
    with LengthCounter(lengths) as counter:
        columns = _Columns(names, text, counter)
        for start in range(0, len(rows), chunk_rows):
            stop = min(start + chunk_rows, len(rows))
            columns.add(rows[start:stop])
            # Free this chunk's tuples now (without shifting the list), and let a
            # cancellation in: converting a large result takes seconds.
            rows[start:stop] = [None] * (stop - start)
            await asyncio.sleep(0)
        await counter.counted()
        return columns.result()


async def fetch_frame(ctx: LoadContext, statement: sa.Executable) -> pd.DataFrame:
    """Run ``statement`` and return a DataFrame of object columns (see :func:`fetch_columns`)."""
    return frame_of((await fetch_columns(ctx, statement)).columns)


def frame_of(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """A DataFrame of columns of one length, each taken as it is.

    ``pd.DataFrame(dict_of_series)`` aligns the indexes and copies every column,
    a fixed cost of about 25 µs a column that dominates small tables (a third of
    a millisecond for the foreshadowings' 24 columns, where this takes a quarter of
    that). The columns are fresh arrays no one else holds, so nothing is shared.
    """
    return pd.DataFrame({name: values.array for name, values in columns.items()}, copy=False)
