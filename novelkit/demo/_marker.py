"""The demo marker: how novelkit recognises a database it generated (the one home).

Two marks, both outside the Arboris schema's meaning:

- SQLite: ``PRAGMA application_id = 0x4E4B4954`` ("NKIT" in ASCII);
- both backends: a ``system_configs`` row with key :data:`DEMO_MARKER_KEY` whose
  value is the JSON ``{"generator_version", "scale", "seed", "generation"}``.
  The app ignores unknown keys.

:func:`read_demo_marker` reads it through an engine's connection (the schema
inspector, the MySQL build); :func:`read_sqlite_state` reads a file with plain
sqlite3 before any engine exists (the SQLite build, the embedded default).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import column, inspect, select, table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ..db._sqlite import sqlite_uri

__all__ = [
    "APPLICATION_ID",
    "DEMO_MARKER_KEY",
    "GENERATOR_VERSION",
    "MARKER_FIELDS",
    "FileState",
    "marker_value",
    "read_demo_marker",
    "read_sqlite_state",
]

#: ``PRAGMA application_id`` of a novelkit demo database ("NKIT").
APPLICATION_ID = 0x4E4B4954
#: The ``system_configs.key`` of the marker row.
DEMO_MARKER_KEY = "novelkit.demo"
#: The fields of the marker row's JSON value.
MARKER_FIELDS = ("generator_version", "scale", "seed", "generation")
#: Bumped whenever the generated data changes; an embedded default demo built
#: by another generator version is rebuilt.
GENERATOR_VERSION = 1

_CONFIGS = table("system_configs", column("key"), column("value"))
_MARKER_ROW = select(_CONFIGS.c.value).where(_CONFIGS.c.key == DEMO_MARKER_KEY)


def marker_value(*, scale: str, seed: int, generation: str) -> dict[str, Any]:
    """The marker row's value for a build with these parameters."""
    return dict(zip(MARKER_FIELDS, (GENERATOR_VERSION, scale, seed, generation), strict=True))


def _parse(value: Any) -> dict[str, Any] | None:
    """The marker row's value as a dict, or None when it is absent or not a JSON object."""
    if value is None:
        return None
    try:
        marker = json.loads(value)
    except (TypeError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


async def read_demo_marker(conn: AsyncConnection | AsyncSession) -> dict[str, Any] | None:
    """The novelkit demo marker of the database behind ``conn``, or None.

    On SQLite the application id decides: without it the file is not a demo
    (whatever its rows say); with it but without a readable row, the marker's
    fields are all None (a demo from an interrupted or foreign build). On MySQL
    the row decides.

    Parameters
    ----------
    conn
        An open connection (or session) on the database; nothing is written.

    Returns
    -------
    dict or None
        The marker's JSON object, or None when the database is not a demo.
    """
    if isinstance(conn, AsyncSession):
        conn = await conn.connection()
    is_sqlite = conn.dialect.name == "sqlite"
    if is_sqlite:
        app_id = (await conn.exec_driver_sql("PRAGMA application_id")).scalar()
        if app_id != APPLICATION_ID:
            return None
    has_configs = await conn.run_sync(lambda c: inspect(c).has_table("system_configs"))
    marker = _parse((await conn.execute(_MARKER_ROW)).scalar()) if has_configs else None
    if marker is None and is_sqlite:
        return dict.fromkeys(MARKER_FIELDS)
    return marker


@dataclass(frozen=True)
class FileState:
    """What is at a SQLite path before a build.

    ``kind`` is ``"missing"``, ``"empty"`` (zero bytes or no tables),
    ``"demo"`` (application_id matches; ``marker`` holds the row's value when
    readable), ``"foreign"`` (a SQLite database that is not a demo) or
    ``"corrupt"`` (not a readable SQLite database).
    """

    kind: Literal["missing", "empty", "demo", "foreign", "corrupt"]
    marker: dict[str, Any] | None = None
    detail: str = ""


def _read_marker_row(conn: sqlite3.Connection) -> dict[str, Any] | None:
    try:
        row = conn.execute(
            "SELECT value FROM system_configs WHERE key = ?", (DEMO_MARKER_KEY,)
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else _parse(row[0])


def read_sqlite_state(path: Path) -> FileState:
    """Classify the file at ``path`` with a plain read-only sqlite3 connection."""
    if not path.exists():
        return FileState("missing")
    if path.is_dir():
        return FileState("foreign", detail="it is a folder")
    if path.stat().st_size == 0:
        return FileState("empty")
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        return FileState("corrupt", detail=str(exc))
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
            0
        ]
        if application_id == APPLICATION_ID:
            return FileState("demo", marker=_read_marker_row(conn))
        if tables == 0:
            return FileState("empty")
        noun = "table" if tables == 1 else "tables"
        return FileState("foreign", detail=f"{tables} {noun}, no novelkit demo marker")
    except sqlite3.DatabaseError as exc:
        return FileState("corrupt", detail=str(exc))
    finally:
        conn.close()
