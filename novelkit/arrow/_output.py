"""``to=`` and ``fast=`` on every public function: one decorator, one conversion.

Every loader, SQL and story-text function takes ``fast=`` (which path reads the
rows, see ``_choice``) and ``to=``: ``"pandas"`` (default), ``"polars"`` or
``"arrow"``. The frame is built as pandas (its conversions are the one source of
the dtypes), then handed over column by column on the same Arrow buffers where
pandas keeps them (text, and numbers without copies where Arrow can), giving:
``Int64`` → ``int64``, ``datetime64[us, UTC]`` → ``timestamp[us, tz=UTC]``
(polars ``Datetime("us", "UTC")``), a calendar day (a DATE column, pandas'
``datetime64[s]``) → ``date32`` (polars ``Date``), categoricals → dictionaries (polars
``Categorical``), ``string`` → ``large_string``. Parsed JSON (Python dicts and
lists) has no Arrow type that keeps every shape, so JSON columns come as their
stored JSON text there (a loader's ``parse_json`` is off for these outputs; the
SQL functions' and ``iter_frames``' parsed values are written back as JSON); in
polars ``pl.col(c).str.json_decode(dtype)`` parses a column of known shape.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Literal, ParamSpec, TypeAlias, TypeVar

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..db._engine import check_fast
from ..errors import ConfigurationError, WrongTypeError
from ..loaders._convert import DATE_DTYPE
from ._choice import CallRecord, call_record

__all__ = [
    "OUTPUTS",
    "Frame",
    "Output",
    "check_output",
    "convert_output",
    "frame_output",
    "stream_output",
]

Output = Literal["pandas", "polars", "arrow"]
#: What a function with ``to=`` returns: a pandas DataFrame by default. Typed with
#: ``Any`` in the union ("the Any trick"), since the type depends on ``to``; the
#: facade's methods are overloaded on ``to`` and give each output its own type.
Frame: TypeAlias = "pd.DataFrame | Any"
OUTPUTS: tuple[Output, ...] = ("pandas", "polars", "arrow")

P = ParamSpec("P")
T = TypeVar("T")


def check_output(to: object) -> Output:
    """``to`` if it names an output, else :class:`ConfigurationError` listing them."""
    if to not in OUTPUTS:
        raise ConfigurationError(f"to={to!r} is not valid; use 'pandas', 'polars' or 'arrow'.")
    if to == "polars":
        try:
            import polars  # noqa: F401
        except ImportError as exc:
            raise ConfigurationError(
                "to='polars' needs polars: pip install polars (or 'novelkit[notebooks]')."
            ) from exc
    return to  # type: ignore[return-value]


def _json_text(values: pd.Series) -> pa.Array:
    def dump(value: Any) -> str | None:
        if value is None or (isinstance(value, float) and value != value):
            return None
        if isinstance(value, str):
            return value
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode("utf-8")

    return pa.array([dump(v) for v in values], type=pa.large_string())


def _object_column(values: pd.Series) -> pa.Array:
    """An object column: text, bytes, or parsed JSON given back as its JSON text.

    Arrow could infer a struct from dicts of one shape, but not from dicts of
    several shapes or a mix of dicts and lists: JSON text is the one type that
    every value (and every chunk of a stream) fits.
    """
    kinds = {type(v) for v in values if v is not None and not (isinstance(v, float) and v != v)}
    if kinds <= {str}:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    if kinds <= {bytes}:
        return pa.array(values, type=pa.large_binary(), from_pandas=True)
    if kinds & {dict, list, bool, int, float}:
        return _json_text(values)
    try:
        return pa.array(values, from_pandas=True)  # decimals, dates: Arrow has their types
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _json_text(values)


def _as_days(stamps: pa.Array) -> pa.Array:
    """A DATE column's midnights as ``date32``: a day, not an instant (Arrow and polars
    have a date type, pandas has not; as ``timestamp[s]`` polars made it
    ``Datetime("ms")``). A value with a time of day (text SQLite let a fork write into
    a DATE column) keeps the column a timestamp rather than lose the time: Arrow's
    cast would drop it silently."""
    days = stamps.cast(pa.date32())
    if pc.any(pc.not_equal(days.cast(stamps.type), stamps)).as_py():
        return stamps
    return days


def to_arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table with the column types listed in this module's doc."""
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object:
            arrays.append(_object_column(values))
            continue
        array = pa.array(values, from_pandas=True)
        if values.dtype == DATE_DTYPE:
            array = _as_days(array)
        if pa.types.is_string(array.type):
            array = array.cast(pa.large_string())
        arrays.append(array)
    metadata = {k: str(v) for k, v in frame.attrs.items() if isinstance(v, str)}
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
    return table.replace_schema_metadata(metadata or None)


