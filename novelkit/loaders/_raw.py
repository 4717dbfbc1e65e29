"""The one table-to-DataFrame path that every raw loader goes through."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ..errors import UnknownObjectError
from ..schema.reflect import TableShape, reflect_table
from ._convert import Kind, convert_column, kind_of_type, known_kinds
from ._fetch import as_utf8_bytes, fetch_columns, fetch_frame, frame_of
from ._json import warn_not_json
from ._novel_ids import exact_in, resolve_novel_ids
from ._query import LoadContext, NovelIds, Target, open_context, require_table, sql_table
from ._secrets import redact_secrets

__all__ = [
    "PRIMARY_KEYS",
    "RawOptions",
    "Where",
    "extras_last",
    "fetched_column",
    "finish_frame",
    "fork_kinds",
    "load_raw",
    "load_simple",
    "primary_key",
]

#: A row filter built on the table clause the statement selects from. It must be
#: built on that very clause: a condition on another ``sa.table()`` object of the
#: same name adds a second FROM (a cartesian product, every row repeated).
Where = Callable[[sa.TableClause], sa.ColumnElement[bool]]

#: Tables whose primary key is not ``id``.
PRIMARY_KEYS = {
    "novel_blueprints": "project_id",
    "novel_constitutions": "project_id",
    "llm_configs": "user_id",
    "system_configs": "key",
    "admin_settings": "key",
    "usage_metrics": "key",
}


def primary_key(shape: TableShape) -> str | None:
    """The column to order and page by: the known key, else a one-column declared key."""
    name = PRIMARY_KEYS.get(shape.name, "id")
    if shape.has(name):
        return name
    return shape.primary_key[0] if len(shape.primary_key) == 1 else None


@dataclass
class RawOptions:
    """The keywords every raw loader shares."""

    extra_columns: bool = True
    parse_json: bool = True
    flatten_json: bool = False
    include_secrets: bool = False
    exclude: Sequence[str] = ()
    orphans: bool = True
    extra_kinds: dict[str, Kind] = field(default_factory=dict)
    #: A fork's columns (not known to novelkit) -> the conversion their SQL type calls for.
    fork_kinds: dict[str, Kind] = field(default_factory=dict)
    #: Status values seen in the whole table (iter_frames), so chunks share categories.
    seen_values: dict[str, list[str]] = field(default_factory=dict)
    #: A text column whose lengths are counted as it is fetched: the frame gets
    #: ``chars``, ``chars_nonspace`` and ``cjk_chars_plus_words`` columns, last.
    count_text: str | None = None


def _flatten(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for column in columns:
        values = frame[column]
        if not values.map(lambda v: isinstance(v, dict)).any():
            continue
        spread = pd.json_normalize(
            [v if isinstance(v, dict) else {} for v in values], max_level=0
        ).add_prefix(f"{column}.")
        spread.index = frame.index
        position = frame.columns.get_loc(column) + 1
        for offset, name in enumerate(spread.columns):
            frame.insert(position + offset, name, spread[name])
        frame = frame.drop(columns=[column])
    return frame


async def finish_frame(
    table: str,
    stored: dict[str, pd.Series],
    *,
    known: Sequence[str],
    kinds: dict[str, Kind],
    options: RawOptions,
    server_timezone: Any,
    parsed_json: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Convert known columns, add absent known ones as missing values, order columns.

    ``stored``: the columns as fetched (object Series of one length, by name). It
    is emptied as its columns are converted, so each stored column can be freed
    as soon as its converted copy exists (a chunk of version texts is held once,
    not twice). The frame is built once, from the converted columns.
    ``parsed_json``: JSON columns fetched already parsed (the Arrow path parses them
    beside its read), with how many values were not JSON (``Fetched.parsed_json``).
    """
    parsed_json = parsed_json or {}
    length = len(next(iter(stored.values()))) if stored else 0
    # Known columns first, then a fork's own in the order they came, each with its
    # conversion: None keeps a fork's column of a type novelkit cannot tell as stored.
    plan: list[tuple[str, Kind | None, Sequence[str]]] = [
        (column, kinds[column], options.seen_values.get(column, ())) for column in known
    ]
    for column in [c for c in stored if c not in kinds]:
        kind = options.fork_kinds.get(column)
        plan.append((column, None if kind == "category" else kind, ()))
    columns: dict[str, pd.Series] = {}
    for column, kind, seen in plan:
        values = stored.pop(column, None)
        if values is None:
            values = pd.Series([None] * length, dtype=object)
        if column in parsed_json:
            warn_not_json(f"{table}.{column}", parsed_json[column])
            columns[column] = values
            continue
        if kind is None:
            columns[column] = values
            continue
        # A cancellation point between columns: one column's conversion is the
        # longest step a load takes without yielding (the interrupt button).
        await asyncio.sleep(0)
        columns[column] = convert_column(
            table,
            column,
            values,
            kind,
            parse_json=options.parse_json,
            server_timezone=server_timezone,
            seen=seen,
        )
    frame = frame_of(columns)
    if not options.include_secrets:
        frame = redact_secrets(table, frame)
    if options.flatten_json and options.parse_json:
        frame = _flatten(frame, [c for c in known if kinds[c] == "json"])
    return frame.reset_index(drop=True)


