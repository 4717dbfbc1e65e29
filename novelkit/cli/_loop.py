"""How a command runs its coroutine, and what Ctrl-C leaves behind it.

Ctrl-C cancels the command's task; its cleanup runs (sessions closed, the engine
disposed) and the loop closes. An aiosqlite operation the interrupt cut off from
its caller may still be running in that connection's worker thread: a connection
being opened, which SQLAlchemy never got and so cannot close. When it ends, the
thread hands its result to the closed loop, fails with "Event loop is closed", and
Python printed that as a traceback under the CLI's one-line "Aborted!". The thread
ends either way (that failure is what lets the process exit: a worker left waiting
for work would keep it alive); only its traceback is dropped.

What the interrupt left running is cancelled and given :data:`CLEANUP_SECONDS` to end;
then the loop's own close cancels what is still there once more. One cancel is not
always enough: SQLAlchemy ends an invalidated aiosqlite connection with a graceful close
in a task of its own, then stops the worker thread; that close, cancelled while it
waits, waits again for the stopped thread, forever (``novelkit sql`` or ``demo`` hung
after Ctrl-C, the loop waiting for that task).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["run_command"]

T = TypeVar("T")

#: How long the tasks an interrupt left running get to end before they are cancelled again.
CLEANUP_SECONDS = 10.0

_AIOSQLITE_WORKER_MODULE = "aiosqlite.core"


def run_command(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``; after Ctrl-C, what it left running ends, orphaned SQLite
    worker threads quietly."""
    with asyncio.Runner() as runner:
        try:
            return runner.run(coro)
        except KeyboardInterrupt:
            _quiet_orphaned_sqlite_workers()
            _cancel_leftovers(runner.get_loop())
            raise


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks still running and wait for them, at most :data:`CLEANUP_SECONDS`;
    the runner's close cancels those still pending again."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.wait(tasks, timeout=CLEANUP_SECONDS))


def _quiet_orphaned_sqlite_workers() -> None:
    shown = threading.excepthook
    if getattr(shown, "novelkit_quiets_sqlite_workers", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if not _is_orphaned_sqlite_worker(args.exc_value, args.exc_traceback):
            shown(args)

    hook.novelkit_quiets_sqlite_workers = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def _is_orphaned_sqlite_worker(
    error: BaseException | None, traceback: TracebackType | None
) -> bool:
    """An aiosqlite worker that failed to hand a result to a closed loop."""
    if not isinstance(error, RuntimeError) or str(error) != "Event loop is closed":
        return False
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__") == _AIOSQLITE_WORKER_MODULE:
            return True
        traceback = traceback.tb_next
    return False
