"""Any table by name, whole or in bounded chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .._docstrings import shared_sections
from .._progress import progress_bar
from ..arrow._choice import arrow_path_for
from ..arrow._output import Frame, Output, frame_output, stream_output
from ..errors import ConfigurationError, UnknownObjectError
from ..schema.reflect import TableShape, reflect_table, table_names
from ._convert import known_kinds
from ._docs import parameter_docs
from ._fetch import fetch_columns, fetch_frame
from ._novel_ids import exact_in, resolve_novel_ids
from ._query import (
    LoadContext,
    NovelIds,
    Target,
    close_matches,
    engine_of,
    open_context,
    sql_table,
    unknown_table,
)
from ._raw import (
    RawOptions,
    Where,
    fetched_column,
    finish_frame,
    fork_kinds,
    load_raw,
    primary_key,
    text_columns,
)

__all__ = ["iter_frames", "load_table"]


async def _checked_table(ctx: LoadContext, name: str) -> TableShape:
    if not isinstance(name, str):
        raise UnknownObjectError(f"A table name must be a string, not {type(name).__name__}.")
    names = await table_names(ctx.conn)
    if name not in names:
        raise unknown_table(name, list(names), backend=ctx.backend)
    shape = await reflect_table(ctx.conn, name)
    if shape is None:
        raise UnknownObjectError(f"The table {name!r} could not be read.")
    return shape


def _checked_columns(shape: TableShape, columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    if isinstance(columns, str):
        columns = [columns]
    chosen = list(columns)
    if not chosen:
        # An empty list would reach the database as "SELECT FROM ..." (a syntax error).
        raise ConfigurationError(
            "columns= is empty; pass None for every column, or name at least one column."
        )
    for column in chosen:
        if not isinstance(column, str) or not shape.has(column):
            close = close_matches(str(column), shape.column_names)
            hint = f" Close matches: {', '.join(close)}." if close else ""
            raise UnknownObjectError(
                f"The table {shape.name!r} has no column {str(column)[:60]!r}.{hint} "
                f"Its columns: {', '.join(shape.column_names)}."
            )
    return chosen


def _options_for(
    shape: TableShape,
    columns: list[str] | None,
    *,
    content: bool,
    include_secrets: bool,
    extra_columns: bool,
) -> RawOptions:
    exclude: list[str] = []
    if columns is not None:
        exclude = [c for c in shape.column_names if c not in columns]
        exclude += [c for c in known_kinds(shape.name) if c not in columns]
    elif not content and shape.name == "chapter_versions":
        exclude = ["content", "metadata"]
    return RawOptions(
        extra_columns=extra_columns,
        include_secrets=include_secrets,
        exclude=tuple(dict.fromkeys(exclude)),
        orphans=False,
    )


def _novel_filter(ctx: LoadContext, shape: TableShape, ids: list[str] | None) -> Where | None:
    """A filter on ``project_id``, or on ``chapter_id`` through ``chapters``."""
    if ids is None:
        return None
    backend = ctx.backend
    if shape.has("project_id"):

        def by_project(table: sa.TableClause) -> sa.ColumnElement[bool]:
            return exact_in(backend, table.c.project_id, ids)

        return by_project
    if shape.has("chapter_id"):
        chapters = sql_table("chapters", ["id", "project_id"])
        inner = sa.select(chapters.c.id).where(exact_in(backend, chapters.c.project_id, ids))

        def by_chapter(table: sa.TableClause) -> sa.ColumnElement[bool]:
            return table.c.chapter_id.in_(inner.scalar_subquery())

        return by_chapter
    raise UnknownObjectError(
        f"The table {shape.name!r} is not linked to novels (no project_id or chapter_id); "
        "load it without novel_id."
    )


@frame_output
@shared_sections(**parameter_docs("columns", "extra_columns", "include_secrets", "server_timezone"))
async def load_table(
    target: Target,
    name: str,
    columns: Sequence[str] | None = None,
    *,
    novel_id: NovelIds = None,
    extra_columns: bool = True,
    include_secrets: bool = False,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Any table, e.g. one a fork added, with its name and columns checked first.

    The name and columns are compared with the reflected schema and never put
    into SQL text unchecked; known Arboris columns get their dtypes, other
    columns come as stored. Secrets (password hashes, API keys, secret-looking
    ``system_configs`` values) are redacted unless ``include_secrets=True``.

    Parameters
    ----------
    name
        The table's name, as the database spells it.
    {{columns}}
    novel_id
        A project id (or a unique prefix of 6+ characters of it) or a list of them;
        ``None`` for every novel (a table without ``project_id`` takes only ``None``).
    {{extra_columns}}
    {{include_secrets}}
    {{server_timezone}}

    Raises
    ------
    UnknownObjectError
        No such table or column (close matches are named).

    Examples
    --------
    >>> logs = await novelkit.load_table(session, "rag_retrieval_logs")  # doctest: +SKIP
    """
    ctx = await open_context(target, server_timezone, require_arboris=False)
    shape = await _checked_table(ctx, name)
    chosen = _checked_columns(shape, columns)
    ids = await resolve_novel_ids(ctx, novel_id)
    options = _options_for(
        shape, chosen, content=True, include_secrets=include_secrets, extra_columns=extra_columns
    )
    frame = await load_raw(
        ctx, shape, None, options, novel_column=None, where=_novel_filter(ctx, shape, ids)
    )
    if chosen is not None:
        frame = frame[chosen]
    return frame


