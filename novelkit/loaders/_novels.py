"""Per-novel figures counted the way the app counts, users, usage and admin stats."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .._docstrings import shared_sections
from ..arrow._output import Frame, Output, frame_output
from ..schema.reflect import TableShape, reflect_table
from ..schema.vocabularies import STATUS_VOCABULARIES
from ._convert import DATE_DTYPE, to_utc, warn_unread
from ._docs import parameter_docs
from ._fetch import fetch_columns, fetch_frame
from ._novel_ids import exact_in, resolve_novel_ids
from ._nullable import to_int
from ._query import LoadContext, NovelIds, Target, open_context, require_table, sql_table
from ._raw import RawOptions, extras_last, load_raw

__all__ = ["NOVEL_COLUMNS", "load_admin_stats", "load_novels", "load_usage", "load_users"]


NOVEL_COLUMNS = (
    "project_id",
    "title",
    "owner",
    "status",
    "genre",
    "style",
    "tone",
    "target_audience",
    "one_sentence_summary",
    "created_at",
    "updated_at",
    "outlines",
    "planned_chapters",
    "chapters",
    "completed",
    "progress",
    "selected_chars",
    "last_activity",
)
_BLUEPRINT_COLUMNS = ("genre", "style", "tone", "target_audience", "one_sentence_summary")
#: A fork's blueprint column with the number of chapters the novel is planned to have.
_PLANNED_TOTAL = "total_chapters"


def _null(name: str) -> sa.ColumnElement[str]:
    # Typed, so that every reader knows the column (connectorx has no NULL type).
    return sa.cast(sa.null(), sa.String).label(name)


async def _optional(ctx: LoadContext, name: str) -> TableShape | None:
    return await reflect_table(ctx.conn, name)


@frame_output
@shared_sections(**parameter_docs("server_timezone"))
async def load_novels(
    target: Target,
    novel_id: NovelIds = None,
    *,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """One row per novel (project) with the app's progress figures, in set-based SQL.

    ``outlines`` counts outline rows, ``chapters`` chapter rows, ``completed``
    chapters with a ``selected_version_id`` (a dangling id still counts, as in
    the app); ``progress`` is completed ÷ outlines, or ÷ chapters when there
    are no outlines, 0 when both are 0, as the app counts it;
    ``planned_chapters`` is the blueprint's ``total_chapters`` where a fork keeps
    that column (a blueprint may plan more chapters than it has outlines), else
    the outline count; ``selected_chars`` sums the code points
    of the selected versions' text; ``last_activity`` is the latest timestamp
    of the project, its chapters and their versions. Counts are 0, never missing.

    Parameters
    ----------
    {{server_timezone}}

    Examples
    --------
    >>> novels = await novelkit.load_novels(session)  # doctest: +SKIP
    >>> novels.sort_values("progress", ascending=False).head()  # doctest: +SKIP
    """
    ctx = await open_context(target, server_timezone)
    projects = sql_table(await require_table(ctx, "novel_projects"))
    ids = await resolve_novel_ids(ctx, novel_id)
    columns: list[sa.ColumnElement[Any]] = [
        projects.c.id.label("project_id"),
        projects.c.title,
        projects.c.status,
        projects.c.created_at,
        projects.c.updated_at,
    ]
    source: sa.FromClause = projects

    users_shape = await _optional(ctx, "users")
    if users_shape is not None:
        users = sql_table(users_shape).alias("nk_u")
        source = source.outerjoin(users, users.c.id == projects.c.user_id)
        columns.append(users.c.username.label("owner"))
    else:
        columns.append(_null("owner"))

    blueprint_shape = await _optional(ctx, "novel_blueprints")
    blueprints = sql_table(blueprint_shape).alias("nk_b") if blueprint_shape else None
    if blueprints is not None:
        source = source.outerjoin(blueprints, blueprints.c.project_id == projects.c.id)
    for name in _BLUEPRINT_COLUMNS:
        has = blueprint_shape is not None and blueprint_shape.has(name)
        columns.append(
            blueprints.c[name].label(name) if has and blueprints is not None else _null(name)
        )
    # A fork's blueprint may plan more chapters than it has outline rows.
    planned = blueprint_shape is not None and blueprint_shape.has(_PLANNED_TOTAL)
    columns.append(
        blueprints.c[_PLANNED_TOTAL].label("planned_total")
        if planned and blueprints is not None
        else _null("planned_total")
    )

    outline_shape = await _optional(ctx, "chapter_outlines")
    if outline_shape is not None:
        outlines = sql_table(outline_shape)
        per_novel = (
            sa.select(outlines.c.project_id, sa.func.count().label("n"))
            .group_by(outlines.c.project_id)
            .subquery("nk_o")
        )
        source = source.outerjoin(per_novel, per_novel.c.project_id == projects.c.id)
        columns.append(per_novel.c.n.label("outlines"))
    else:
        columns.append(_null("outlines"))

    chapters = sql_table(await require_table(ctx, "chapters"))
    chapter_stats = (
        sa.select(
            chapters.c.project_id,
            sa.func.count().label("n"),
            sa.func.count(chapters.c.selected_version_id).label("done"),
            sa.func.max(chapters.c.updated_at).label("last_chapter"),
        )
        .group_by(chapters.c.project_id)
        .subquery("nk_c")
    )
    source = source.outerjoin(chapter_stats, chapter_stats.c.project_id == projects.c.id)
    columns += [
        chapter_stats.c.n.label("chapters"),
        chapter_stats.c.done.label("completed"),
        chapter_stats.c.last_chapter,
    ]

    version_shape = await _optional(ctx, "chapter_versions")
    if version_shape is not None:
        versions = sql_table(version_shape)
        selected = (
            sa.select(
                chapters.c.project_id,
                sa.func.sum(sa.func.char_length(versions.c.content)).label("chars"),
            )
            .select_from(chapters.join(versions, versions.c.id == chapters.c.selected_version_id))
            .group_by(chapters.c.project_id)
            .subquery("nk_s")
        )
        latest = (
            sa.select(chapters.c.project_id, sa.func.max(versions.c.created_at).label("last"))
            .select_from(versions.join(chapters, chapters.c.id == versions.c.chapter_id))
            .group_by(chapters.c.project_id)
            .subquery("nk_v")
        )
        source = source.outerjoin(selected, selected.c.project_id == projects.c.id).outerjoin(
            latest, latest.c.project_id == projects.c.id
        )
        columns += [selected.c.chars.label("selected_chars"), latest.c.last.label("last_version")]
    else:
        columns += [_null("selected_chars"), _null("last_version")]

    statement = sa.select(*columns).select_from(source).order_by(projects.c.id)
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, projects.c.id, ids))
    raw = await fetch_frame(ctx, statement)
    return _shape_novels(raw, ctx)


def _shape_novels(raw: pd.DataFrame, ctx: LoadContext) -> pd.DataFrame:
    frame = pd.DataFrame(index=raw.index)
    for name in ("project_id", "title", "owner", *_BLUEPRINT_COLUMNS):
        frame[name] = raw[name].astype("string")
    known = STATUS_VOCABULARIES[("novel_projects", "status")]
    status = raw["status"].astype("string")
    extra = sorted({v for v in status.dropna() if v not in known})
    frame["status"] = status.astype(pd.CategoricalDtype(list(known) + extra))
    for name in ("created_at", "updated_at"):
        read = to_utc(raw[name], ctx.server_timezone)
        # Said, as every loader says it: a fork's or a tool's text that is no time.
        frame[name] = warn_unread("novel_projects", name, raw[name], read)
    # SUM() comes back as Decimal on MySQL; counts as int on both.
    for name in ("outlines", "chapters", "completed", "selected_chars"):
        frame[name] = pd.to_numeric(raw[name]).fillna(0).astype("Int64")
    # The blueprint's planned total where a fork keeps one, else the outlines written.
    planned_total = to_int(pd.Series(raw["planned_total"].to_numpy(), dtype=object))
    frame["planned_chapters"] = planned_total.where(planned_total.notna(), frame["outlines"])
    denominator = frame["outlines"].where(frame["outlines"] > 0, frame["chapters"])
    frame["progress"] = (
        (frame["completed"] / denominator.where(denominator > 0)).fillna(0.0).astype("Float64")
    )
    stamps = pd.concat(
        [
            frame["updated_at"],
            to_utc(raw["last_chapter"], ctx.server_timezone),
            to_utc(raw["last_version"], ctx.server_timezone),
        ],
        axis=1,
    )
    frame["last_activity"] = stamps.max(axis=1)
    return frame[list(NOVEL_COLUMNS)].reset_index(drop=True)


@frame_output
@shared_sections(**parameter_docs("extra_columns", "server_timezone"))
async def load_users(
    target: Target,
    *,
    extra_columns: bool = True,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Users without their password hash; ``has_own_api_key`` instead of the key itself.

    Parameters
    ----------
    {{extra_columns}}
    {{server_timezone}}
    """
    ctx = await open_context(target, server_timezone)
    shape = await require_table(ctx, "users")
    options = RawOptions(extra_columns=extra_columns, exclude=("hashed_password",))
    frame = await load_raw(ctx, shape, None, options, novel_column=None)
    configs_shape = await _optional(ctx, "llm_configs")
    has_key = pd.Series(False, index=frame.index, dtype="boolean")
    if configs_shape is not None and configs_shape.has("llm_provider_api_key"):
        configs = sql_table(configs_shape)
        keyed = await fetch_frame(
            ctx,
            sa.select(configs.c.user_id).where(
                configs.c.llm_provider_api_key.is_not(None), configs.c.llm_provider_api_key != ""
            ),
        )
        owners = set(pd.to_numeric(keyed["user_id"]).tolist())
        has_key = frame["id"].isin(owners).astype("boolean")
    frame["has_own_api_key"] = pd.array(has_key.to_numpy(dtype=bool), dtype="boolean")
    return extras_last(frame, shape)


