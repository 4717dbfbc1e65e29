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
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar, cast

from ..errors import ConfigurationError

__all__ = [
    "InterruptHook",
    "LoopRunner",
    "NestAsyncioRunner",
    "RunnerName",
    "ThreadRunner",
    "make_runner",
]

#: The runners :func:`novelkit.connect` knows.
RunnerName = Literal["thread", "nest-asyncio"]

T = TypeVar("T")

#: Runs a coroutine on the runner's loop and waits for it, from the caller's thread.
LoopRunner = Callable[[Coroutine[Any, Any, None]], None]
#: Called from the waiting thread when a KeyboardInterrupt abandons a call (after the
#: task was cancelled), with the task that ran it (None if it had not started) and a
#: way to run a coroutine on the task's loop: stops its statements in the database
#: and says whether it held any.
InterruptHook = Callable[["asyncio.Task[Any] | None", LoopRunner], bool]

#: How long an interrupt waits for the loop to send a stop (e.g. MySQL's KILL QUERY).
_STOP_TIMEOUT = 10
#: How long an interrupt waits for the cancelled call's clean-up.
_CLEANUP_TIMEOUT = 10


#: Seconds between two looks at a running call's future (see _wait_interruptibly).
_POLL_SECONDS = 0.2


def _wait_interruptibly(future: concurrent.futures.Future[T]) -> T:
    """``future.result()``, in waits short enough for a Ctrl-C to end it at once.

    polars, which ADBC's driver manager imports, installs its own SIGINT handler,
    after which a wait without a timeout is resumed after the signal: the
    KeyboardInterrupt came only when the call ended (a 15 s statement timeout, or
    the whole load). A timed wait returns, and Python runs the signal handler.
    """
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except TimeoutError:
            if future.done():
                # Its own TimeoutError, or it ended just after the wait timed out.
                return future.result()


class _HandedOver:
    """A call handed from the caller's thread to the runner's loop.

    The task is created on the loop's thread, and whether it has been created and
    whether the caller has abandoned the call (a KeyboardInterrupt, which may land
    at any point of the hand-over) are settled under one lock: an interrupt either
    finds the task, to cancel it and wait for its clean-up, or keeps the call from
    ever starting. (With ``asyncio.run_coroutine_threadsafe`` an interrupt inside
    the hand-over left a queued task running with no one to cancel it.)
    """

    def __init__(self, coro: Coroutine[Any, Any, Any], loop: asyncio.AbstractEventLoop) -> None:
        self._coro = coro
        self._loop = loop
        self._lock = threading.Lock()
        self._task: asyncio.Task[Any] | None = None
        self._abandoned = False
        #: The call's outcome, for the caller's thread.
        self.future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        #: Set once the started call has ended, its clean-up included.
        self.finished = threading.Event()

    def hand_over(self) -> None:
        self._loop.call_soon_threadsafe(self._start)

    def _start(self) -> None:
        with self._lock:
            if self._abandoned:
                return  # its coroutine was closed by abandon()
            self._task = self._loop.create_task(self._coro)
        self._task.add_done_callback(self._settle)

    def _settle(self, task: asyncio.Task[Any]) -> None:
        self.finished.set()
        if task.cancelled():
            self.future.cancel()
        elif (error := task.exception()) is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(task.result())

    def abandon(self) -> asyncio.Task[Any] | None:
        """The caller gives up: the task if it was created (to be cancelled), else None,
        and then it never will be (its coroutine is closed unstarted)."""
        with self._lock:
            self._abandoned = True
            if self._task is None:
                self._coro.close()
            return self._task


class ThreadRunner:
    """An event loop of its own in a daemon thread; every call is submitted there."""

    name = "thread"
    uses_pool = True

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="novelkit-loop", daemon=True)
        self._closed = False
        self._thread.start()

    def _main(self) -> None:
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The private loop (running in the runner's thread)."""
        return self._loop

    @property
    def thread(self) -> threading.Thread:
        """The daemon thread that runs the loop."""
        return self._thread

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

    def run(self, coro: Coroutine[Any, Any, T], *, on_interrupt: InterruptHook | None = None) -> T:
        """Run ``coro`` on the private loop and wait; Ctrl-C cancels it there.

        ``on_interrupt`` is called on a KeyboardInterrupt, before the wait for the
        task's clean-up, to stop what the task left running outside the loop (a
        SQLite statement in aiosqlite's thread, a query on the MySQL server).
        """
        self._check_open(coro)
        call = _HandedOver(coro, self._loop)
        try:
            call.hand_over()
            return cast(T, _wait_interruptibly(call.future))
        except KeyboardInterrupt:
            # The interrupt button of a notebook: cancel the task on our loop (its
            # Python work stops at its next await: loaders yield between chunks),
            # stop in the database what it was running (a statement runs outside the
            # loop, in aiosqlite's thread or on the MySQL server), and wait for its
            # clean-up, which SQLAlchemy runs to completion, so the connection is back.
            # A call interrupted before its task was created never starts.
            task = call.abandon()
            if task is not None:
                self._loop.call_soon_threadsafe(task.cancel)
            if on_interrupt is not None:
                on_interrupt(task, self._run_on_loop)
            if task is not None:
                call.finished.wait(timeout=_CLEANUP_TIMEOUT)
            raise

    def _run_on_loop(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=_STOP_TIMEOUT)

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
        """Stop the loop and join its thread (idempotent); the thread closes the loop.

        Called on the loop's own thread (a facade garbage-collected there), it
        only asks the loop to stop after the current callback.
        """
        if self._closed:
            return
        self._closed = True
        if threading.current_thread() is self._thread:
            self._loop.stop()
            return
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


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

    def run(self, coro: Coroutine[Any, Any, T], *, on_interrupt: InterruptHook | None = None) -> T:
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
            loop = running
        else:
            if self._own_loop is None or self._own_loop.is_closed():
                self._own_loop = asyncio.new_event_loop()
            loop = self._own_loop
        task = asyncio.ensure_future(coro, loop=loop)
        try:
            return loop.run_until_complete(task)
        except KeyboardInterrupt:
            # Left pending, the task would resume with the loop's next run: cancel it,
            # stop its statement in the database, and let its clean-up run. Its outcome
            # does not matter (the interrupt wins): wait() returns it without raising.
            task.cancel()
            if on_interrupt is not None:
                on_interrupt(task, loop.run_until_complete)
            loop.run_until_complete(asyncio.wait({task}))
            if not task.cancelled():
                task.exception()  # retrieved, so asyncio does not log it as lost
            raise

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the caller's loop."""
        return await coro

    def close(self) -> None:
        """Close the private loop, if one was made."""
        self._closed = True
        if self._own_loop is not None and not self._own_loop.is_closed():
            self._own_loop.close()


def make_runner(name: RunnerName | str) -> ThreadRunner | NestAsyncioRunner:
    """The runner called ``name``: ``"thread"`` (default) or ``"nest-asyncio"``."""
    if name == "thread":
        return ThreadRunner()
    if name in {"nest-asyncio", "nest_asyncio"}:
        return NestAsyncioRunner()
    raise ConfigurationError(f"runner={name!r} is not known; use 'thread' or 'nest-asyncio'.")