@dataclass
class _Scan:
    """What iter_frames settles before its first page."""

    ctx: LoadContext
    shape: TableShape
    chosen: list[str] | None
    where: Where | None
    seen_values: dict[str, list[str]]


async def _plan_scan(
    target: Target,
    table: str,
    columns: Sequence[str] | None,
    novel_id: NovelIds,
    server_timezone: str | None,
) -> _Scan:
    ctx = await open_context(target, server_timezone, require_arboris=False)
    shape = await _checked_table(ctx, table)
    chosen = _checked_columns(shape, columns)
    ids = await resolve_novel_ids(ctx, novel_id)
    where = _novel_filter(ctx, shape, ids)
    return _Scan(ctx, shape, chosen, where, await _status_values(ctx, shape, chosen, where))


async def _status_values(
    ctx: LoadContext, shape: TableShape, chosen: list[str] | None, where: Where | None
) -> dict[str, list[str]]:
    """Distinct values of the status columns, so every chunk gets the same categories."""
    seen: dict[str, list[str]] = {}
    sql = sql_table(shape)
    for column, kind in known_kinds(shape.name).items():
        if kind != "category" or not shape.has(column):
            continue
        if chosen is not None and column not in chosen:
            continue
        statement = sa.select(sql.c[column]).distinct()
        if where is not None:
            statement = statement.where(where(sql))
        values = await fetch_frame(ctx, statement)
        seen[column] = [str(v) for v in values[column].dropna()]
    return seen