def _usage_counter_query(shape: TableShape | None) -> sa.Select[Any] | None:
    """The app's global request counter (a row of ``usage_metrics``), if the table exists."""
    if shape is None:
        return None
    metrics = sql_table(shape)
    return sa.select(metrics.c.value).where(metrics.c.key == "api_request_count")


async def _usage_counter(ctx: LoadContext) -> int:
    query = _usage_counter_query(await _optional(ctx, "usage_metrics"))
    if query is None:
        return 0
    frame = await fetch_frame(ctx, query)
    return int(frame["value"].iloc[0]) if len(frame) else 0


@frame_output
async def load_usage(target: Target, *, fast: bool | None = None, to: Output = "pandas") -> Frame:
    """Usage as the app records it: the global counter and per-user daily requests.

    One row ``kind="api_request_count"`` (successful completions, all users) and
    one row per user and day ``kind="daily_requests"`` (counted before each call,
    only for users without their own API key). No tokens or costs exist upstream.

    Columns: ``kind`` (categorical), ``user_id`` (``Int64``), ``username`` (string),
    ``request_date`` (the day: ``datetime64[s]`` at midnight, as every DATE column;
    a date, ``date32`` / polars ``Date``, with ``to="arrow"`` / ``"polars"``) and
    ``requests`` (``Int64``); the counter's row has no user and no day.
    """
    ctx = await open_context(target)
    counter = await _usage_counter(ctx)
    daily: dict[str, pd.Series] = {}
    daily_shape = await _optional(ctx, "user_daily_requests")
    if daily_shape is not None:
        table = sql_table(daily_shape)
        statement = sa.select(
            table.c.user_id, table.c.request_date, table.c.request_count.label("requests")
        )
        users_shape = await _optional(ctx, "users")
        if users_shape is not None:
            users = sql_table(users_shape).alias("nk_u")
            statement = statement.add_columns(users.c.username).select_from(
                table.outerjoin(users, users.c.id == table.c.user_id)
            )
        statement = statement.order_by(table.c.request_date, table.c.user_id)
        daily = (await fetch_columns(ctx, statement, text=["username"])).columns
    days = len(daily["user_id"]) if daily else 0
    # The counter's row first, then the days; each column converted once and
    # built with one leading missing value (a concat of frames, then converting
    # the mixed object columns, cost more than the read).
    kinds = ["api_request_count"] + (["daily_requests"] if days else [])
    empty = pd.Series([], dtype=object)
    return pd.DataFrame(
        {
            "kind": pd.Categorical.from_codes(
                np.r_[0, np.ones(days, dtype=np.int8)], categories=kinds
            ),
            "user_id": _after(None, to_int(daily.get("user_id", empty))),
            "username": _after(
                None,
                daily.get("username", pd.Series(pd.NA, index=range(days))).astype("string"),
            ),
            "request_date": _after(
                None,
                pd.to_datetime(daily.get("request_date", empty), format="ISO8601").astype(
                    DATE_DTYPE
                ),
            ),
            "requests": _after(counter, to_int(daily.get("requests", empty))),
        }
    )


