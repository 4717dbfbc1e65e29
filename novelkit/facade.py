"""``novelkit.connect()``: every loader as a plain method, for notebook cells and scripts.

The facade owns its engine and, by default, an event loop in a daemon thread
(see :mod:`novelkit.runners`), so a cell calls ``db.novels()`` without thinking
about event loops, and pooled MySQL connections never cross loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from . import loaders
from .config import is_sqlite, sqlite_path
from .db import EchoLevel, create_engine, open_session, set_echo
from .demo import resolve_and_prepare
from .errors import ConfigurationError
from .pool import PoolCounters, PoolStatus, pool_counters, pool_status
from .redact import mask_url
from .runners import NestAsyncioRunner, ThreadRunner, make_runner
from .snapshot import snapshot_sqlite

__all__ = ["NovelDB", "connect"]

T = TypeVar("T")

log = logging.getLogger("novelkit.facade")


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
        snapshot.unlink(missing_ok=True)


class _StatementStopper:
    """Stop the statements a KeyboardInterrupt abandoned, outside the event loop.

    Cancelling a task does not stop a SQLite statement running in aiosqlite's
    thread (it would hold its read lock until it ends) nor a query on the MySQL
    server. The connections each task checked out are tracked through pool
    events; on an interrupt SQLite's are interrupted (``sqlite3.Connection.interrupt``
    is thread-safe) and MySQL's get ``KILL QUERY`` from a fresh connection.
    """

    def __init__(self, engine: AsyncEngine, loop: asyncio.AbstractEventLoop | None) -> None:
        self._engine = engine
        self._loop = loop
        self._active: dict[Any, tuple[asyncio.Task[Any] | None, Any]] = {}
        event.listen(engine.sync_engine, "checkout", self._checkout)
        event.listen(engine.sync_engine, "checkin", self._checkin)

    def _checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        self._active[record] = (task, dbapi_connection.driver_connection)

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._active.pop(record, None)

    def __call__(self, task: asyncio.Task[Any] | None) -> bool:
        """Stop the statements ``task`` runs; True if there were any."""
        if task is None:
            return False
        drivers = [drv for owner, drv in list(self._active.values()) if owner is task]
        if not drivers:
            return False
        if self._engine.dialect.name == "sqlite":
            stopped = False
            for driver in drivers:
                raw = getattr(driver, "_connection", None)  # aiosqlite's sqlite3.Connection
                if raw is not None:
                    with contextlib.suppress(sqlite3.ProgrammingError):  # closed meanwhile
                        raw.interrupt()
                        stopped = True
            return stopped
        thread_ids = [int(driver.thread_id()) for driver in drivers]
        try:
            if self._loop is not None:  # the thread runner's loop, in its own thread
                future = asyncio.run_coroutine_threadsafe(self._kill(thread_ids), self._loop)
                future.result(timeout=10)
            else:  # nest-asyncio: the task's loop is this thread's (patched) loop
                task.get_loop().run_until_complete(self._kill(thread_ids))
        except Exception as exc:  # noqa: BLE001 - best effort, the interrupt goes on
            log.warning("could not stop the interrupted MySQL query: %s", exc)
            return False
        return True

    async def _kill(self, thread_ids: list[int]) -> None:
        async with self._engine.connect() as conn:
            for thread_id in thread_ids:
                await conn.exec_driver_sql(f"KILL QUERY {thread_id}")


class NovelDB:
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
        self._generation: str | None = None
        self._lock = threading.Lock()
        self._stopper = _StatementStopper(
            engine, runner.loop if isinstance(runner, ThreadRunner) else None
        )
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
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return not self._finalizer.alive

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.closed:
            coro.close()
            raise ConfigurationError("This NovelDB is closed; call novelkit.connect() again.")
        return self._runner.run(coro, on_interrupt=self._stopper)

    async def _arun(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.closed:
            coro.close()
            raise ConfigurationError("This NovelDB is closed; call novelkit.connect() again.")
        return await self._runner.run_async(coro)

    async def _load(self, loader: Callable[..., Coroutine[Any, Any, T]], *a: Any, **kw: Any) -> T:
        async with open_session(self._engine) as session:
            return await loader(session, *a, **kw)

    def close(self) -> None:
        """Dispose the engine (awaited on its loop), stop the loop, remove any snapshot."""
        self._finalizer()

    def __enter__(self) -> NovelDB:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        generation = self._generation or "?"
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
            f"{html.escape(self._generation or 'generation not read yet')}, "
            f"runner {html.escape(self.runner)})"
        )

    # -- database facts -------------------------------------------------------

    def inspect(self, *, refresh: bool = False) -> Any:
        """The :class:`~novelkit.DatabaseInfo` of this database (cached)."""
        from .schema.inspect import inspect_database

        info = self._run(inspect_database(self._engine, refresh=refresh))
        self._generation = info.generation
        return info

    async def ainspect(self, *, refresh: bool = False) -> Any:
        """Awaitable twin of :meth:`inspect`."""
        from .schema.inspect import inspect_database

        info = await self._arun(inspect_database(self._engine, refresh=refresh))
        self._generation = info.generation
        return info

    def pool_status(self) -> PoolStatus:
        """The engine's pool figures (see :func:`novelkit.pool_status`)."""
        return pool_status(self._engine)

    def pool_counters(self) -> PoolCounters:
        """Connects, checkouts, checkins and invalidations since the facade opened."""
        return pool_counters(self._engine)

    @contextlib.contextmanager
    def echo(self, level: EchoLevel = True) -> Iterator[None]:
        """Log the SQL of calls made inside the block, then restore the previous level."""
        previous = self._engine.sync_engine.echo
        set_echo(self._engine, level)
        try:
            yield
        finally:
            self._engine.sync_engine.echo = previous

    # -- streaming ------------------------------------------------------------

    def iter_frames(self, table: str, **kwargs: Any) -> Iterator[pd.DataFrame]:
        """Synchronous twin of :func:`novelkit.iter_frames`: chunks one at a time."""
        stream = self._stream(table, kwargs)
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
        self, table: str, kwargs: dict[str, Any]
    ) -> AsyncGenerator[pd.DataFrame, None]:
        async with open_session(self._engine) as session:
            async for frame in loaders.iter_frames(session, table, **kwargs):
                yield frame


