"""How a command runs its coroutine, and what Ctrl-C leaves behind it.

Ctrl-C cancels the command's task; its cleanup runs (sessions closed, the engine
disposed) and the loop closes. An aiosqlite operation the interrupt cut off from
its caller may still be running in that connection's worker thread: a connection
being opened, which SQLAlchemy never got and so cannot close. When it ends, the
thread hands its result to the closed loop, fails with "Event loop is closed", and
Python printed that as a traceback under the CLI's one-line "Aborted!". The thread
ends either way (that failure is what lets the process exit: a worker left waiting
for work would keep it alive); only its traceback is dropped.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["run_command"]

T = TypeVar("T")

_AIOSQLITE_WORKER_MODULE = "aiosqlite.core"


def run_command(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``; after Ctrl-C, orphaned SQLite worker threads end quietly."""
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        _quiet_orphaned_sqlite_workers()
        raise


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