async def load_raw(
    ctx: LoadContext,
    shape: TableShape,
    novel_ids: list[str] | None,
    options: RawOptions,
    *,
    novel_column: str | None = "project_id",
    where: Where | None = None,
) -> pd.DataFrame:
    """Every row of ``shape`` (filtered by project), known columns first, typed."""
    kinds = {c: k for c, k in known_kinds(shape.name).items() if c not in options.exclude}
    kinds.update(options.extra_kinds)
    known = list(kinds)
    options.fork_kinds = fork_kinds(shape, kinds)
    table = sql_table(shape)
    selected = [c for c in known if shape.has(c)]
    if options.extra_columns:
        selected += [c for c in shape.column_names if c not in kinds and c not in options.exclude]
    columns: list[Any] = [
        fetched_column(table, shape, c, kinds.get(c, options.fork_kinds.get(c))) for c in selected
    ]
    has_project = novel_column is not None and shape.has(novel_column)
    project_ids: pd.Series | None = None
    if options.orphans and has_project and shape.name != "novel_projects":
        projects_shape = await reflect_table(ctx.conn, "novel_projects")
        if projects_shape is not None:
            # Compared in pandas, byte for byte: a LEFT JOIN per row costs more
            # than reading the (few) project ids once.
            projects = sql_table("novel_projects", ["id"])
            project_ids = (await fetch_frame(ctx, sa.select(projects.c.id)))["id"]
            if novel_column is not None and novel_column not in selected:
                columns.append(table.c[novel_column])
            kinds["is_orphan"] = "bool"
            known.append("is_orphan")
    statement = sa.select(*columns).select_from(table)
    if novel_ids is not None:
        if not has_project or novel_column is None:
            raise UnknownObjectError(
                f"The table {shape.name!r} has no {novel_column or 'project_id'!r} column in this "
                "database, so it cannot be filtered by novel; load it without novel_id."
            )
        statement = statement.where(exact_in(ctx.backend, table.c[novel_column], novel_ids))
    if where is not None:
        statement = statement.where(where(table))
    key = primary_key(shape)
    if key is not None:
        statement = statement.order_by(table.c[key])
    text = text_columns(selected, kinds, options)
    lengths = [options.count_text] if options.count_text in selected else []
    fetched = await fetch_columns(
        ctx,
        statement,
        text=text,
        lengths=lengths,
        json=[c for c in selected if kinds.get(c) == "json"] if options.parse_json else (),
        partition_on=key if key is not None and kinds.get(key) == "int" else None,
        # Named, not found again by compiling the statement (about 0.7 ms a call).
        rows_of=shape.name,
    )
    stored = fetched.columns
    if project_ids is not None and novel_column is not None:
        orphan = _not_in(stored[novel_column], project_ids)
        # Built as the converted column it is (converting it as objects cost as
        # much as reading the table's ids, 40 ms on 244,009 outlines).
        stored["is_orphan"] = pd.Series(
            pd.arrays.BooleanArray(orphan, np.zeros(len(orphan), dtype=bool))
        )
    frame = await finish_frame(
        shape.name,
        stored,
        known=known,
        kinds=kinds,
        options=options,
        server_timezone=ctx.server_timezone,
        parsed_json=fetched.parsed_json,
    )
    if lengths:
        counted = fetched.lengths[lengths[0]]
        for name in counted.columns:
            frame[name] = counted[name].array
    return frame


