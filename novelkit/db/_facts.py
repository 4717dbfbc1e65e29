"""What novelkit knows about an engine it created: read-only or not, its limit, a snapshot.

Recorded once by :func:`novelkit.create_engine` (and by ``connect(snapshot=True)``
for the copy it reads), read by the code that runs users' SQL: whether to check
statements as read-only, and whether a SQLite file is the live one the app
writes to. Kept beside the engine (weakly keyed), never guessed from a path.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["EngineFacts", "engine_facts", "mark_snapshot", "record_facts", "writable_engines"]


@dataclass(frozen=True)
class EngineFacts:
    """How novelkit created an engine.

    Attributes
    ----------
    read_only
        The engine refuses writes (``create_engine(read_only=True)``, the default).
    statement_timeout
        The engine's ``statement_timeout`` in seconds, or None.
    snapshot
        The engine reads a private copy of a SQLite file (``connect(snapshot=True)``),
        not the file the app writes to.
    fast
        The default of the loaders' ``fast=`` on this engine (``create_engine(fast=)``):
        None takes the Arrow path where it can, False never, True always or fails.
    busy_timeout
        SQLite: seconds a connection waits for a lock (the Arrow path uses the same).
    tls
        MySQL: TLS was asked for (the Arrow path's reader cannot verify it, so it is
        not taken).
    """

    read_only: bool
    statement_timeout: float | None = None
    snapshot: bool = False
    fast: bool | None = None
    busy_timeout: float = 5.0
    tls: bool = False


_facts: weakref.WeakKeyDictionary[Engine, EngineFacts] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _sync(engine: AsyncEngine | Engine) -> Engine:
    return engine.sync_engine if isinstance(engine, AsyncEngine) else engine


def record_facts(engine: AsyncEngine | Engine, facts: EngineFacts) -> None:
    """Remember how ``engine`` was made (called by ``create_engine``)."""
    with _lock:
        _facts[_sync(engine)] = facts


def engine_facts(engine: AsyncEngine | Engine) -> EngineFacts | None:
    """How novelkit made ``engine``, or None for an engine novelkit did not create."""
    with _lock:
        return _facts.get(_sync(engine))


def mark_snapshot(engine: AsyncEngine | Engine) -> None:
    """Record that ``engine`` reads a snapshot copy (``connect(snapshot=True)``)."""
    with _lock:
        sync = _sync(engine)
        known = _facts.get(sync, EngineFacts(read_only=True))
        _facts[sync] = dataclasses.replace(known, snapshot=True)


def writable_engines() -> list[Engine]:
    """The engines novelkit made with ``read_only=False`` that are still alive."""
    with _lock:
        return [engine for engine, facts in _facts.items() if not facts.read_only]
