"""What an engine's connection pool is doing: status, counters and leak tracking.

These wrap what SQLAlchemy's pools already report (``size()``, ``checkedin()``,
``checkedout()``, ``overflow()``, ``status()``) into one record for every pool
class, and count pool events on ``engine.sync_engine``.
"""

from __future__ import annotations

import html
import logging
import os
import sysconfig
import threading
import traceback
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import greenlet
import pandas as pd
import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool, QueuePool, SingletonThreadPool

__all__ = [
    "LeakReport",
    "PoolCounters",
    "PoolStatus",
    "pool_counters",
    "pool_status",
    "track_leaks",
]

log = logging.getLogger("novelkit.pool")


def _sync(engine: AsyncEngine | Engine) -> Engine:
    return engine.sync_engine if isinstance(engine, AsyncEngine) else engine


@dataclass(frozen=True)
class PoolStatus:
    """A snapshot of one engine's pool; ``None`` where the pool class has no such figure."""

    pool_class: str
    backend: str
    size: int | None
    checked_in: int | None
    checked_out: int | None
    overflow: int | None
    max_overflow: int | None
    timeout: float | None
    recycle: int | None
    pre_ping: bool
    status: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """The figures as a two-column DataFrame (``figure``, ``value``)."""
        items = self.to_dict()
        return pd.DataFrame(
            {"figure": list(items), "value": [str(v) for v in items.values()]}
        ).astype("string")

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k}={v!r}" for k, v in self.to_dict().items() if k not in {"pool_class", "status"}
        )
        return f"PoolStatus[{self.pool_class}]({shown})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in self.to_dict().items()
        )
        return (
            f"<table><caption>Pool of a {html.escape(self.backend)} engine</caption>{rows}</table>"
        )


def pool_status(engine: AsyncEngine | Engine) -> PoolStatus:
    """Report ``engine``'s pool in one immutable record, for every pool class.

    ``NullPool`` and ``StaticPool`` only describe themselves through ``status()``;
    ``SingletonThreadPool`` has a plain ``size``. ``overflow`` is negative (minus the
    pool size) on a fresh or just-disposed ``QueuePool``, as SQLAlchemy reports it.

    Examples
    --------
    >>> status = pool_status(engine)          # doctest: +SKIP
    >>> status.pool_class, status.checked_out  # doctest: +SKIP
    ('AsyncAdaptedQueuePool', 0)
    """
    sync = _sync(engine)
    pool: Pool = sync.pool
    size = checked_in = checked_out = overflow = max_overflow = None
    timeout: float | None = None
    if isinstance(pool, QueuePool):
        size = pool.size()
        checked_in = pool.checkedin()
        checked_out = pool.checkedout()
        overflow = pool.overflow()
        max_overflow = pool._max_overflow
        timeout = pool.timeout()
    elif isinstance(pool, SingletonThreadPool):
        size = pool.size
    return PoolStatus(
        pool_class=type(pool).__name__,
        backend=sync.dialect.name,
        size=size,
        checked_in=checked_in,
        checked_out=checked_out,
        overflow=overflow,
        max_overflow=max_overflow,
        timeout=timeout,
        recycle=pool._recycle if pool._recycle >= 0 else None,
        pre_ping=bool(pool._pre_ping),
        status=pool.status(),
    )


