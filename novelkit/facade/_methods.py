"""The data methods of :class:`~novelkit.NovelDB`. GENERATED: do not edit.

Written by ``python -m novelkit.facade._generate`` from the signatures of
novelkit's async functions; ``tests/test_facade_methods.py`` checks that it is
up to date. Each method's full docstring is its function's, appended at import
(see :func:`_document`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from ..loaders._activity import load_activity as _load_activity
from ..loaders._generic import load_table as _load_table
from ..loaders._novels import (
    load_admin_stats as _load_admin_stats,
    load_novels as _load_novels,
    load_usage as _load_usage,
    load_users as _load_users,
)
from ..loaders._story import load_chapters as _load_chapters, load_outlines as _load_outlines
from ..loaders._versions import (
    load_evaluations as _load_evaluations,
    load_versions as _load_versions,
)
from ..loaders._world import (
    load_characters as _load_characters,
    load_conversations as _load_conversations,
    load_foreshadowings as _load_foreshadowings,
    load_relationships as _load_relationships,
)
from ..sql._load import Query, load_sql as _load_sql
from ..text._api import search_text as _search_text, text_stats as _text_stats
from ..text._cast import (
    Frame,
    NameList,
    NovelIds,
    Output,
    Versions,
    Window,
    cooccurrence as _cooccurrence,
    mentions as _mentions,
)

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["LoaderMethods"]

T = TypeVar("T")


class LoaderMethods:
    """novelkit's async functions as methods (``db.chapters()``, ``await db.achapters()``)."""

    def _call(self, func: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError

    async def _acall(self, func: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError

    @overload
    def cooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def cooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def cooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def cooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.cooccurrence` on this database, with the same keywords."""
        return self._call(
            _cooccurrence,
            novel_id=novel_id,
            names=names,
            window=window,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    async def acooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def acooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def acooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def acooccurrence(
        self,
        *,
        novel_id: NovelIds,
        names: NameList | None = None,
        window: Window = "chapter",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`cooccurrence`: runs on the facade's loop."""
        return await self._acall(
            _cooccurrence,
            novel_id=novel_id,
            names=names,
            window=window,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    def activity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def activity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def activity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def activity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_activity` on this database, with the same keywords."""
        return self._call(
            _load_activity,
            novel_id,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def aactivity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aactivity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aactivity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aactivity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`activity`: runs on the facade's loop."""
        return await self._acall(
            _load_activity,
            novel_id,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def admin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def admin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def admin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def admin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_admin_stats` on this database, with the same keywords."""
        return self._call(
            _load_admin_stats,
            fast=fast,
            to=to,
        )

    @overload
    async def aadmin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aadmin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aadmin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aadmin_stats(
        self,
        *,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`admin_stats`: runs on the facade's loop."""
        return await self._acall(
            _load_admin_stats,
            fast=fast,
            to=to,
        )

    @overload
    def chapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def chapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def chapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def chapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_chapters` on this database, with the same keywords."""
        return self._call(
            _load_chapters,
            novel_id,
            dedupe=dedupe,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def achapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def achapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def achapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def achapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`chapters`: runs on the facade's loop."""
        return await self._acall(
            _load_chapters,
            novel_id,
            dedupe=dedupe,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def characters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def characters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def characters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def characters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_characters` on this database, with the same keywords."""
        return self._call(
            _load_characters,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            fast=fast,
            to=to,
        )

    @overload
    async def acharacters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def acharacters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def acharacters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def acharacters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`characters`: runs on the facade's loop."""
        return await self._acall(
            _load_characters,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            fast=fast,
            to=to,
        )

    @overload
    def conversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def conversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def conversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def conversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_conversations` on this database, with the same keywords."""
        return self._call(
            _load_conversations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def aconversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aconversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aconversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aconversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`conversations`: runs on the facade's loop."""
        return await self._acall(
            _load_conversations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def evaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def evaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def evaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def evaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_evaluations` on this database, with the same keywords."""
        return self._call(
            _load_evaluations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def aevaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aevaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aevaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aevaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`evaluations`: runs on the facade's loop."""
        return await self._acall(
            _load_evaluations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def foreshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def foreshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def foreshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def foreshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_foreshadowings` on this database, with the same keywords."""
        return self._call(
            _load_foreshadowings,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def aforeshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aforeshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aforeshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aforeshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`foreshadowings`: runs on the facade's loop."""
        return await self._acall(
            _load_foreshadowings,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def novels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def novels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def novels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def novels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_novels` on this database, with the same keywords."""
        return self._call(
            _load_novels,
            novel_id,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def anovels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def anovels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def anovels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def anovels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`novels`: runs on the facade's loop."""
        return await self._acall(
            _load_novels,
            novel_id,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def outlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def outlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def outlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def outlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_outlines` on this database, with the same keywords."""
        return self._call(
            _load_outlines,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def aoutlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aoutlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aoutlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aoutlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`outlines`: runs on the facade's loop."""
        return await self._acall(
            _load_outlines,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def relationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def relationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def relationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def relationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_relationships` on this database, with the same keywords."""
        return self._call(
            _load_relationships,
            novel_id,
            extra_columns=extra_columns,
            fast=fast,
            to=to,
        )

    @overload
    async def arelationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def arelationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def arelationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def arelationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`relationships`: runs on the facade's loop."""
        return await self._acall(
            _load_relationships,
            novel_id,
            extra_columns=extra_columns,
            fast=fast,
            to=to,
        )

    @overload
    def sql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def sql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def sql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def sql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_sql` on this database, with the same keywords."""
        return self._call(
            _load_sql,
            query,
            params,
            parse_dates=parse_dates,
            parse_json=parse_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def asql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def asql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def asql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def asql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`sql`: runs on the facade's loop."""
        return await self._acall(
            _load_sql,
            query,
            params,
            parse_dates=parse_dates,
            parse_json=parse_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def table(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def table(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def table(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def table(
        self,
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
        """:func:`novelkit.load_table` on this database, with the same keywords."""
        return self._call(
            _load_table,
            name,
            columns,
            novel_id=novel_id,
            extra_columns=extra_columns,
            include_secrets=include_secrets,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def atable(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def atable(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def atable(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def atable(
        self,
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
        """Awaitable twin of :meth:`table`: runs on the facade's loop."""
        return await self._acall(
            _load_table,
            name,
            columns,
            novel_id=novel_id,
            extra_columns=extra_columns,
            include_secrets=include_secrets,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def usage(
        self,
        *,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def usage(
        self,
        *,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def usage(
        self,
        *,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def usage(
        self,
        *,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_usage` on this database, with the same keywords."""
        return self._call(
            _load_usage,
            fast=fast,
            to=to,
        )

    @overload
    async def ausage(
        self,
        *,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def ausage(
        self,
        *,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def ausage(
        self,
        *,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def ausage(
        self,
        *,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`usage`: runs on the facade's loop."""
        return await self._acall(
            _load_usage,
            fast=fast,
            to=to,
        )

    @overload
    def users(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def users(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def users(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def users(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.load_users` on this database, with the same keywords."""
        return self._call(
            _load_users,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def ausers(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def ausers(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def ausers(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def ausers(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`users`: runs on the facade's loop."""
        return await self._acall(
            _load_users,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def versions(
        self,
        novel_id: NovelIds = None,
        *,
        content: bool = False,
        metadata: bool = False,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def versions(
        self,
        novel_id: NovelIds = None,
        *,
        content: bool = False,
        metadata: bool = False,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def versions(
        self,
        novel_id: NovelIds = None,
        *,
        content: bool = False,
        metadata: bool = False,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def versions(
        self,
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
        """:func:`novelkit.load_versions` on this database, with the same keywords."""
        return self._call(
            _load_versions,
            novel_id,
            content=content,
            metadata=metadata,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    async def aversions(
        self,
        novel_id: NovelIds = None,
        *,
        content: bool = False,
        metadata: bool = False,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def aversions(
        self,
        novel_id: NovelIds = None,
        *,
        content: bool = False,
        metadata: bool = False,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def aversions(
        self,
        novel_id: NovelIds = None,
        *,
        content: bool = False,
        metadata: bool = False,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def aversions(
        self,
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
        """Awaitable twin of :meth:`versions`: runs on the facade's loop."""
        return await self._acall(
            _load_versions,
            novel_id,
            content=content,
            metadata=metadata,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    @overload
    def mentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def mentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def mentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def mentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.mentions` on this database, with the same keywords."""
        return self._call(
            _mentions,
            names,
            novel_id=novel_id,
            versions=versions,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    async def amentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def amentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def amentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def amentions(
        self,
        names: NameList | None = None,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`mentions`: runs on the facade's loop."""
        return await self._acall(
            _mentions,
            names,
            novel_id=novel_id,
            versions=versions,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    def search_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def search_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def search_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def search_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.search_text` on this database, with the same keywords."""
        return self._call(
            _search_text,
            pattern,
            novel_id=novel_id,
            versions=versions,
            regex=regex,
            ignore_case=ignore_case,
            context=context,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    async def asearch_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def asearch_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def asearch_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def asearch_text(
        self,
        pattern: str,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        regex: bool = False,
        ignore_case: bool = True,
        context: int = 20,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`search_text`: runs on the facade's loop."""
        return await self._acall(
            _search_text,
            pattern,
            novel_id=novel_id,
            versions=versions,
            regex=regex,
            ignore_case=ignore_case,
            context=context,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    def text_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    def text_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    def text_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    def text_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """:func:`novelkit.text_stats` on this database, with the same keywords."""
        return self._call(
            _text_stats,
            novel_id=novel_id,
            versions=versions,
            progress=progress,
            fast=fast,
            to=to,
        )

    @overload
    async def atext_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["pandas"] = "pandas",
    ) -> pd.DataFrame: ...

    @overload
    async def atext_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["polars"],
    ) -> pl.DataFrame: ...

    @overload
    async def atext_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Literal["arrow"],
    ) -> pa.Table: ...

    async def atext_stats(
        self,
        *,
        novel_id: NovelIds = None,
        versions: Versions = "selected",
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Frame:
        """Awaitable twin of :meth:`text_stats`: runs on the facade's loop."""
        return await self._acall(
            _text_stats,
            novel_id=novel_id,
            versions=versions,
            progress=progress,
            fast=fast,
            to=to,
        )


#: Method name -> the function it calls, for the docstrings and the tests.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cooccurrence": _cooccurrence,
    "activity": _load_activity,
    "admin_stats": _load_admin_stats,
    "chapters": _load_chapters,
    "characters": _load_characters,
    "conversations": _load_conversations,
    "evaluations": _load_evaluations,
    "foreshadowings": _load_foreshadowings,
    "novels": _load_novels,
    "outlines": _load_outlines,
    "relationships": _load_relationships,
    "sql": _load_sql,
    "table": _load_table,
    "usage": _load_usage,
    "users": _load_users,
    "versions": _load_versions,
    "mentions": _mentions,
    "search_text": _search_text,
    "text_stats": _text_stats,
}


def _document() -> None:
    """Give each method its function's whole docstring after its own first line."""
    for name, func in FUNCTIONS.items():
        for method in (getattr(LoaderMethods, name), getattr(LoaderMethods, "a" + name)):
            method.__doc__ = f"{method.__doc__}\n\n{inspect.cleandoc(func.__doc__ or '')}"


_document()