def _not_in(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """Whether each value is missing from ``allowed`` (Arrow's hash lookup: pandas' isin
    on object values costs ~20 ms per call against 2,000 project ids, this ~1 ms; the
    ids stay in the Arrow array they were fetched into, not copied into a set)."""
    try:
        present = pc.is_in(
            pa.array(values, from_pandas=True), value_set=pa.array(allowed, from_pandas=True)
        )
    except pa.ArrowException:
        # Mixed or mismatched types (a fork's odd ids, no projects at all): pandas.
        return ~values.isin(set(allowed)).to_numpy(dtype=bool)
    return ~present.to_numpy(zero_copy_only=False).astype(bool)


def text_columns(names: Sequence[str], kinds: dict[str, Kind], options: RawOptions) -> list[str]:
    """The columns fetched straight into Arrow strings: text, statuses, and JSON left
    unparsed (``parse_json=False``, and every polars or Arrow output), which would
    otherwise become Python objects only to be turned back into strings."""
    wanted = ("str", "category") if options.parse_json else ("str", "category", "json")
    return [c for c in names if kinds.get(c) in wanted]


def fork_kinds(shape: TableShape, known: Collection[str]) -> dict[str, Kind]:
    """The conversion of each column of ``shape`` novelkit does not know, by its SQL type."""
    return {c.name: kind_of_type(c.type) for c in shape.columns if c.name not in known}


def fetched_column(
    table: sa.TableClause, shape: TableShape, name: str, kind: Kind | None
) -> sa.ColumnElement[Any]:
    """How a column is selected: long text and JSON as their UTF-8 bytes
    (:func:`~novelkit.loaders._fetch.as_utf8_bytes`).

    Only columns of an unbounded text type or JSON: ids and short strings stay
    ``str``, compared as such elsewhere. ``kind`` is the known column's, or for a
    fork's column the one its SQL type gives (:func:`fork_kinds`): a fork's TEXT is
    read as bytes too, so that a value that is not UTF-8 comes out replaced, with a
    warning, where sqlite3 would stop the whole read on it.
    """
    found = shape.column(name)
    if kind == "json" or (kind == "str" and found is not None and isinstance(found.type, sa.Text)):
        return as_utf8_bytes(table, shape, name)
    return table.c[name]


def extras_last(
    frame: pd.DataFrame, shape: TableShape, exclude: Sequence[str] = ()
) -> pd.DataFrame:
    """Move the columns a fork added (stored, not known) after every column novelkit adds.

    Loaders append derived columns (``outline_title``, ``has_own_api_key``, ...)
    after :func:`load_raw`; the known layout stays first and stable whether or
    not a fork added columns.
    """
    known = known_kinds(shape.name)
    extras = [
        c for c in shape.column_names if c not in known and c not in exclude and c in frame.columns
    ]
    if not extras:
        return frame
    return frame[[c for c in frame.columns if c not in extras] + extras]


async def load_simple(
    target: Target,
    table: str,
    novel_id: NovelIds,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    flatten_json: bool = False,
    server_timezone: str | None = None,
    hint: str = "",
) -> pd.DataFrame:
    """A table keyed by ``project_id``, loaded whole or for some novels (most raw loaders).

    The defaults are the loaders' own: JSON parsed, not spread, stored zone UTC.
    """
    ctx = await open_context(target, server_timezone)
    shape = await require_table(ctx, table, hint=hint)
    ids = await resolve_novel_ids(ctx, novel_id)
    options = RawOptions(
        extra_columns=extra_columns, parse_json=parse_json, flatten_json=flatten_json
    )
    return await load_raw(ctx, shape, ids, options)
