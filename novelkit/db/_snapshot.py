"""Consistent copies of live SQLite databases through the sqlite3 backup API."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from ..errors import (
    ConfigurationError,
    DatabaseNotFoundError,
    LockTimeoutError,
    NotArborisDatabaseError,
    NovelkitError,
)
from ._sqlite import sqlite_uri

__all__ = ["snapshot_sqlite"]


def _new_file(dest_path: Path) -> None:
    """Create ``dest_path`` empty, failing if it exists: nothing is ever overwritten."""
    try:
        os.close(os.open(dest_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError as exc:
        raise ConfigurationError(
            f"{dest_path} exists; choose a new file for the snapshot."
        ) from exc
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"Cannot write the snapshot to {dest_path}: the folder {dest_path.parent} does not "
            "exist. Create it first or choose a file in an existing folder."
        ) from exc
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot write the snapshot to {dest_path} ({exc.strerror or exc}); choose a file "
            "in a folder you can write to."
        ) from exc


class _StillLocked(Exception):
    """The backup met a lock held past the busy timeout (raised from its progress callback)."""


def _give_up_when_locked(status: int, _remaining: int, _total: int) -> None:
    """Stop the backup at a lock: sqlite3's own loop would otherwise retry it forever.

    The busy handler has already waited ``busy_timeout`` when a step reports a lock.
    """
    if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        raise _StillLocked


def _backup_error(exc: sqlite3.Error, src_path: Path, dest_path: Path) -> NovelkitError:
    """The novelkit error for a sqlite3 error met while copying ``src_path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    message = str(exc).lower()
    if name == "SQLITE_NOTADB" or "file is not a database" in message:
        return NotArborisDatabaseError(
            f"{src_path} is not an SQLite database ({exc}). Give the path of the Arboris "
            "file (storage/arboris.db)."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in message:
        return LockTimeoutError(
            f"Could not copy {src_path}: {exc}. The app holds a write lock; retry in a moment."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in message:
        return DatabaseNotFoundError(
            f"Cannot open {src_path} or {dest_path} ({exc}). Check that the source file is "
            "readable and that the destination's folder is writable."
        )
    if name.startswith("SQLITE_CORRUPT") or "malformed" in message:
        return NotArborisDatabaseError(
            f"{src_path} is damaged ({exc}); it cannot be copied. Check the file with "
            "'sqlite3 FILE \"PRAGMA integrity_check\"'."
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in message:
        return ConfigurationError(
            f"No space left to write the snapshot of {src_path} to {dest_path} ({exc}); "
            "free some space or choose another folder."
        )
    return NovelkitError(f"Could not copy {src_path} to {dest_path}: {exc}.")


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
    are copied with their committed WAL content. ``destination`` must not exist;
    when the copy fails, no destination file is left behind.

    Returns
    -------
    pathlib.Path
        The copy. Whoever asked for a temporary copy removes it.

    Raises
    ------
    DatabaseNotFoundError
        ``source`` is not a file, or cannot be opened.
    NotArborisDatabaseError
        ``source`` is not an SQLite database (or is damaged).
    ConfigurationError
        ``destination`` exists, or its folder does not exist or cannot be written.
    LockTimeoutError
        The app held a write lock past ``busy_timeout``.
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
        _new_file(dest_path)
    try:
        src = sqlite3.connect(sqlite_uri(src_path), uri=True, timeout=busy_timeout)
        try:
            dst = sqlite3.connect(dest_path)
            try:
                src.backup(dst, pages=-1, progress=_give_up_when_locked)
            finally:
                dst.close()
        finally:
            src.close()
    except _StillLocked as exc:
        dest_path.unlink(missing_ok=True)
        raise LockTimeoutError(
            f"Could not copy {src_path}: it stayed locked for {busy_timeout:g} s. The app holds "
            "a write lock; retry in a moment."
        ) from exc
    except sqlite3.Error as exc:
        dest_path.unlink(missing_ok=True)
        raise _backup_error(exc, src_path, dest_path) from exc
    except BaseException:
        dest_path.unlink(missing_ok=True)
        raise
    return dest_path
