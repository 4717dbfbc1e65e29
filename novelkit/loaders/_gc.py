"""Pausing Python's cyclic garbage collector while a loader builds acyclic objects.

Parsing a JSON column makes a few containers (dicts, lists) per row. Hundreds of
thousands of new containers that all survive set off full collections, each of
which walks every object the process holds: about 0.13 s per 244,000 outlines in
the benchmark, more in a notebook kernel full of objects. Those containers
cannot form reference cycles (orjson builds trees), so collecting during the
parse finds nothing; the pause only skips useless work.

The collector's switch is process-wide, so overlapping pauses (the facade's loop
thread and a caller's own loop) share one count: the collector is switched back
on when the last pause ends, and only if it was on when the first one began. (A
``gc.disable()`` another thread makes during a pause is therefore undone when the
pause ends; nothing can tell it apart from the pause's own.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


class _PauseCount:
    """How many pauses are open, and whether the first one found the collector on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False


_pauses = _PauseCount()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Switch the cyclic collector off for the block (reference counting still frees)."""
    # Counted before switching off, so that whatever stops this block after the
    # count (a KeyboardInterrupt in the main thread) still runs the finally.
    try:
        with _pauses.lock:
            if _pauses.depth == 0:
                _pauses.was_enabled = gc.isenabled()
            _pauses.depth += 1
            gc.disable()
        yield
    finally:
        with _pauses.lock:
            _pauses.depth -= 1
            if _pauses.depth == 0 and _pauses.was_enabled:
                gc.enable()
