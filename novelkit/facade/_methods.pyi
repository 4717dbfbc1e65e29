"""Typed declarations of :class:`~novelkit.NovelDB`'s data methods. GENERATED.

Written by ``python -m novelkit.facade._generate`` from the signatures of
novelkit's async functions; ``tests/test_facade_methods.py`` checks that it is
up to date. At run time the methods come from ``_twins.py``.
"""

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

import pandas as pd
import polars as pl
import pyarrow as pa

from ..loaders._query import NovelIds
from ..sql._prepare import Query
from ..text._cast import NameList, Window
from ..text._pages import Versions

__all__ = ["LoaderMethods"]

_T = TypeVar("_T")

class LoaderMethods:
    """novelkit's async functions as methods (``db.chapters()``, ``await db.achapters()``)."""

    def _call(self, func: Callable[..., Coroutine[Any, Any, _T]], /, *a: Any, **kw: Any) -> _T: ...
    async def _acall(
        self, func: Callable[..., Coroutine[Any, Any, _T]], /, *a: Any, **kw: Any
    ) -> _T: ...
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
