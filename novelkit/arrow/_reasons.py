"""Why the Arrow path cannot serve a call on a connection, or None when it can.

The engine's settings (made by novelkit, read-only, TLS, socket), the reader
installed, and on SQLite the file (in memory, WAL mode, a read-write engine of
this process on it): the conditions listed in :mod:`._choice`, each with the
message that ``fast=True`` raises and the debug log gives. Kept apart from
:mod:`._choice`, which weighs the statements and runs the readers, as the one
place that says where the Arrow path is safe and gives the same frame.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from ..db._facts import engine_facts, writable_engines
from ..db._settings import sqlite_path

__all__ = ["fast_installed"]

_MODULES = {"sqlite": "adbc_driver_sqlite", "mysql": "connectorx"}
_EXTRA_HINT = "install it with: pip install 'novelkit[fast]'"


def fast_installed(backend: str) -> bool:
    """Whether the Arrow reader for ``backend`` (``sqlite`` or ``mysql``) is installed."""
    module = _MODULES.get(backend)
    return module is not None and importlib.util.find_spec(module) is not None


def _written_here(path: Path) -> bool:
    """Whether a live read-write novelkit engine in this process opens ``path``."""
    target = path.resolve()
    for engine in writable_engines():
        other = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
        if other is not None and other.resolve() == target:
            return True
    return False


def _why_not(
    conn: AsyncConnection,
    *,
    user_sql: bool,
    has_params: bool,
    caller_in_transaction: bool,
    journal_mode: str | None,
) -> str | None:
    """Why the Arrow path cannot serve a call on ``conn`` (None: it can)."""
    engine = conn.engine
    facts = engine_facts(engine)
    backend = conn.dialect.name
    if facts is None:
        return "the engine was not made by novelkit.create_engine, so its settings are unknown"
    if backend not in _MODULES:
        return f"there is no Arrow reader for {backend}"
    if not fast_installed(backend):
        return f"the Arrow reader for {backend} ({_MODULES[backend]}) is not installed; " + (
            _EXTRA_HINT
        )
    if not facts.read_only and caller_in_transaction:
        return (
            "the call runs in a transaction on a read-write engine, whose uncommitted "
            "changes only the async driver's connection sees"
        )
    if backend == "sqlite":
        path = sqlite_path(engine.url)
        if path is None:
            return "the database is in memory, where no other reader can open it"
        if not facts.snapshot and journal_mode == "wal":
            return (
                "the file is in WAL mode, whose shared-memory locks the ADBC driver's own "
                "copy of SQLite would release for this process's other connections when it "
                "closes (POSIX locks belong to the process); read a snapshot "
                "(connect(snapshot=True)) for the Arrow path"
            )
        if not facts.read_only or _written_here(path):
            return (
                "a read-write engine on this file is open in this process: the ADBC driver "
                "carries its own copy of SQLite, and closing its file would release that "
                "engine's locks (POSIX locks belong to the process)"
            )
        if user_sql:
            return (
                "a query of yours on SQLite could compute for long before its first row, "
                "where the ADBC driver cannot stop it (timeouts, the interrupt button)"
            )
        return None
    if facts.tls:
        return "the engine uses TLS, which connectorx cannot verify as the engine does"
    if not engine.url.host or "unix_socket" in engine.url.query:
        return "the engine connects through a unix socket, which connectorx does not"
    if has_params:
        return "the query has bound parameters, which connectorx cannot take"
    return None