@stream_output
@shared_sections(**parameter_docs("columns", "include_secrets", "server_timezone"))
async def iter_frames(
    target: Target,
    table: str,
    *,
    columns: Sequence[str] | None = None,
    novel_id: NovelIds = None,
    chunksize: int = 10_000,
    content: bool = False,
    include_secrets: bool = False,
    progress: bool | None = None,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> AsyncIterator[Frame]:
    """Yield ``table`` in DataFrames of at most ``chunksize`` rows, with bounded memory.

    Pages by primary key; each page is read in its own short transaction on
    its own connection from the session's engine, so a long scan never holds
    a lock on a live app's SQLite database for long, and the caller's
    transaction is left alone. ``chapter_versions`` text and metadata come only
    with ``content=True``. A progress bar shows with ``progress=True`` (default:
    only on a terminal, or as ``NOVELKIT_PROGRESS`` says).

    Parameters
    ----------
    table
        The table's name, as the database spells it; it needs a one-column key.
    {{columns}}
    novel_id
        A project id (or a unique prefix of 6+ characters of it) or a list of them;
        ``None`` for every novel.
    chunksize
        The most rows a chunk holds.
    content
        For ``chapter_versions``, also read the text and metadata.
    {{include_secrets}}
    progress
        Show a progress bar (None: on a terminal, or as ``NOVELKIT_PROGRESS`` says).
    {{server_timezone}}

    Examples
    --------
    >>> async for chunk in novelkit.iter_frames(session, "chapter_versions", content=True):
    ...     total += chunk["content"].str.len().sum()  # doctest: +SKIP
    """
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ConfigurationError(f"chunksize={chunksize!r} is not valid; give a whole number >= 1.")
    engine = engine_of(target)
    if engine is not None and not target.in_transaction():
        # Checking the table and ids on the caller's session would begin a
        # transaction there (autobegin) and leave it open after the scan.
        async with engine.connect() as setup_conn:
            scan = await _plan_scan(setup_conn, table, columns, novel_id, server_timezone)
    else:
        scan = await _plan_scan(target, table, columns, novel_id, server_timezone)
        engine = scan.ctx.conn.engine
    ctx, shape, chosen, where = scan.ctx, scan.shape, scan.chosen, scan.where
    key = primary_key(shape)
    if key is None:
        raise UnknownObjectError(
            f"The table {shape.name!r} has no key novelkit can page by; use load_table()."
        )
    options = _options_for(
        shape, chosen, content=content, include_secrets=include_secrets, extra_columns=True
    )
    options.seen_values = scan.seen_values
    kinds = {c: k for c, k in known_kinds(shape.name).items() if c not in options.exclude}
    options.fork_kinds = fork_kinds(shape, kinds)
    wanted = [c for c in kinds if shape.has(c)] + [
        c for c in shape.column_names if c not in kinds and c not in options.exclude
    ]
    if key not in wanted:
        wanted.insert(0, key)
    sql = sql_table(shape)
    last = None
    bar = progress_bar(progress, desc=shape.name, unit="rows", leave=False)
    try:
        while True:
            statement = (
                sa.select(
                    *(
                        fetched_column(sql, shape, c, kinds.get(c, options.fork_kinds.get(c)))
                        for c in wanted
                    )
                )
                .order_by(sql.c[key])
                # Written into the statement (a number novelkit chose), so that a
                # page can go through connectorx, which takes no parameters.
                .limit(sa.bindparam("page_rows", chunksize, literal_execute=True))
            )
            if where is not None:
                statement = statement.where(where(sql))
            if last is not None:
                # An integer key read from the database is written into the statement
                # (as LIMIT is), so that the page can go through connectorx, which
                # takes no parameters; any other key stays a bound value.
                bound: sa.BindParameter[Any] = sa.bindparam(
                    "last_key", last, literal_execute=isinstance(last, int)
                )
                statement = statement.where(sql.c[key] > bound)
            async with engine.connect() as page_conn:
                # Each page on its own connection, and through the Arrow path when
                # the call takes it (a page is a plain key-ordered range scan).
                arrow = await arrow_path_for(page_conn, caller_in_transaction=False)
                page_ctx = LoadContext(page_conn, ctx.backend, ctx.server_timezone, arrow)
                stored = (
                    await fetch_columns(
                        page_ctx,
                        statement,
                        text=text_columns(wanted, kinds, options),
                    )
                ).columns
            fetched = len(stored[key])
            if not fetched:
                break
            last = stored[key].iloc[-1]
            last = last.item() if hasattr(last, "item") else last
            bar.update(fetched)
            frame = await finish_frame(
                shape.name,
                stored,
                known=list(kinds),
                kinds=kinds,
                options=options,
                server_timezone=ctx.server_timezone,
            )
            if chosen is not None:
                frame = frame[[c for c in chosen if c in frame.columns]]
            yield frame
            if fetched < chunksize:
                break
    finally:
        bar.close()
