"""One schema cache: after a schema change, db.inspect(refresh=True) and the loaders agree.

A table is added (and a column to a known table) behind a running facade; before
the refresh neither API sees them (both answer from the cache), after it both do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from nktest_support import load_mysql_dump

import novelkit
from novelkit import UnknownObjectError

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

ADD_TABLE = "CREATE TABLE fork_notes (id INTEGER PRIMARY KEY, project_id VARCHAR(36), note TEXT)"
FILL_TABLE = "INSERT INTO fork_notes (id, project_id, note) VALUES (1, 'p', '伏笔')"
ADD_COLUMN = "ALTER TABLE chapter_outlines ADD COLUMN mood VARCHAR(20)"


def _check_both_apis_agree(db: novelkit.NovelDB, change: list[str], apply_change: object) -> None:
    info = db.inspect()
    assert "fork_notes" not in info.columns
    with pytest.raises(UnknownObjectError):
        db.table("fork_notes")
    assert "mood" not in db.outlines().columns

    apply_change(change)  # type: ignore[operator]

    # Still the cached answers: nothing re-read behind the user's back.
    assert "fork_notes" not in db.inspect().columns
    with pytest.raises(UnknownObjectError):
        db.table("fork_notes")

    refreshed = db.inspect(refresh=True)
    assert refreshed.extra["fork_notes"] == ("id", "project_id", "note")
    assert refreshed.extra_rows["fork_notes"] == 1
    assert "mood" in refreshed.extra["chapter_outlines"]
    notes = db.table("fork_notes")
    assert notes["note"].tolist() == ["伏笔"]
    assert "mood" in db.outlines().columns


def test_sqlite(fixture_sqlite: Path) -> None:
    def apply_change(statements: list[str]) -> None:
        with sqlite3.connect(fixture_sqlite) as conn:
            for statement in statements:
                conn.execute(statement)

    with novelkit.connect(fixture_sqlite) as db:
        _check_both_apis_agree(db, [ADD_TABLE, FILL_TABLE, ADD_COLUMN], apply_change)


@pytest.mark.mysql
def test_mariadb(mysql_db: MySQLDatabase) -> None:
    load_mysql_dump(mysql_db)

    def apply_change(statements: list[str]) -> None:
        with mysql_db.connect() as conn, conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)

    with novelkit.connect(mysql_db.ro_url) as db:
        _check_both_apis_agree(db, [ADD_TABLE, FILL_TABLE, ADD_COLUMN], apply_change)
