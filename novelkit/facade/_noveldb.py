"""``NovelDB``: every loader as a plain method, for notebook cells and scripts.

The facade owns its engine and, by default, an event loop in a daemon thread
(see :mod:`._runners`), so a cell calls ``db.novels()`` without thinking about
event loops, and pooled MySQL connections never cross loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import loaders
from .._redact import mask_url
from ..arrow._output import Frame, Output
from ..db import (
    EchoLevel,
    PoolCounters,
    PoolStatus,
    echo,
    open_session,
    pool_counters,
    pool_status,
)
from ..db._control import statement_control
from ..errors import ConfigurationError
from ..loaders._query import NovelIds
from ..schema.inspect import DatabaseInfo, inspect_database, known_generation
from ..sql._load import iter_sql
from ..sql._prepare import Query
from ..sql._tables import Tables, tables
from ._methods import LoaderMethods
from ._runners import LoopRunner, NestAsyncioRunner, ThreadRunner
from ._twins import stream_method

__all__ = ["NovelDB"]

T = TypeVar("T")

log = logging.getLogger("novelkit.facade")

#: Numbers the NovelDBs of a process in the order they were opened.
_opened = itertools.count(1)


def _shutdown(
    runner: ThreadRunner | NestAsyncioRunner, engine: AsyncEngine, snapshot: Path | None
) -> None:
    """Dispose the engine on the runner's loop, stop the runner, remove the snapshot."""
    if isinstance(runner, ThreadRunner):
        loop = runner.loop
        if threading.current_thread() is runner.thread:
            # Collected on its own loop (the last reference was an awaited twin's
            # coroutine): nothing can wait here, so dispose, then stop the loop.
            loop.create_task(engine.dispose()).add_done_callback(lambda _: runner.close())
        else:
            if loop.is_running():
                runner.run(engine.dispose())
            runner.close()
    else:
        runner.run(engine.dispose())
        runner.close()
    if snapshot is not None:
        # The copy of a WAL database is in WAL mode too, and SQLite's read-only
        # connections leave its -wal and -shm files behind when they close.
        for path in (snapshot, *(snapshot.with_name(snapshot.name + s) for s in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)


class NovelDB(LoaderMethods):
    """A connection to one Arboris database for synchronous code (see :func:`connect`).

    Every loader is a method without its ``load_`` prefix and with the same
    keywords (``db.novels()``, ``db.outlines(novel_id=...)``); each has an
    awaitable twin with an ``a`` prefix (``await db.anovels()``) that runs on the
    facade's loop and hands the result back.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        runner: ThreadRunner | NestAsyncioRunner,
        *,
        url: URL,
        snapshot: Path | None = None,
    ) -> None:
        self._engine = engine
        self._runner = runner
        self._url = url
        self._snapshot = snapshot
        self._serial = next(_opened)
        self._finalizer = weakref.finalize(self, _shutdown, runner, engine, snapshot)

    # -- plumbing -------------------------------------------------------------

    @property
    def engine(self) -> AsyncEngine:
        """The facade's own async engine (it lives on the facade's loop)."""
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with its password masked."""
        return mask_url(self._url)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"mysql"``."""
        return self._engine.dialect.name

    @property
    def runner(self) -> str:
        """The runner's name: ``"thread"`` or ``"nest-asyncio"``."""
        return self._runner.name

    @property
    def serial(self) -> int:
        """Grows with each NovelDB opened in this process (``%nksql`` uses the newest)."""
        return self._serial

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return not self._finalizer.alive

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.closed:
            coro.close()
            raise ConfigurationError("This NovelDB is closed; call novelkit.connect() again.")
        return self._runner.run(coro, on_interrupt=self._stop_statements)

    def _stop_statements(self, task: asyncio.Task[Any] | None, run_on_loop: LoopRunner) -> bool:
        """The interrupt button: stop in the database what ``task`` was running."""
        control = statement_control(self._engine)
        if control is None:
            return False
        try:
            return control.stop_task(task, run_on_loop)
        except TimeoutError:
            log.warning("the interrupted statement could not be stopped in time")
            return False

    async def _arun(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.closed:
            coro.close()
            raise ConfigurationError("This NovelDB is closed; call novelkit.connect() again.")
        return await self._runner.run_async(coro)

    async def _load(self, loader: Callable[..., Coroutine[Any, Any, T]], *a: Any, **kw: Any) -> T:
        async with open_session(self._engine) as session:
            return await loader(session, *a, **kw)

    def _call(self, loader: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        return self._run(self._load(loader, *a, **kw))

    async def _acall(
        self, loader: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any
    ) -> T:
        return await self._arun(self._load(loader, *a, **kw))

    def close(self) -> None:
        """Dispose the engine (awaited on its loop), stop the loop, remove any snapshot."""
        self._finalizer()

    def __enter__(self) -> NovelDB:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # What earlier calls read (any loader on SQLite, db.tables, inspect): no I/O here.
        generation = known_generation(self._engine) or "?"
        state = ", closed" if self.closed else ""
        return (
            f"NovelDB(backend={self.backend!r}, generation={generation!r}, url={self.url!r}, "
            f"runner={self.runner!r}{state})"
        )

    def _repr_html_(self) -> str:
        import html

        return (
            "<b>novelkit.NovelDB</b> "
            f"<code>{html.escape(self.url)}</code> ({html.escape(self.backend)}, "
            f"{html.escape(known_generation(self._engine) or 'generation not read yet')}, "
            f"runner {html.escape(self.runner)})"
        )

    # -- database facts -------------------------------------------------------

    def inspect(self, *, refresh: bool = False) -> DatabaseInfo:
        """The :class:`~novelkit.DatabaseInfo` of this database, cached.

        ``refresh=True`` reads the database again and also forgets the schema the
        loaders reflected, so both see a table added or changed since.
        """
        return self._run(inspect_database(self._engine, refresh=refresh))

    async def ainspect(self, *, refresh: bool = False) -> DatabaseInfo:
        """Awaitable twin of :meth:`inspect`."""
        return await self._arun(inspect_database(self._engine, refresh=refresh))

    def pool_status(self) -> PoolStatus:
        """The engine's pool figures (see :func:`novelkit.pool_status`)."""
        return pool_status(self._engine)

    def pool_counters(self) -> PoolCounters:
        """Connects, checkouts, checkins and invalidations since the facade opened."""
        return pool_counters(self._engine)

    def echo(self, level: EchoLevel = True) -> contextlib.AbstractContextManager[None]:
        """Log the SQL of calls made inside the block, then restore the previous level."""
        return echo(self._engine, level)

    # -- streaming ------------------------------------------------------------

    @stream_method(loaders.iter_frames)
    def iter_frames(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        novel_id: NovelIds = None,
        chunksize: int = 10_000,
        content: bool = False,
        include_secrets: bool = False,
        progress: bool | None = None,
        server_timezone: str | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Iterator[Frame]:
        # (The docstring is iter_frames', given by the decorator.)
        return self._chunks(
            loaders.iter_frames,
            table,
            columns=columns,
            novel_id=novel_id,
            chunksize=chunksize,
            content=content,
            include_secrets=include_secrets,
            progress=progress,
            server_timezone=server_timezone,
            fast=fast,
            to=to,
        )

    def _chunks(
        self, stream_of: Callable[..., AsyncIterator[Frame]], *args: Any, **kwargs: Any
    ) -> Iterator[Frame]:
        """An async stream of frames, on a session of its own, one chunk per sync call."""
        stream = self._stream(stream_of, args, kwargs)
        try:
            while True:
                try:
                    yield self._run(_anext(stream))
                except StopAsyncIteration:
                    return
        finally:
            if not self.closed:
                self._run(stream.aclose())

    async def _stream(
        self,
        stream_of: Callable[..., AsyncIterator[Frame]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> AsyncGenerator[pd.DataFrame, None]:
        async with open_session(self._engine) as session:
            stream = stream_of(session, *args, **kwargs)
            try:
                async for frame in stream:
                    yield frame
            finally:
                # Closed now, before its session: leaving an async for does not close
                # the generator, and the session's rollback would then meet a MySQL
                # result still being streamed.
                await stream.aclose()  # type: ignore[attr-defined]

    # -- your own SQL -----------------------------------------------------------

    @stream_method(iter_sql)
    def iter_sql(
        self,
        query: Query,
        params: Mapping[str, Any] | None = None,
        *,
        chunksize: int = 10_000,
        parse_dates: Sequence[str] | None = None,
        parse_json: Sequence[str] | None = None,
        server_timezone: str | None = None,
        progress: bool | None = None,
        fast: bool | None = None,
        to: Output = "pandas",
    ) -> Iterator[Frame]:
        # (The docstring is iter_sql's, given by the decorator.)
        return self._chunks(
            iter_sql,
            query,
            params,
            chunksize=chunksize,
            parse_dates=parse_dates,
            parse_json=parse_json,
            server_timezone=server_timezone,
            progress=progress,
            fast=fast,
            to=to,
        )

    @property
    def tables(self) -> Tables:
        """The database's tables as SQLAlchemy ``Table`` objects (see :func:`novelkit.tables`).

        Compose queries from them and run them with :meth:`sql`; the repr lists
        every table with its columns, types, nullability and row count.

        Examples
        --------
        >>> from sqlalchemy import func, select
        >>> t = db.tables  # doctest: +SKIP
        >>> db.sql(select(t.chapters.c.status, func.count().label("n"))
        ...        .group_by(t.chapters.c.status))  # doctest: +SKIP
        """
        return self._run(self._load(tables))


async def _anext(stream: AsyncIterator[T]) -> T:
    return await stream.__anext__()
