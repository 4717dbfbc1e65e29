"""One row per timestamped event, for progress-over-time charts."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..schema.reflect import reflect_table
from ._convert import to_utc
from ._fetch import fetch_frame
from ._query import (
    LoadContext,
    NovelIds,
    exact_in,
    open_context,
    require_table,
    resolve_novel_ids,
    sql_table,
)

__all__ = ["ACTIVITY_EVENTS", "load_activity"]

ACTIVITY_EVENTS = ("chapter_created", "chapter_updated", "version_created", "conversation_turn")
_COLUMNS = ("timestamp", "project_id", "event", "chapter_number", "ref_id", "detail", "chars")


async def _chapter_events(ctx: LoadContext, ids: list[str] | None) -> list[pd.DataFrame]:
    chapters = sql_table(await require_table(ctx, "chapters"))
    statement = sa.select(
        chapters.c.id.label("ref_id"),
        chapters.c.project_id,
        chapters.c.chapter_number,
        chapters.c.status.label("detail"),
        chapters.c.word_count.label("chars"),
        chapters.c.created_at,
        chapters.c.updated_at,
    )
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, chapters.c.project_id, ids))
    raw = await fetch_frame(ctx, statement)
    created = raw.drop(columns="updated_at").rename(columns={"created_at": "timestamp"})
    created["event"] = "chapter_created"
    changed = raw[raw["updated_at"].astype("string") != raw["created_at"].astype("string")]
    updated = changed.drop(columns="created_at").rename(columns={"updated_at": "timestamp"})
    updated["event"] = "chapter_updated"
    return [created, updated]


async def _version_events(ctx: LoadContext, ids: list[str] | None) -> list[pd.DataFrame]:
    shape = await reflect_table(ctx.conn, "chapter_versions")
    if shape is None:
        return []
    versions = sql_table(shape)
    chapters = sql_table(await require_table(ctx, "chapters"))
    statement = sa.select(
        versions.c.id.label("ref_id"),
        chapters.c.project_id,
        chapters.c.chapter_number,
        versions.c.version_label.label("detail"),
        sa.func.char_length(versions.c.content).label("chars"),
        versions.c.created_at.label("timestamp"),
    ).select_from(versions.join(chapters, chapters.c.id == versions.c.chapter_id))
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, chapters.c.project_id, ids))
    frame = await fetch_frame(ctx, statement)
    frame["event"] = "version_created"
    return [frame]


async def _conversation_events(ctx: LoadContext, ids: list[str] | None) -> list[pd.DataFrame]:
    shape = await reflect_table(ctx.conn, "novel_conversations")
    if shape is None:
        return []
    turns = sql_table(shape)
    statement = sa.select(
        turns.c.id.label("ref_id"),
        turns.c.project_id,
        turns.c.role.label("detail"),
        sa.func.char_length(turns.c.content).label("chars"),
        turns.c.created_at.label("timestamp"),
    )
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, turns.c.project_id, ids))
    frame = await fetch_frame(ctx, statement)
    frame["event"] = "conversation_turn"
    frame["chapter_number"] = None
    return [frame]


async def load_activity(
    target: AsyncSession | AsyncConnection,
    novel_id: NovelIds = None,
    *,
    server_timezone: str | None = None,
) -> pd.DataFrame:
    """Every timestamped event: chapter created/updated, version created, conversation turn.

    Columns ``timestamp`` (UTC), ``project_id``, ``event`` (categorical),
    ``chapter_number``, ``ref_id`` (the row's id in its table), ``detail``
    (chapter status, version label or speaker role) and ``chars`` (length of
    the text involved), sorted by time.

    Examples
    --------
    >>> activity = await novelkit.load_activity(session)  # doctest: +SKIP
    >>> activity.set_index("timestamp").resample("D")["event"].count()  # doctest: +SKIP
    """
    ctx = await open_context(target, server_timezone)
    ids = await resolve_novel_ids(ctx, novel_id)
    parts = [
        *await _chapter_events(ctx, ids),
        *await _version_events(ctx, ids),
        *await _conversation_events(ctx, ids),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS})
    else:
        frame = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    out = pd.DataFrame(
        {
            "timestamp": to_utc(frame["timestamp"], ctx.server_timezone),
            "project_id": frame["project_id"].astype("string"),
            "event": frame["event"].astype(pd.CategoricalDtype(list(ACTIVITY_EVENTS))),
            "chapter_number": pd.to_numeric(frame["chapter_number"]).astype("Int64"),
            "ref_id": pd.to_numeric(frame["ref_id"]).astype("Int64"),
            "detail": frame["detail"].astype("string"),
            "chars": pd.to_numeric(frame["chars"]).astype("Int64"),
        }
    )
    return out.sort_values(["timestamp", "event", "ref_id"], kind="stable").reset_index(drop=True)