def convert_output(frame: pd.DataFrame, to: Output) -> Any:
    """``frame`` as the output ``to`` names (pandas: unchanged)."""
    if to == "pandas":
        return frame
    table = to_arrow_table(frame)
    if to == "arrow":
        return table
    import polars

    return polars.from_arrow(table)


def _options(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[bool | None, Output]:
    """The call's ``fast`` and ``to``; for Arrow and polars, JSON left as stored text.

    (Parsing JSON into Python objects only to write it back as text would cost
    the most expensive step of a load for nothing, so a loader's ``parse_json``
    is off for those outputs.) ``kwargs`` is updated in place.
    """
    signature = inspect.signature(func)
    bound = signature.bind_partial(*args, **kwargs)
    _check_flags(signature, bound.arguments)
    to = check_output(bound.arguments.get("to", "pandas"))
    parse_json = signature.parameters.get("parse_json")
    if to != "pandas" and parse_json is not None and parse_json.default is True:
        # (The facade passes every keyword, defaults included: a True given here is
        # not told apart from the default.)
        kwargs["parse_json"] = False
    return check_fast(bound.arguments.get("fast")), to


def _check_flags(signature: inspect.Signature, given: dict[str, Any]) -> None:
    """Refuse a value that is not a bool for a keyword declared ``bool``.

    Python would take any truthy value for True: ``include_secrets="no"`` returned
    the password hashes. (The text functions check their own flags the same way.)
    """
    for name, value in given.items():
        annotation = signature.parameters[name].annotation
        if annotation in ("bool", bool) and not isinstance(value, bool):
            raise WrongTypeError(f"{name} must be True or False, not {value!r}.")


#: Appended to the docstring of every function that takes ``fast=`` and ``to=``.
OPTIONS_DOC = """

Every such call also takes ``fast=`` and ``to=``: ``fast=None`` (default) reads
through the Arrow path (``novelkit[fast]``) where it gives the same frame,
``False`` through the async driver, ``True`` through the Arrow path or a
:class:`~novelkit.ConfigurationError` saying why not; ``to="pandas"`` (default),
``"polars"`` or ``"arrow"`` chooses the output (JSON columns as their stored text
for the latter two). The path taken is in ``attrs["novelkit_path"]``.
"""


def _documented(wrapper: Any, func: Callable[..., Any]) -> None:
    wrapper.__doc__ = inspect.cleandoc(func.__doc__ or "") + OPTIONS_DOC


def frame_output(
    func: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Give an async function returning a DataFrame its ``fast=`` and ``to=``.

    The function declares both keywords (so they show in its signature and the
    facade's) and leaves them to this wrapper: ``fast`` is put where
    ``arrow_path_for`` reads it for the duration of the call, and the frame is
    marked with the path it took and converted as ``to`` says.
    """

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        fast, to = _options(func, args, kwargs)
        record = CallRecord(fast=fast)
        token = call_record.set(record)
        try:
            frame = await func(*args, **kwargs)
        finally:
            call_record.reset(token)
        if isinstance(frame, pd.DataFrame):
            frame.attrs["novelkit_path"] = record.describe()
            return convert_output(frame, to)  # type: ignore[no-any-return]
        return frame

    _documented(wrapper, func)
    return wrapper


def stream_output(
    func: Callable[P, AsyncIterator[T]],
) -> Callable[P, AsyncIterator[T]]:
    """:func:`frame_output` for an async generator of DataFrames (each chunk converted)."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
        fast, to = _options(func, args, kwargs)
        record = CallRecord(fast=fast)
        stream = func(*args, **kwargs)
        try:
            while True:
                token = call_record.set(record)
                try:
                    chunk = await anext(stream)
                except StopAsyncIteration:
                    return
                finally:
                    call_record.reset(token)
                if isinstance(chunk, pd.DataFrame):
                    chunk.attrs["novelkit_path"] = record.describe()
                    yield convert_output(chunk, to)
                else:
                    yield chunk
        finally:
            await stream.aclose()  # type: ignore[attr-defined]

    _documented(wrapper, func)
    return wrapper
