"""One row per timestamped event, for progress-over-time charts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._docstrings import shared_sections
from ..arrow._output import Frame, Output, frame_output
from ..schema.reflect import reflect_table
from ._convert import to_utc
from ._docs import parameter_docs
from ._fetch import fetch_columns
from ._novel_ids import exact_in, resolve_novel_ids
from ._nullable import to_int
from ._query import LoadContext, NovelIds, Target, open_context, require_table, sql_table

__all__ = ["ACTIVITY_EVENTS", "load_activity"]

ACTIVITY_EVENTS = ("chapter_created", "chapter_updated", "version_created", "conversation_turn")
_COLUMNS = ("timestamp", "project_id", "event", "chapter_number", "ref_id", "detail", "chars")
_EVENT_TYPE = pd.CategoricalDtype(list(ACTIVITY_EVENTS))
_TEXT = ("project_id", "detail")


def _events(
    ctx: LoadContext, stored: dict[str, pd.Series], event: str, stamps: str, keep: Any = None
) -> pd.DataFrame:
    """One event per stored row (or per row of ``keep``), typed as the loader returns them.

    The two text columns come as Arrow strings from the fetch (``_TEXT``), and are
    reordered with the whole frame by Arrow (converting half a million reordered
    Python strings afterwards cost a quarter of the call).
    """
    if keep is not None:
        stored = {name: values[keep].reset_index(drop=True) for name, values in stored.items()}
    count = len(stored[stamps])
    numbers = stored.get("chapter_number")
    return pd.DataFrame(
        {
            "timestamp": to_utc(stored[stamps], ctx.server_timezone),
            "project_id": stored["project_id"],
            "event": pd.Categorical.from_codes(
                np.full(count, ACTIVITY_EVENTS.index(event), dtype=np.int8), dtype=_EVENT_TYPE
            ),
            "chapter_number": to_int(numbers)
            if numbers is not None
            else pd.array([pd.NA] * count, dtype="Int64"),
            "ref_id": to_int(stored["ref_id"]),
            "detail": stored["detail"],
            "chars": to_int(stored["chars"]),
        }
    )


def _in_time_order(frame: pd.DataFrame) -> np.ndarray:
    """Row order by timestamp (missing last), then event, then ref_id; stable."""
    stamps = frame["timestamp"].to_numpy(dtype="datetime64[us]").view("int64")
    stamps = np.where(frame["timestamp"].isna().to_numpy(), np.iinfo(np.int64).max, stamps)
    events = frame["event"].cat.codes.to_numpy()
    refs = frame["ref_id"].to_numpy(dtype="int64", na_value=np.iinfo(np.int64).max)
    return np.lexsort((refs, events, stamps))


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
    stored = (await fetch_columns(ctx, statement, text=_TEXT)).columns
    # Compared as stored (text on SQLite, datetimes on MySQL): an update is a row whose
    # two stamps differ.
    changed = stored["updated_at"].to_numpy() != stored["created_at"].to_numpy()
    return [
        _events(ctx, stored, "chapter_created", "created_at"),
        _events(ctx, stored, "chapter_updated", "updated_at", keep=changed),
    ]


async def _row_events(
    ctx: LoadContext, ids: list[str] | None, table: str, event: str, detail: str
) -> list[pd.DataFrame]:
    """One ``event`` per row of ``table`` (none when the database lacks it), at ``created_at``.

    ``chars`` is the length of the row's ``content``; a row keyed by ``chapter_id``
    (a version) takes its novel and chapter number from its chapter.
    """
    shape = await reflect_table(ctx.conn, table)
    if shape is None:
        return []
    rows = sql_table(shape)
    statement = sa.select(
        rows.c.id.label("ref_id"),
        rows.c[detail].label("detail"),
        sa.func.char_length(rows.c.content).label("chars"),
        rows.c.created_at.label("timestamp"),
    )
    if shape.has("chapter_id"):
        chapters = sql_table(await require_table(ctx, "chapters"))
        project_id = chapters.c.project_id
        statement = statement.add_columns(project_id, chapters.c.chapter_number).select_from(
            rows.join(chapters, chapters.c.id == rows.c.chapter_id)
        )
    else:
        project_id = rows.c.project_id
        statement = statement.add_columns(project_id)
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, project_id, ids))
    stored = (await fetch_columns(ctx, statement, text=_TEXT)).columns
    return [_events(ctx, stored, event, "timestamp")]


@frame_output
@shared_sections(**parameter_docs("server_timezone"))
async def load_activity(
    target: Target,
    novel_id: NovelIds = None,
    *,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Every timestamped event: chapter created/updated, version created, conversation turn.

    Columns ``timestamp`` (UTC), ``project_id``, ``event`` (categorical),
    ``chapter_number``, ``ref_id`` (the row's id in its table), ``detail``
    (chapter status, version label or speaker role) and ``chars`` (length of
    the text involved), sorted by time.

    Parameters
    ----------
    {{server_timezone}}

    Examples
    --------
    >>> activity = await novelkit.load_activity(session)  # doctest: +SKIP
    >>> activity.set_index("timestamp").resample("D")["event"].count()  # doctest: +SKIP
    """
    ctx = await open_context(target, server_timezone)
    ids = await resolve_novel_ids(ctx, novel_id)
    parts = [
        *await _chapter_events(ctx, ids),
        *await _row_events(ctx, ids, "chapter_versions", "version_created", "version_label"),
        *await _row_events(ctx, ids, "novel_conversations", "conversation_turn", "role"),
    ]
    combined = pd.concat(parts, ignore_index=True)
    return combined.take(_in_time_order(combined)).reset_index(drop=True)