def _after(first: Any, values: pd.Series) -> Any:
    """``values`` after ``first``, of their dtype (the counter's row: its count, and no
    user or day)."""
    head = pd.Series([first], dtype=values.dtype)
    return pd.concat([head, values], ignore_index=True).array


@frame_output
async def load_admin_stats(
    target: Target, *, fast: bool | None = None, to: Output = "pandas"
) -> Frame:
    """One row as the app's admin page shows it: novel_count, user_count, api_request_count."""
    ctx = await open_context(target)
    projects = sql_table(await require_table(ctx, "novel_projects"))
    counts = {"novel_count": sa.select(sa.func.count()).select_from(projects).scalar_subquery()}
    users_shape = await _optional(ctx, "users")
    if users_shape is not None:
        users = sql_table(users_shape)
        counts["user_count"] = sa.select(sa.func.count()).select_from(users).scalar_subquery()
    counter = _usage_counter_query(await _optional(ctx, "usage_metrics"))
    # One statement for the three figures: on a small database the round trips are
    # most of this call's time. Except on connectorx, which takes no bound values
    # (the counter's key is one): there the counter is read by the driver.
    apart = ctx.arrow is not None and ctx.backend == "mysql"
    if counter is not None and not apart:
        counts["api_request_count"] = counter.limit(1).scalar_subquery()
    frame = await fetch_frame(ctx, sa.select(*(v.label(k) for k, v in counts.items())))

    def figure(name: str) -> Any:
        value = frame[name].iloc[0] if name in frame else None
        return 0 if value is None or pd.isna(value) else int(value)

    figures = {name: figure(name) for name in ("novel_count", "user_count", "api_request_count")}
    if apart:
        figures["api_request_count"] = await _usage_counter(ctx)
    return pd.DataFrame({name: pd.array([n], dtype="Int64") for name, n in figures.items()})