@dataclass
class PoolCounters:
    """Pool events counted on one engine since counting started (live object)."""

    connects: int = 0
    checkouts: int = 0
    checkins: int = 0
    invalidations: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def _bump(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def to_dict(self) -> dict[str, int]:
        """The four counters as a plain dict."""
        return {
            "connects": self.connects,
            "checkouts": self.checkouts,
            "checkins": self.checkins,
            "invalidations": self.invalidations,
        }


# One counter per engine, created with the engine's listeners; weak so that a
# disposed and dropped engine takes its counters with it.
_counters: weakref.WeakKeyDictionary[Engine, PoolCounters] = weakref.WeakKeyDictionary()
_counters_lock = threading.Lock()


def pool_counters(engine: AsyncEngine | Engine) -> PoolCounters:
    """Connects, checkouts, checkins and invalidations seen by ``engine``'s pool.

    Engines made by :func:`novelkit.db.create_engine` count from their creation;
    for any other engine counting starts at the first call. The returned object
    is live: its figures keep moving.
    """
    sync = _sync(engine)
    with _counters_lock:
        counters = _counters.get(sync)
        if counters is None:
            counters = _counters[sync] = PoolCounters()
            event.listen(sync, "connect", lambda *_: counters._bump("connects"))
            event.listen(sync, "checkout", lambda *_: counters._bump("checkouts"))
            event.listen(sync, "checkin", lambda *_: counters._bump("checkins"))
            event.listen(sync, "invalidate", lambda *_: counters._bump("invalidations"))
            event.listen(sync, "soft_invalidate", lambda *_: counters._bump("invalidations"))
    return counters


@dataclass
class LeakReport:
    """Connections checked out inside a :func:`track_leaks` block and never returned."""

    leaked: int = 0
    where: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.leaked > 0


# Frames left out of leak reports: SQLAlchemy, greenlet and the standard library
# (asyncio, contextlib).
_INTERNAL_DIRS = tuple(
    str(Path(folder).resolve()) + os.sep
    for folder in (
        Path(sqlalchemy.__file__).parent,
        Path(greenlet.__file__).parent,
        sysconfig.get_paths()["stdlib"],
    )
)


def _caller_stack(limit: int = 12) -> str:
    """Where a connection was checked out, in the caller's code.

    On an async engine the checkout runs inside a greenlet whose own stack holds
    only SQLAlchemy's frames; the caller's frames are on the parent greenlet's
    stack, so both are joined. SQLAlchemy, asyncio and greenlet frames are left out.
    """
    frames = traceback.extract_stack()[:-2]
    parent = greenlet.getcurrent().parent
    if parent is not None and parent.gr_frame is not None:
        frames = traceback.extract_stack(parent.gr_frame) + frames
    own = [
        frame
        for frame in frames
        if not frame.filename.startswith(_INTERNAL_DIRS) and frame.filename != __file__
    ]
    return "".join(traceback.format_list((own or frames)[-limit:]))


@contextmanager
def track_leaks(engine: AsyncEngine | Engine, *, warn: bool = True) -> Iterator[LeakReport]:
    """Report connections checked out in the block and still out when it ends.

    Yields a :class:`LeakReport` that is filled in when the block exits; each leak
    keeps the stack where its connection was checked out. With ``warn=True`` a
    leak is also logged on the ``novelkit.pool`` logger.

    Examples
    --------
    >>> with track_leaks(engine) as report:  # doctest: +SKIP
    ...     conn = await engine.connect()
    >>> report.leaked  # doctest: +SKIP
    1
    """
    sync = _sync(engine)
    outstanding: dict[int, str] = {}
    lock = threading.Lock()

    # Keyed by connection record: the DBAPI connection is None at checkin
    # when the connection was invalidated meanwhile.
    def on_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        stack = _caller_stack()
        with lock:
            outstanding[id(record)] = stack

    def on_checkin(_dbapi_conn: Any, record: Any) -> None:
        with lock:
            outstanding.pop(id(record), None)

    report = LeakReport()
    event.listen(sync, "checkout", on_checkout)
    event.listen(sync, "checkin", on_checkin)
    try:
        yield report
    finally:
        event.remove(sync, "checkout", on_checkout)
        event.remove(sync, "checkin", on_checkin)
        with lock:
            report.leaked = len(outstanding)
            report.where = list(outstanding.values())
        if report.leaked and warn:
            log.warning(
                "%d connection(s) checked out in a track_leaks block were not returned; "
                "close sessions and connections (use 'async with').",
                report.leaked,
            )
