"""The chapter texts of a database, page by page: what every text query reads.

Which texts (``versions=``):

- ``"selected"``: each chapter's selected version (``chapters.selected_version_id``),
  the text the app shows as the chapter;
- ``"latest"``: each chapter's newest version, by ``created_at`` and then by id (an
  unreadable or missing ``created_at`` counts as the oldest);
- ``"all"``: every version.

A chapter with no text under that rule has none here: a chapter without a selected
version (still ``waiting_for_confirm``, or whose selected version was deleted) is in
no result with ``versions="selected"``; ``"latest"`` or ``"all"`` include it. Orphans
are left out: a version whose chapter is gone, and a chapter whose novel is gone,
belong to no novel (every ``project_id`` in a result is one ``novel_id=`` accepts).
Duplicate chapter rows (the same number twice in a novel) are two chapters, as in
``load_chapters()``.

How:

1. The plan, on one connection and without reading any text: version ids and their
   keys, from ``chapter_versions`` joined to ``chapters`` on integer ids, the novel
   filter compared byte for byte (:func:`~novelkit.loaders._novel_ids.exact_in`). Which
   novels exist and which version is the latest are decided in Python, so that
   MariaDB's case- and accent-insensitive collations cannot change the answer.
2. The texts, :data:`PAGE_TEXTS` at a time in result order (project id, chapter
   number, version id), each page read with ``id IN (...)`` on its own short
   connection from the engine, as :func:`~novelkit.iter_frames` does: no read
   transaction spans two pages on SQLite, so a live app's writers wait for one page
   at most, and memory holds one page of text plus the result. A version deleted
   between the plan and its page is skipped; a text edited meanwhile is read as it
   is when its page is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from .._progress import progress_bar
from ..arrow._choice import arrow_path_for
from ..errors import ConfigurationError, WrongTypeError
from ..loaders._fetch import fetch_columns
from ..loaders._novel_ids import exact_in, resolve_novel_ids
from ..loaders._query import (
    LoadContext,
    NovelIds,
    Target,
    engine_of,
    open_context,
    require_table,
    sql_table,
)

__all__ = [
    "KEY_COLUMNS",
    "PAGE_TEXTS",
    "VERSIONS",
    "Page",
    "Target",
    "TextKey",
    "TextSource",
    "Versions",
    "check_versions",
    "key_frame",
    "open_source",
    "plan_texts",
]

Versions = Literal["selected", "all", "latest"]
VERSIONS: tuple[str, ...] = ("selected", "all", "latest")

#: Texts read per page: about 6 MB of typical chapters (2,000-6,000 characters each).
PAGE_TEXTS = 500

#: The columns that say which text a result row comes from, in result order.
KEY_COLUMNS = ("project_id", "chapter_number", "version_id", "is_selected")

#: ``(project_id, chapter_number, version_id, is_selected)``.
TextKey = tuple[str, int | None, int, bool]
Page = list[tuple[TextKey, str]]

#: Seconds a call runs before its progress bar appears: short calls show none.
_BAR_DELAY = 1.0


def check_versions(versions: object) -> Versions:
    """``versions`` itself, or :class:`ConfigurationError` naming the accepted values.

    Examples
    --------
    >>> check_versions("latest")
    'latest'
    """
    if not isinstance(versions, str):
        raise WrongTypeError(
            f"versions must be one of {', '.join(map(repr, VERSIONS))}, not a "
            f"{type(versions).__name__}."
        )
    if versions not in VERSIONS:
        raise ConfigurationError(
            f"versions={versions!r} is not known; use 'selected' (the text the app shows), "
            "'latest' (each chapter's newest version) or 'all'."
        )
    return versions  # type: ignore[return-value]


@dataclass
class TextSource:
    """The planned texts of one call, and where to read them."""

    engine: AsyncEngine
    backend: str
    keys: list[TextKey]
    desc: str = "texts"

    async def pages(
        self, *, progress: bool | None = None, page_size: int | None = None
    ) -> AsyncIterator[Page]:
        """Yield the texts in result order, ``page_size`` (:data:`PAGE_TEXTS`) at a time."""
        size = PAGE_TEXTS if page_size is None else page_size
        versions = sql_table("chapter_versions", ["id", "content"])
        bar = progress_bar(
            progress,
            in_notebook=True,
            desc=self.desc,
            unit="texts",
            total=len(self.keys),
            leave=False,
            delay=_BAR_DELAY,
        )
        try:
            for first in range(0, len(self.keys), size):
                page = self.keys[first : first + size]
                # Integers only, written into the statement: no bound-parameter limit
                # (999 on old SQLite builds) and nothing a user typed.
                wanted: sa.BindParameter[list[int]] = sa.bindparam(
                    "version_ids", [key[2] for key in page], expanding=True, literal_execute=True
                )
                statement = sa.select(versions.c.id, versions.c.content).where(
                    versions.c.id.in_(wanted)
                )
                async with self.engine.connect() as conn:
                    arrow = await arrow_path_for(conn, caller_in_transaction=False)
                    ctx = LoadContext(conn, self.backend, None, arrow)
                    stored = (await fetch_columns(ctx, statement)).columns
                text_of = dict(zip(stored["id"].tolist(), stored["content"].tolist(), strict=True))
                yield [(key, text_of[key[2]]) for key in page if text_of.get(key[2]) is not None]
                bar.update(len(page))
        finally:
            bar.close()


@asynccontextmanager
async def _setup(target: Target) -> AsyncIterator[LoadContext]:
    """A context for the plan: a connection of its own unless the caller is mid-transaction.

    Reading the plan on the caller's idle session would begin a transaction there
    (autobegin) and leave it open after the call, holding SQLite's read lock.
    """
    if not isinstance(target, AsyncSession | AsyncConnection):
        raise WrongTypeError(
            "Text queries take an AsyncSession or AsyncConnection; use novelkit.open_session("
            "engine), or novelkit.connect() and db.search_text(...) in plain cells."
        )
    engine = engine_of(target)
    if engine is not None and not target.in_transaction():
        async with engine.connect() as conn:
            yield await open_context(conn)
    else:
        yield await open_context(target)


@asynccontextmanager
async def open_source(
    target: Target, novel_id: NovelIds, versions: Versions, *, desc: str
) -> AsyncIterator[tuple[LoadContext, list[str] | None, TextSource]]:
    """Plan the texts of a call; yields the setup context, the novel ids and the source.

    The setup context stays open inside the ``async with`` block, for what else the
    call reads before the texts (a novel's character names); read the pages after it.
    """
    check_versions(versions)
    async with _setup(target) as ctx:
        ids = await resolve_novel_ids(ctx, novel_id)
        keys = await _plan(ctx, ids, versions)
        yield ctx, ids, TextSource(ctx.conn.engine, ctx.backend, keys, desc)


async def plan_texts(
    target: Target, novel_id: NovelIds, versions: Versions, *, desc: str
) -> TextSource:
    """The texts of a call that reads nothing else first (see :func:`open_source`)."""
    async with open_source(target, novel_id, versions, desc=desc) as (_, _, source):
        return source


async def _plan(ctx: LoadContext, ids: list[str] | None, versions: Versions) -> list[TextKey]:
    chapters = sql_table(await require_table(ctx, "chapters"))
    table = sql_table(await require_table(ctx, "chapter_versions"))
    columns = [
        table.c.id,
        chapters.c.id.label("chapter_id"),
        chapters.c.project_id,
        chapters.c.chapter_number,
        chapters.c.selected_version_id,
    ]
    if versions == "latest":
        columns.append(table.c.created_at)
    statement = sa.select(*columns).select_from(
        table.join(chapters, chapters.c.id == table.c.chapter_id)
    )
    if versions == "selected":
        statement = statement.where(table.c.id == chapters.c.selected_version_id)
    if ids is not None:
        statement = statement.where(exact_in(ctx.backend, chapters.c.project_id, ids))
    stored = (await fetch_columns(ctx, statement)).columns
    frame = pd.DataFrame({name: values for name, values in stored.items()})
    known = set(ids) if ids is not None else await _project_ids(ctx)
    # A boolean array, not a list: an empty list would select no columns, not no rows.
    keep = np.fromiter(
        (project in known for project in frame["project_id"]), dtype=bool, count=len(frame)
    )
    frame = frame[keep]
    if versions == "latest":
        frame = _latest(frame)
    keys: list[TextKey] = [
        (project, None if pd.isna(number) else int(number), int(version), version == selected)
        for project, number, version, selected in zip(
            frame["project_id"],
            frame["chapter_number"],
            frame["id"],
            frame["selected_version_id"],
            strict=True,
        )
    ]
    # Python's order (code points), the same on both backends; a chapter without a
    # number (forks only) after the numbered ones.
    keys.sort(key=lambda key: (key[0], key[1] is None, key[1] or 0, key[2]))
    return keys


async def _project_ids(ctx: LoadContext) -> set[str]:
    projects = sql_table("novel_projects", ["id"])
    stored = (await fetch_columns(ctx, sa.select(projects.c.id))).columns
    return set(stored["id"].tolist())


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """The newest version of each chapter: by ``created_at``, then by id."""
    created = frame["created_at"]
    if created.dtype == object:
        # SQLite text in either of its formats; MySQL datetimes parse as they are.
        created = pd.to_datetime(created, format="ISO8601", errors="coerce")
    ordered = frame.assign(
        _known=created.notna().to_numpy(), _created=created.to_numpy(), _id=frame["id"]
    ).sort_values(["chapter_id", "_known", "_created", "_id"], kind="stable")
    return ordered.drop_duplicates("chapter_id", keep="last")


def key_frame(keys: Sequence[TextKey]) -> dict[str, pd.api.extensions.ExtensionArray]:
    """The key columns of result rows, with the loaders' dtypes.

    Examples
    --------
    >>> columns = key_frame([("p1", 3, 17, True)])
    >>> [str(column.dtype) for column in columns.values()]
    ['string', 'Int64', 'Int64', 'boolean']
    """
    project = [key[0] for key in keys]
    number = [key[1] for key in keys]
    version = [key[2] for key in keys]
    selected = [key[3] for key in keys]
    return {
        "project_id": pd.array(project, dtype="string"),
        "chapter_number": pd.array(number, dtype="Int64"),
        "version_id": pd.array(version, dtype="Int64"),
        "is_selected": pd.array(selected, dtype="boolean"),
    }
