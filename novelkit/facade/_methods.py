"""The loader methods of :class:`~novelkit.NovelDB`. GENERATED: do not edit.

Written by ``python -m novelkit.facade._generate`` from the loaders' signatures;
``tests/test_facade_methods.py`` checks that it is up to date. Each method's
full docstring is its loader's, appended at import (see :func:`_document`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

import pandas as pd

from .. import loaders
from ..loaders import NovelIds

__all__ = ["LoaderMethods"]

T = TypeVar("T")


class LoaderMethods:
    """Every loader as a method of the facade (``db.chapters()``, ``await db.achapters()``)."""

    def _call(self, loader: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError

    async def _acall(
        self, loader: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any
    ) -> T:
        raise NotImplementedError

    def activity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_activity` on this database, with the same keywords."""
        return self._call(
            loaders.load_activity,
            novel_id,
            server_timezone=server_timezone,
        )

    async def aactivity(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`activity`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_activity,
            novel_id,
            server_timezone=server_timezone,
        )

    def admin_stats(
        self,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_admin_stats` on this database, with the same keywords."""
        return self._call(
            loaders.load_admin_stats,
        )

    async def aadmin_stats(
        self,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`admin_stats`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_admin_stats,
        )

    def chapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_chapters` on this database, with the same keywords."""
        return self._call(
            loaders.load_chapters,
            novel_id,
            dedupe=dedupe,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    async def achapters(
        self,
        novel_id: NovelIds = None,
        *,
        dedupe: bool = False,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`chapters`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_chapters,
            novel_id,
            dedupe=dedupe,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    def characters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_characters` on this database, with the same keywords."""
        return self._call(
            loaders.load_characters,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
        )

    async def acharacters(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`characters`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_characters,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
        )

    def conversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_conversations` on this database, with the same keywords."""
        return self._call(
            loaders.load_conversations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    async def aconversations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`conversations`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_conversations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    def evaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_evaluations` on this database, with the same keywords."""
        return self._call(
            loaders.load_evaluations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    async def aevaluations(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`evaluations`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_evaluations,
            novel_id,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    def foreshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_foreshadowings` on this database, with the same keywords."""
        return self._call(
            loaders.load_foreshadowings,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            server_timezone=server_timezone,
        )

    async def aforeshadowings(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`foreshadowings`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_foreshadowings,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            server_timezone=server_timezone,
        )

    def novels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_novels` on this database, with the same keywords."""
        return self._call(
            loaders.load_novels,
            novel_id,
            server_timezone=server_timezone,
        )

    async def anovels(
        self,
        novel_id: NovelIds = None,
        *,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`novels`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_novels,
            novel_id,
            server_timezone=server_timezone,
        )

    def outlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_outlines` on this database, with the same keywords."""
        return self._call(
            loaders.load_outlines,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
        )

    async def aoutlines(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
        parse_json: bool = True,
        flatten_json: bool = False,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`outlines`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_outlines,
            novel_id,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
        )

    def relationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_relationships` on this database, with the same keywords."""
        return self._call(
            loaders.load_relationships,
            novel_id,
            extra_columns=extra_columns,
        )

    async def arelationships(
        self,
        novel_id: NovelIds = None,
        *,
        extra_columns: bool = True,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`relationships`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_relationships,
            novel_id,
            extra_columns=extra_columns,
        )

    def table(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_table` on this database, with the same keywords."""
        return self._call(
            loaders.load_table,
            name,
            columns,
            novel_id=novel_id,
            extra_columns=extra_columns,
            include_secrets=include_secrets,
            server_timezone=server_timezone,
        )

    async def atable(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        *,
        novel_id: NovelIds = None,
        extra_columns: bool = True,
        include_secrets: bool = False,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`table`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_table,
            name,
            columns,
            novel_id=novel_id,
            extra_columns=extra_columns,
            include_secrets=include_secrets,
            server_timezone=server_timezone,
        )

    def usage(
        self,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_usage` on this database, with the same keywords."""
        return self._call(
            loaders.load_usage,
        )

    async def ausage(
        self,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`usage`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_usage,
        )

    def users(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """:func:`novelkit.load_users` on this database, with the same keywords."""
        return self._call(
            loaders.load_users,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

    async def ausers(
        self,
        *,
        extra_columns: bool = True,
        server_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`users`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_users,
            extra_columns=extra_columns,
            server_timezone=server_timezone,
        )

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
    ) -> pd.DataFrame:
        """:func:`novelkit.load_versions` on this database, with the same keywords."""
        return self._call(
            loaders.load_versions,
            novel_id,
            content=content,
            metadata=metadata,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
        )

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
    ) -> pd.DataFrame:
        """Awaitable twin of :meth:`versions`: runs on the facade's loop."""
        return await self._acall(
            loaders.load_versions,
            novel_id,
            content=content,
            metadata=metadata,
            extra_columns=extra_columns,
            parse_json=parse_json,
            flatten_json=flatten_json,
            server_timezone=server_timezone,
        )


#: Method name -> the loader it calls, for the docstrings and the tests.
LOADERS: dict[str, Callable[..., Any]] = {
    "activity": loaders.load_activity,
    "admin_stats": loaders.load_admin_stats,
    "chapters": loaders.load_chapters,
    "characters": loaders.load_characters,
    "conversations": loaders.load_conversations,
    "evaluations": loaders.load_evaluations,
    "foreshadowings": loaders.load_foreshadowings,
    "novels": loaders.load_novels,
    "outlines": loaders.load_outlines,
    "relationships": loaders.load_relationships,
    "table": loaders.load_table,
    "usage": loaders.load_usage,
    "users": loaders.load_users,
    "versions": loaders.load_versions,
}


def _document() -> None:
    """Give each method its loader's whole docstring after its own first line."""
    for name, loader in LOADERS.items():
        for method in (getattr(LoaderMethods, name), getattr(LoaderMethods, "a" + name)):
            method.__doc__ = f"{method.__doc__}\n\n{inspect.cleandoc(loader.__doc__ or '')}"


_document()
