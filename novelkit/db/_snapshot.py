"""Consistent copies of live SQLite databases through the sqlite3 backup API."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from ..errors import ConfigurationError, DatabaseNotFoundError, LockTimeoutError
from ._sqlite import sqlite_uri

__all__ = ["snapshot_sqlite"]


def snapshot_sqlite(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str] | None = None,
    *,
    busy_timeout: float = 5.0,
) -> Path:
    """Copy ``source`` into ``destination`` (a new temp file by default) in one step.

    The copy is taken with ``Connection.backup(pages=-1)``, under one read
    transaction, so it is consistent; the app's writers wait only while it lasts
    (milliseconds for a few MB). The source is opened read-only; WAL databases
    are copied with their committed WAL content.

    Returns
    -------
    pathlib.Path
        The copy. Whoever asked for a temporary copy removes it.
    """
    src_path = Path(source)
    if not src_path.is_file():
        raise DatabaseNotFoundError(
            f"No SQLite database at {src_path}; give the path of the Arboris file "
            "(storage/arboris.db)."
        )
    if destination is None:
        handle, name = tempfile.mkstemp(prefix="novelkit-snapshot-", suffix=".db")
        os.close(handle)
        dest_path = Path(name)
    else:
        dest_path = Path(destination)
        if dest_path.exists():
            raise ConfigurationError(f"{dest_path} exists; choose a new file for the snapshot.")
    src = sqlite3.connect(sqlite_uri(src_path), uri=True, timeout=busy_timeout)
    try:
        dst = sqlite3.connect(dest_path)
        try:
            src.backup(dst, pages=-1)
        except sqlite3.OperationalError as exc:
            dst.close()
            dest_path.unlink(missing_ok=True)
            raise LockTimeoutError(
                f"Could not copy {src_path}: {exc}. The app holds a write lock; retry in a moment."
            ) from exc
        finally:
            dst.close()
    finally:
        src.close()
    return dest_path