async def _anext(stream: AsyncIterator[T]) -> T:
    return await stream.__anext__()


def _add_loader_methods() -> None:
    """Give NovelDB one sync method and one awaitable twin per loader."""
    for public in loaders.__all__:
        if not public.startswith("load_"):
            continue
        loader = getattr(loaders, public)
        name = public.removeprefix("load_")

        def sync_method(self: NovelDB, *args: Any, _loader: Any = loader, **kw: Any) -> Any:
            return self._run(self._load(_loader, *args, **kw))

        async def async_method(self: NovelDB, *args: Any, _loader: Any = loader, **kw: Any) -> Any:
            return await self._arun(self._load(_loader, *args, **kw))

        for method, method_name in ((sync_method, name), (async_method, "a" + name)):
            method.__name__ = method.__qualname__ = method_name
            method.__doc__ = (
                f"{'Awaitable twin of' if method_name.startswith('a') else 'Synchronous'} "
                f":func:`novelkit.{public}` on this database (same keywords).\n\n"
                + (loader.__doc__ or "")
            )
            setattr(NovelDB, method_name, method)


_add_loader_methods()


def connect(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    read_only: bool = True,
    snapshot: bool = False,
    echo: EchoLevel = False,
    runner: str = "thread",
    statement_timeout: float | None = None,
    **engine_options: Any,
) -> NovelDB:
    """Open an Arboris database for plain (synchronous) notebook cells and scripts.

    Parameters
    ----------
    url, env_file
        As :func:`novelkit.resolve_url`; with neither (and no environment
        setting) the embedded demo database is used, built on first use.
    read_only
        Default True (see :func:`novelkit.create_engine`).
    snapshot
        SQLite: read from a consistent copy taken in one step with the backup
        API into a temporary file, removed on close.
    echo
        Log SQL (``True``) or SQL and rows (``"debug"``).
    runner
        ``"thread"`` (default): a private event loop in a daemon thread. Or
        ``"nest-asyncio"``: the caller's loop, patched re-entrant on first use.
    statement_timeout
        Seconds after which a statement is stopped with ``QueryTimeoutError``.
    **engine_options
        Passed to :func:`novelkit.create_engine`.

    Examples
    --------
    >>> import novelkit
    >>> with novelkit.connect() as db:          # doctest: +SKIP
    ...     novels = db.novels()
    ...     outline = db.outlines(novel_id=novels.project_id[0])
    """
    resolved = resolve_and_prepare(url, env_file=env_file)
    if snapshot and not is_sqlite(resolved):
        raise ConfigurationError(
            "snapshot=True works only for SQLite files; on MySQL use a read-only account "
            "(or mysqldump) instead."
        )
    chosen = make_runner(runner)  # a bad runner name fails before any copy is made
    copy: Path | None = None
    try:
        if snapshot:
            path = sqlite_path(resolved)
            if path is None:
                raise ConfigurationError(
                    "snapshot=True needs a SQLite file, not an in-memory database."
                )
            copy = snapshot_sqlite(path)
            target: str | URL = str(copy)
        else:
            target = resolved
        if not chosen.uses_pool and not is_sqlite(resolved):
            engine_options.setdefault("poolclass", NullPool)
        if statement_timeout is not None:
            engine_options["statement_timeout"] = statement_timeout
        engine = create_engine(target, read_only=read_only, echo=echo, **engine_options)
    except BaseException:
        # Clean up, then let the error through unchanged.
        chosen.close()
        if copy is not None:
            copy.unlink(missing_ok=True)
        raise
    return NovelDB(engine, chosen, url=resolved, snapshot=copy)
