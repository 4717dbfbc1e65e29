"""Raw loaders for the rows that hang off chapters: versions and evaluations."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import sqlalchemy as sa

from .._docstrings import shared_sections
from ..arrow._output import Frame, Output, frame_output
from ._docs import parameter_docs
from ._fetch import fetch_frame
from ._novel_ids import exact_in, resolve_novel_ids
from ._query import NovelIds, Target, open_context, require_table, sql_table
from ._raw import RawOptions, extras_last, load_raw

__all__ = ["load_evaluations", "load_versions"]


_LENGTHS = ("chars", "chars_nonspace", "cjk_chars_plus_words")


async def _via_chapters(
    target: Target,
    table: str,
    novel_id: NovelIds,
    options: RawOptions,
    server_timezone: str | None,
) -> pd.DataFrame:
    """Rows of a table keyed by ``chapter_id``, with the chapter's project and number.

    ``is_orphan`` comes from the chapter link here, not from ``load_raw``.
    """
    ctx = await open_context(target, server_timezone)
    shape = await require_table(ctx, table)
    ids = await resolve_novel_ids(ctx, novel_id)
    chapters = sql_table(await require_table(ctx, "chapters"))
    options = replace(options, orphans=False)
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
    if ids is not None:
        # Only the chapters of the novels asked for, not every chapter of the database.
        link_query = link_query.where(exact_in(ctx.backend, chapters.c.project_id, ids))
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
    if options.count_text is not None and options.count_text in frame.columns:
        # Counted by load_raw as the text arrived: move them after the link columns.
        frame = frame[[c for c in frame.columns if c not in _LENGTHS] + list(_LENGTHS)]
    return extras_last(frame, shape)


@frame_output
@shared_sections(**parameter_docs("extra_columns", "parse_json", "flatten_json", "server_timezone"))
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
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Every chapter version with its chapter's project and number.

    The text comes only with ``content=True`` (then with ``chars``,
    ``chars_nonspace`` and ``cjk_chars_plus_words``); the heavy ``metadata``
    column (it often repeats the whole text) only with ``metadata=True``.
    ``is_selected`` marks the version its chapter selected; ``is_orphan`` a
    version whose chapter is gone. ``provider`` is never written upstream.

    Parameters
    ----------
    content
        Also read each version's text, with its lengths.
    metadata
        Also read the ``metadata`` column.
    {{extra_columns}}
    {{parse_json}}
    {{flatten_json}}
    {{server_timezone}}

    Examples
    --------
    >>> versions = await novelkit.load_versions(session, content=True)  # doctest: +SKIP
    >>> versions.groupby("provider", dropna=False).size()              # doctest: +SKIP
    """
    exclude = tuple(
        name for name, wanted in (("content", content), ("metadata", metadata)) if not wanted
    )
    options = RawOptions(
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=flatten_json,
        exclude=exclude,
        count_text="content" if content else None,
    )
    return await _via_chapters(target, "chapter_versions", novel_id, options, server_timezone)


@frame_output
@shared_sections(**parameter_docs("extra_columns", "server_timezone"))
async def load_evaluations(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Every chapter evaluation with its chapter's project and number.

    ``decision`` is a categorical (``reviewed``, ``skipped``, ``failed``; NULL in
    classic databases). ``score`` (``Float64``) is written by the fusion app's
    evaluations (7.0, 8.1, ...) and left NULL by the classic app; ``is_orphan``
    marks an evaluation whose chapter is gone.

    Parameters
    ----------
    {{extra_columns}}
    {{server_timezone}}
    """
    options = RawOptions(extra_columns=extra_columns)
    return await _via_chapters(target, "chapter_evaluations", novel_id, options, server_timezone)
