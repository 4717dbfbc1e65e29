"""The demo marker: how novelkit recognises a database it generated.

Two marks, both outside the Arboris schema's meaning:

- SQLite: ``PRAGMA application_id = 0x4E4B4954`` ("NKIT" in ASCII);
- both backends: a ``system_configs`` row with key :data:`DEMO_MARKER_KEY` whose
  value is the JSON ``{"generator_version", "scale", "seed", "generation"}``.
  The app ignores unknown keys; the schema inspector reads this row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

__all__ = [
    "APPLICATION_ID",
    "DEMO_MARKER_KEY",
    "GENERATOR_VERSION",
    "FileState",
    "marker_value",
    "read_sqlite_state",
]

#: ``PRAGMA application_id`` of a novelkit demo database ("NKIT").
APPLICATION_ID = 0x4E4B4954
#: The ``system_configs.key`` of the marker row.
DEMO_MARKER_KEY = "novelkit.demo"
#: Bumped whenever the generated data changes; an embedded default demo built
#: by another generator version is rebuilt.
GENERATOR_VERSION = 1


def marker_value(*, scale: str, seed: int, generation: str) -> dict[str, Any]:
    """The marker row's value for a build with these parameters."""
    return {
        "generator_version": GENERATOR_VERSION,
        "scale": scale,
        "seed": seed,
        "generation": generation,
    }


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


def _read_marker(conn: sqlite3.Connection) -> dict[str, Any] | None:
    try:
        row = conn.execute(
            "SELECT value FROM system_configs WHERE key = ?", (DEMO_MARKER_KEY,)
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def read_sqlite_state(path: Path) -> FileState:
    """Classify the file at ``path`` with a plain read-only sqlite3 connection."""
    if not path.exists():
        return FileState("missing")
    if path.is_dir():
        return FileState("foreign", detail="it is a folder")
    if path.stat().st_size == 0:
        return FileState("empty")
    uri = f"file:{quote(str(path.resolve()), safe='/')}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return FileState("corrupt", detail=str(exc))
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
            0
        ]
        if application_id == APPLICATION_ID:
            return FileState("demo", marker=_read_marker(conn))
        if tables == 0:
            return FileState("empty")
        return FileState("foreign", detail=f"{tables} tables, no novelkit demo marker")
    except sqlite3.DatabaseError as exc:
        return FileState("corrupt", detail=str(exc))
    finally:
        conn.close()
