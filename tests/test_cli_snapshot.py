"""``novelkit snapshot`` and snapshot_sqlite() on bad sources and destinations (real files)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from cli_support import fails_in_one_line as fails
from click.testing import CliRunner

from novelkit.cli import main
from novelkit.db import snapshot_sqlite
from novelkit.errors import ConfigurationError, LockTimeoutError, NotArborisDatabaseError


def test_a_text_file_is_not_an_sqlite_database(tmp_path: Path) -> None:
    text = tmp_path / "notadb.db"
    text.write_text("just some notes, not a database\n" * 10, encoding="utf-8")
    dest = tmp_path / "out.db"
    out = fails("snapshot", str(text), str(dest))
    assert "not an SQLite database" in out
    assert "write lock" not in out
    assert not dest.exists()
    # A second run says the same, not "out.db exists".
    assert "not an SQLite database" in fails("snapshot", str(text), str(dest))
    with pytest.raises(NotArborisDatabaseError, match="not an SQLite database"):
        snapshot_sqlite(text, dest)
    assert not dest.exists()


def test_a_missing_destination_folder_is_named(fixture_sqlite: Path, tmp_path: Path) -> None:
    dest = tmp_path / "no-such-folder" / "copy.db"
    out = fails("snapshot", str(fixture_sqlite), str(dest))
    assert "folder" in out
    assert "does not exist" in out
    assert str(dest.parent) in out
    assert "write lock" not in out
    assert not dest.parent.exists()
    with pytest.raises(ConfigurationError, match="does not exist"):
        snapshot_sqlite(fixture_sqlite, dest)


def test_a_failed_temporary_snapshot_leaves_no_file(tmp_path: Path) -> None:
    text = tmp_path / "notadb.db"
    text.write_bytes(b"\x00not sqlite\x00" * 100)
    before = set(Path(tempfile.gettempdir()).glob("novelkit-snapshot-*"))
    with pytest.raises(NotArborisDatabaseError):
        snapshot_sqlite(text)
    assert set(Path(tempfile.gettempdir()).glob("novelkit-snapshot-*")) == before


def test_the_copy_still_works(fixture_sqlite: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    result = CliRunner().invoke(main, ["snapshot", str(fixture_sqlite), str(dest)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(dest) as conn:
        assert conn.execute("SELECT COUNT(*) FROM novel_projects").fetchone()[0] == 6
    assert "exists" in fails("snapshot", str(fixture_sqlite), str(dest))


def test_a_write_lock_is_still_reported_as_one(fixture_sqlite: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(fixture_sqlite, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        dest = tmp_path / "copy.db"
        with pytest.raises(LockTimeoutError, match="write lock"):
            snapshot_sqlite(fixture_sqlite, dest, busy_timeout=0.1)
        assert not dest.exists()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
