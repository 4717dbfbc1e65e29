"""Raw loaders for the planned and written chapters: outlines and chapters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._docstrings import shared_sections
from ..arrow._output import Frame, Output, frame_output
from ..schema.reflect import reflect_table
from ._docs import parameter_docs
from ._fetch import as_utf8_bytes, fetch_columns, fetch_frame
from ._novel_ids import exact_in, resolve_novel_ids
from ._nullable import to_int
from ._query import LoadContext, NovelIds, Target, open_context, require_table, sql_table
from ._raw import RawOptions, extras_last, load_raw, load_simple

__all__ = ["load_chapters", "load_outlines"]


@frame_output
async def load_outlines(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    flatten_json: bool = False,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Every planned chapter (``chapter_outlines`` row), duplicates and orphans included.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection``; it is not closed.
    novel_id
        A project id (or a unique prefix of 6+ characters of it) or a list of them;
        ``None`` for every novel.
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
    return await load_simple(
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
    """The title of the outline with the lowest id per project and chapter number.

    Every outline's short columns are read in id order and the first of each
    chapter kept here: a ``GROUP BY`` of every outline, for the lowest ids, cost the
    server more than reading them (MariaDB 1.9 s for the large demo's 244,009
    outlines, against 0.2 s; SQLite 0.4 s against 0.2 s).
    """
    shape = await require_table(ctx, "chapter_outlines")
    outlines = sql_table(shape)
    statement = sa.select(
        outlines.c.id,
        outlines.c.project_id,
        outlines.c.chapter_number,
        outlines.c.title.label("outline_title"),
    ).order_by(outlines.c.id)
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, outlines.c.project_id, ids))
    every = await fetch_frame(ctx, statement)
    first = every.drop_duplicates(["project_id", "chapter_number"], keep="first")
    return first.drop(columns="id").reset_index(drop=True)


async def _chapter_figures(
    ctx: LoadContext, ids: list[str] | None, chapter_ids: pd.Series
) -> pd.DataFrame:
    """Per chapter, in the order of ``chapter_ids``: lengths of the selected text, versions.

    The text itself is counted as it arrives and not kept: only ``chars``,
    ``chars_nonspace``, ``cjk_chars_plus_words`` and ``version_count`` are returned.
    """
    chapters = sql_table(await require_table(ctx, "chapters"))
    versions_shape = await require_table(ctx, "chapter_versions")
    versions = sql_table(versions_shape)
    counts = (
        sa.select(versions.c.chapter_id, sa.func.count().label("version_count"))
        .group_by(versions.c.chapter_id)
        .subquery("nk_vc")
    )
    statement = (
        sa.select(
            chapters.c.id,
            as_utf8_bytes(versions, versions_shape, "content", "selected_content"),
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
    fetched = await fetch_columns(
        ctx, statement, lengths=["selected_content"], rows_of="chapters", partition_on="id"
    )
    found = to_int(fetched.columns["id"]).to_numpy(dtype="int64", na_value=-1)
    versions_per_chapter = to_int(fetched.columns["version_count"]).fillna(0)
    lengths = fetched.lengths["selected_content"]
    wanted = chapter_ids.to_numpy(dtype="int64", na_value=-1)
    if not np.array_equal(found, wanted):
        # Chapters came or went between the two statements (the app writes while we
        # read): align by id; a chapter missing here gets no text and no versions.
        position = pd.Index(found).get_indexer(wanted)
        lengths = lengths.reindex(position).reset_index(drop=True)
        versions_per_chapter = versions_per_chapter.reindex(position).fillna(0)
    lengths["version_count"] = versions_per_chapter.array
    return lengths


@frame_output
@shared_sections(**parameter_docs("extra_columns", "server_timezone"))
async def load_chapters(
    target: Target,
    novel_id: NovelIds = None,
    *,
    dedupe: bool = False,
    extra_columns: bool = True,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
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
    {{extra_columns}}
    {{server_timezone}}

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
    figures = await _chapter_figures(ctx, ids, frame["id"])
    # A chapter without a (readable) selected version has no selected text: its
    # lengths are missing, not 0 (load_novels' sums still count it as 0, as the app).
    frame["selected_chars"] = figures["chars"].array
    frame["version_count"] = figures["version_count"].array
    frame["chars_nonspace"] = figures["chars_nonspace"].array
    frame["cjk_chars_plus_words"] = figures["cjk_chars_plus_words"].array
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
    return await reflect_table(ctx.conn, table) is not None
