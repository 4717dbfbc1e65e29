"""How synchronous calls reach async code: a private loop thread, or nest-asyncio.

:class:`ThreadRunner` (the default) owns an event loop in a daemon thread; each
call submits its coroutine there and waits. It works the same in a script,
inside a running loop (a Jupyter cell), from worker threads and after other
loops have closed, and patches nothing. :class:`NestAsyncioRunner` runs calls on
the caller's loop through nest-asyncio, applied lazily on the first call made
inside a running loop; it patches asyncio for the whole process.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from .errors import ConfigurationError

__all__ = ["NestAsyncioRunner", "ThreadRunner", "make_runner"]

T = TypeVar("T")


class ThreadRunner:
    """An event loop of its own in a daemon thread; every call is submitted there."""

    name = "thread"
    uses_pool = True

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="novelkit-loop", daemon=True
        )
        self._thread.start()
        self._closed = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The private loop (running in the runner's thread)."""
        return self._loop

    def _check_open(self, coro: Coroutine[Any, Any, Any]) -> None:
        if self._closed:
            coro.close()
            raise ConfigurationError("This novelkit connection is closed; call connect() again.")
        if threading.current_thread() is self._thread:
            coro.close()
            raise ConfigurationError(
                "A synchronous novelkit call was made from novelkit's own loop; await the "
                "a-prefixed twin (e.g. await db.anovels()) instead."
            )

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the private loop and wait; Ctrl-C cancels it there."""
        self._check_open(coro)
        finished = threading.Event()

        async def tracked() -> T:
            try:
                return await coro
            finally:
                finished.set()

        future = asyncio.run_coroutine_threadsafe(tracked(), self._loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            # The interrupt button of a notebook: cancel the work on our loop too,
            # and wait until its clean-up ran, so the connection is returned.
            future.cancel()
            finished.wait(timeout=10)
            raise

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` from another loop: it runs on ours, the result comes back."""
        self._check_open(coro)
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()
            raise

    def close(self) -> None:
        """Stop the loop and join its thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()


class NestAsyncioRunner:
    """Run calls on the caller's own loop, re-entrantly, through nest-asyncio.

    Without a running loop it uses a loop of its own. Pooled connections are
    not used (each call may run on another loop), so MySQL engines get NullPool.
    """

    name = "nest-asyncio"
    uses_pool = False

    def __init__(self) -> None:
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @staticmethod
    def _patch(loop: asyncio.AbstractEventLoop) -> None:
        if getattr(loop, "_nest_patched", False):
            return
        import nest_asyncio

        try:
            nest_asyncio.apply(loop)
        except ValueError as exc:
            raise ConfigurationError(
                f"nest-asyncio cannot patch this event loop ({type(loop).__name__}; uvloop "
                "is not supported). Use the default runner: connect(runner='thread')."
            ) from exc

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion on the running loop (patched) or on our own."""
        if self._closed:
            coro.close()
            raise ConfigurationError("This novelkit connection is closed; call connect() again.")
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            try:
                self._patch(running)
            except ConfigurationError:
                coro.close()
                raise
            return running.run_until_complete(coro)
        if self._own_loop is None or self._own_loop.is_closed():
            self._own_loop = asyncio.new_event_loop()
        return self._own_loop.run_until_complete(coro)

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the caller's loop."""
        return await coro

    def close(self) -> None:
        """Close the private loop, if one was made."""
        self._closed = True
        if self._own_loop is not None and not self._own_loop.is_closed():
            self._own_loop.close()


def make_runner(name: str) -> ThreadRunner | NestAsyncioRunner:
    """The runner called ``name``: ``"thread"`` (default) or ``"nest-asyncio"``."""
    if name == "thread":
        return ThreadRunner()
    if name in {"nest-asyncio", "nest_asyncio"}:
        return NestAsyncioRunner()
    raise ConfigurationError(f"runner={name!r} is not known; use 'thread' or 'nest-asyncio'.")
