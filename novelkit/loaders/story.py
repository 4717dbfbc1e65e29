"""Raw loaders for the story tables: outlines, chapters, versions, characters, ..."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..schema.vocabularies import FORESHADOWING_UNIFIED
from ._query import (
    LoadContext,
    NovelIds,
    exact_in,
    fetch_frame,
    open_context,
    require_table,
    resolve_novel_ids,
    sql_table,
)
from ._raw import RawOptions, extras_last, load_raw
from .wordcount import add_counts

__all__ = [
    "load_chapters",
    "load_characters",
    "load_conversations",
    "load_evaluations",
    "load_foreshadowings",
    "load_outlines",
    "load_relationships",
    "load_versions",
]

Target = AsyncSession | AsyncConnection


async def _simple(
    target: Target,
    table: str,
    novel_id: NovelIds,
    *,
    extra_columns: bool,
    parse_json: bool,
    flatten_json: bool,
    server_timezone: str | None,
    hint: str = "",
) -> pd.DataFrame:
    ctx = await open_context(target, server_timezone)
    shape = await require_table(ctx, table, hint=hint)
    ids = await resolve_novel_ids(ctx, novel_id)
    options = RawOptions(
        extra_columns=extra_columns, parse_json=parse_json, flatten_json=flatten_json
    )
    return await load_raw(ctx, shape, ids, options)


async def load_outlines(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    flatten_json: bool = False,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """Every planned chapter (``chapter_outlines`` row), duplicates and orphans included.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection``; it is not closed.
    novel_id
        A project id or a list of them; ``None`` for every novel.
    extra_columns
        Keep columns a fork added (returned as stored), after the known ones.
    parse_json, flatten_json
        Parse ``metadata`` into Python objects; spread objects into columns.
    server_timezone
        The zone naive stored timestamps are in (IANA name or ``+08:00``). By
        default the MySQL session's zone, measured, and UTC on SQLite, where the
        app writes UTC; give it for a fork that stores local time.

    Returns
    -------
    pandas.DataFrame
        ``id, project_id, chapter_number, title, summary, metadata, is_orphan``
        then fork columns, ordered by ``id``.

    Raises
    ------
    UnknownObjectError
        A ``novel_id`` that does not exist (close matches are named), or a database
        without ``chapter_outlines`` (some forks dropped it).

    Examples
    --------
    >>> async with novelkit.open_session(engine) as session:  # doctest: +SKIP
    ...     outlines = await novelkit.load_outlines(session, novel_id=pid)
    """
    return await _simple(
        target,
        "chapter_outlines",
        novel_id,
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=flatten_json,
        server_timezone=server_timezone,
        hint="Some forks (ycvk) removed outlines; use load_chapters() instead.",
    )


async def _first_outline_titles(ctx: LoadContext, ids: list[str] | None) -> pd.DataFrame:
    shape = await require_table(ctx, "chapter_outlines")
    outlines = sql_table(shape)
    first = sa.select(sa.func.min(outlines.c.id)).group_by(
        outlines.c.project_id, outlines.c.chapter_number
    )
    if ids is not None:
        first = first.where(exact_in(ctx.backend, outlines.c.project_id, ids))
    statement = sa.select(
        outlines.c.project_id, outlines.c.chapter_number, outlines.c.title.label("outline_title")
    ).where(outlines.c.id.in_(first.scalar_subquery()))
    return await fetch_frame(ctx, statement)


async def _chapter_figures(ctx: LoadContext, ids: list[str] | None) -> pd.DataFrame:
    """Per chapter id: selected version text (for counts) and number of versions."""
    chapters = sql_table(await require_table(ctx, "chapters"))
    versions = sql_table(await require_table(ctx, "chapter_versions"))
    counts = (
        sa.select(versions.c.chapter_id, sa.func.count().label("version_count"))
        .group_by(versions.c.chapter_id)
        .subquery("nk_vc")
    )
    statement = (
        sa.select(
            chapters.c.id,
            versions.c.content.label("selected_content"),
            counts.c.version_count,
        )
        .select_from(
            chapters.outerjoin(versions, versions.c.id == chapters.c.selected_version_id).outerjoin(
                counts, counts.c.chapter_id == chapters.c.id
            )
        )
        .order_by(chapters.c.id)
    )
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, chapters.c.project_id, ids))
    return await fetch_frame(ctx, statement)


async def load_chapters(
    target: Target,
    novel_id: NovelIds = None,
    *,
    dedupe: bool = False,
    extra_columns: bool = True,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """Every written chapter (``chapters`` row) with its outline title and lengths.

    Adds ``outline_title`` (the outline with the lowest id per project and
    chapter number, so the join never adds rows), ``selected_chars`` (code points
    of the selected version's text), ``version_count``, ``chars_nonspace`` and
    ``cjk_chars_plus_words`` of the selected text. ``word_count`` is the app's
    own figure (``len(content)`` with whitespace), as stored.

    Parameters
    ----------
    dedupe
        Keep one row per (project, chapter number): the one with a selected
        version, then the latest ``updated_at``, then the highest id.

    Examples
    --------
    >>> chapters = await novelkit.load_chapters(session, dedupe=True)  # doctest: +SKIP
    """
    ctx = await open_context(target, server_timezone)
    shape = await require_table(ctx, "chapters")
    ids = await resolve_novel_ids(ctx, novel_id)
    frame = await load_raw(ctx, shape, ids, RawOptions(extra_columns=extra_columns))
    if await _has(ctx, "chapter_outlines"):
        titles = await _first_outline_titles(ctx, ids)
        titles["chapter_number"] = titles["chapter_number"].astype("Int64")
        titles["project_id"] = titles["project_id"].astype("string")
        merged = frame[["project_id", "chapter_number"]].merge(
            titles, on=["project_id", "chapter_number"], how="left"
        )
        frame["outline_title"] = pd.array(merged["outline_title"].to_numpy(), dtype="string")
    else:
        frame["outline_title"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    figures = (await _chapter_figures(ctx, ids)).set_index("id")
    by_id = figures.reindex(frame["id"].astype("int64").to_numpy())
    text = by_id["selected_content"].astype("string")
    frame["selected_chars"] = pd.array(text.str.len().fillna(0).to_numpy(), dtype="Int64")
    frame["version_count"] = pd.array(
        pd.to_numeric(by_id["version_count"]).fillna(0).to_numpy(), dtype="Int64"
    )
    frame = add_counts(frame, text.fillna(""))
    frame = extras_last(frame, shape)
    if dedupe:
        frame = _dedupe(frame)
    return frame


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    ranked = frame.assign(_selected=frame["selected_version_id"].notna()).sort_values(
        ["_selected", "updated_at", "id"], ascending=[False, False, False], kind="stable"
    )
    kept = ranked.drop_duplicates(["project_id", "chapter_number"], keep="first")
    return kept.drop(columns="_selected").sort_values("id").reset_index(drop=True)


async def _has(ctx: LoadContext, table: str) -> bool:
    from ..schema.reflect import reflect_table

    return await reflect_table(ctx.conn, table) is not None


async def _via_chapters(
    target: Target,
    table: str,
    novel_id: NovelIds,
    *,
    exclude: tuple[str, ...],
    text_column: str | None,
    extra_columns: bool,
    parse_json: bool,
    flatten_json: bool,
    server_timezone: str | None,
) -> pd.DataFrame:
    """Rows of a table keyed by ``chapter_id``, with the chapter's project and number."""
    ctx = await open_context(target, server_timezone)
    shape = await require_table(ctx, table)
    ids = await resolve_novel_ids(ctx, novel_id)
    chapters = sql_table(await require_table(ctx, "chapters"))
    options = RawOptions(
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=flatten_json,
        exclude=exclude,
        orphans=False,
    )
    where = None
    if ids is not None:
        in_novels = sa.select(chapters.c.id).where(
            exact_in(ctx.backend, chapters.c.project_id, ids)
        )
        subquery = in_novels.scalar_subquery()

        def where(table: sa.TableClause) -> sa.ColumnElement[bool]:
            return table.c.chapter_id.in_(subquery)

    frame = await load_raw(ctx, shape, None, options, novel_column=None, where=where)
    link_query = sa.select(
        chapters.c.id.label("chapter_id"),
        chapters.c.project_id,
        chapters.c.chapter_number,
        chapters.c.selected_version_id,
    )
    links = await fetch_frame(ctx, link_query)
    links = links.set_index("chapter_id")
    chapter_ids = frame["chapter_id"].astype("Int64")
    joined = links.reindex(chapter_ids.astype("float64").to_numpy())
    frame.insert(2, "project_id", pd.array(joined["project_id"].to_numpy(), dtype="string"))
    frame.insert(
        3,
        "chapter_number",
        pd.array(pd.to_numeric(joined["chapter_number"]).to_numpy(), dtype="Int64"),
    )
    frame["is_orphan"] = pd.array(joined["project_id"].isna().to_numpy(), dtype="boolean")
    if table == "chapter_versions":
        selected = pd.Series(joined["selected_version_id"].to_numpy()).astype("Int64")
        same = selected.to_numpy() == frame["id"].astype("Int64").to_numpy()
        frame["is_selected"] = pd.array(pd.Series(same).fillna(False).to_numpy(), dtype="boolean")
    if text_column is not None and text_column in frame.columns:
        frame["chars"] = frame[text_column].astype("string").str.len().astype("Int64")
        frame = add_counts(frame, frame[text_column])
    return extras_last(frame, shape)


async def load_versions(
    target: Target,
    novel_id: NovelIds = None,
    *,
    content: bool = False,
    metadata: bool = False,
    extra_columns: bool = True,
    parse_json: bool = True,
    flatten_json: bool = False,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """Every chapter version with its chapter's project and number.

    The text comes only with ``content=True`` (then with ``chars``,
    ``chars_nonspace`` and ``cjk_chars_plus_words``); the heavy ``metadata``
    column (it often repeats the whole text) only with ``metadata=True``.
    ``is_selected`` marks the version its chapter selected; ``is_orphan`` a
    version whose chapter is gone. ``provider`` is never written upstream.

    Examples
    --------
    >>> versions = await novelkit.load_versions(session, content=True)  # doctest: +SKIP
    >>> versions.groupby("provider", dropna=False).size()              # doctest: +SKIP
    """
    exclude = tuple(
        name for name, wanted in (("content", content), ("metadata", metadata)) if not wanted
    )
    return await _via_chapters(
        target,
        "chapter_versions",
        novel_id,
        exclude=exclude,
        text_column="content" if content else None,
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=flatten_json,
        server_timezone=server_timezone,
    )


async def load_evaluations(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """Every chapter evaluation with its chapter's project and number.

    ``decision`` is a categorical (``reviewed``, ``skipped``, ``failed``; NULL in
    classic databases); ``score`` is never written by the app.
    """
    return await _via_chapters(
        target,
        "chapter_evaluations",
        novel_id,
        exclude=(),
        text_column=None,
        extra_columns=extra_columns,
        parse_json=True,
        flatten_json=False,
        server_timezone=server_timezone,
    )


async def load_characters(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    flatten_json: bool = False,
) -> pd.DataFrame:
    """Blueprint characters (``blueprint_characters``), ``extra`` parsed from JSON.

    Their ids change on every blueprint save: join characters by ``name``.
    """
    return await _simple(
        target,
        "blueprint_characters",
        novel_id,
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=flatten_json,
        server_timezone=None,
    )


async def load_relationships(
    target: Target, novel_id: NovelIds = None, *, extra_columns: bool = True
) -> pd.DataFrame:
    """Blueprint relationships; ``character_from``/``character_to`` are names, not ids."""
    return await _simple(
        target,
        "blueprint_relationships",
        novel_id,
        extra_columns=extra_columns,
        parse_json=True,
        flatten_json=False,
        server_timezone=None,
    )


async def load_conversations(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """The concept dialogue (``novel_conversations``): ``content`` is the app's JSON text."""
    return await _simple(
        target,
        "novel_conversations",
        novel_id,
        extra_columns=extra_columns,
        parse_json=True,
        flatten_json=False,
        server_timezone=server_timezone,
    )


async def load_foreshadowings(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """Foreshadowings (fusion databases), with ``status_unified`` beside ``status``.

    The fusion code writes three vocabularies (planted/developing/revealed,
    open/resolved, abandoned/partial); ``status_unified`` maps them to ``open``,
    ``developing``, ``resolved`` and ``abandoned``, keeping unknown values.
    """
    frame = await _simple(
        target,
        "foreshadowings",
        novel_id,
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=False,
        server_timezone=server_timezone,
        hint="Foreshadowings came with the fusion schema (2026-01); this is an older database.",
    )
    raw = frame["status"].astype("string")
    unified = raw.map(lambda v: FORESHADOWING_UNIFIED.get(v, v) if isinstance(v, str) else v)
    known = list(dict.fromkeys(FORESHADOWING_UNIFIED.values()))
    extra = sorted({v for v in unified.dropna() if v not in known})
    position = frame.columns.get_loc("status") + 1
    frame.insert(
        position,
        "status_unified",
        pd.Categorical(unified.to_numpy(dtype=object, na_value=None), categories=known + extra),
    )
    return frame
