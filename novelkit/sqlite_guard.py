"""sqlite3 connection classes that novelkit hands to aiosqlite through ``factory=``.

``mode=ro`` alone is not enough to keep a database untouched: ``ATTACH`` and
``VACUUM INTO`` create new files next to it, and ``PRAGMA query_only=0`` or a
journal-mode change would undo the session-level guard. :class:`ReadOnlyConnection`
closes those doors on every connection, before SQLAlchemy sees it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

__all__ = [
    "DEFAULT_BUSY_TIMEOUT_MS",
    "INSPECTOR_PRAGMAS",
    "ReadOnlyConnection",
    "ReadWriteConnection",
]

DEFAULT_BUSY_TIMEOUT_MS = 5000

# PRAGMAs that take an argument but only read: SQLAlchemy's inspector needs them.
INSPECTOR_PRAGMAS = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
)
# Per-connection settings that write nothing: SQLAlchemy sets read_uncommitted
# when it restores a connection's isolation level on checkin.
_CONNECTION_PRAGMAS = frozenset({"read_uncommitted", "busy_timeout"})


def _read_only_authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    # A PRAGMA with an argument sets something (query_only=0, journal_mode=wal),
    # except the schema-reading ones the inspector uses.
    if (
        action == sqlite3.SQLITE_PRAGMA
        and arg2 is not None
        and (arg1 or "").lower() not in INSPECTOR_PRAGMAS | _CONNECTION_PRAGMAS
    ):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class ReadWriteConnection(sqlite3.Connection):
    """A sqlite3 connection with a busy timeout; nothing persistent is changed."""

    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")


class ReadOnlyConnection(ReadWriteConnection):
    """A sqlite3 connection that cannot write to, attach or reconfigure any database.

    Sets ``query_only``, limits attached databases to zero and installs an
    authorizer that denies ``ATTACH``/``DETACH`` and any PRAGMA with an argument
    other than :data:`INSPECTOR_PRAGMAS`. The URI is opened with ``mode=ro`` too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA query_only = ON")
        self.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        self.set_authorizer(_read_only_authorizer)


def connection_class(*, read_only: bool, busy_timeout_ms: int) -> type[sqlite3.Connection]:
    """A connection class with the requested guard and busy timeout baked in."""
    base = ReadOnlyConnection if read_only else ReadWriteConnection
    if busy_timeout_ms == base.busy_timeout_ms:
        return base
    return type(base.__name__, (base,), {"busy_timeout_ms": int(busy_timeout_ms)})
