"""SQLite's schema read in one statement gives what SQLAlchemy's table-by-table
reflection gives, on the app-made fixture, both demo generations and odd forks.

The loaders used to reflect each table they read with two statements; one
statement over ``pragma_table_xinfo`` now reads every table at once. These tests
compare the two readings column by column (name, type, nullability, primary key),
and check the fallback when SQLite cannot answer the one statement.
"""

from __future__ import annotations

import shutil
import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import novelkit
from novelkit.schema import reflect


def _table_by_table(path: Path) -> dict[str, reflect.TableShape]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            shapes = {n: reflect._reflect(conn, n) for n in names}
    finally:
        engine.dispose()
    return {n: s for n, s in shapes.items() if s is not None}


def _at_once(path: Path) -> dict[str, reflect.TableShape] | None:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return reflect._sqlite_schema(conn)
    finally:
        engine.dispose()


def _described(shapes: dict[str, reflect.TableShape]) -> dict[str, object]:
    return {
        name: (
            [(c.name, repr(c.type), c.nullable) for c in shape.columns],
            shape.primary_key,
        )
        for name, shape in shapes.items()
    }


def _demo(tmp_path: Path, generation: str) -> Path:
    path = tmp_path / f"{generation}.db"
    novelkit.build_demo(path, scale="tiny", generation=generation)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("source", ["fixture", "classic", "fusion"])
def test_one_statement_equals_table_by_table(
    source: str, fixture_sqlite: Path, tmp_path: Path
) -> None:
    path = fixture_sqlite if source == "fixture" else _demo(tmp_path, source)
    expected = _table_by_table(path)
    got = _at_once(path)
    assert got is not None
    assert len(got) >= 17
    assert _described(got) == _described(expected)


def test_odd_fork_tables(tmp_path: Path) -> None:
    """Types SQLite only knows by affinity, no declared type, a composite key in
    key order, a generated column, a quoted name, and a virtual table."""
    path = tmp_path / "odd.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE novel_projects (id VARCHAR(36) PRIMARY KEY, title TEXT);
            CREATE TABLE "fork notes" (
                b INTEGER, a TEXT, untyped, money DECIMAL(10, 2), ratio DOUBLE,
                flag BOOLEAN NOT NULL DEFAULT 0, stamp DATETIME, blob BLOB,
                doubled INTEGER GENERATED ALWAYS AS (b * 2) VIRTUAL,
                PRIMARY KEY (a, b)
            );
            CREATE VIRTUAL TABLE search_index USING fts5(title, body);
            """
        )
    got = _at_once(path)
    assert got is not None
    expected = _table_by_table(path)
    # Both readings agree on every table SQLAlchemy reflects (FTS5's shadow tables too).
    assert _described({n: got[n] for n in expected}) == _described(expected)
    notes = got["fork notes"]
    assert notes.primary_key == ("a", "b")
    assert [c.name for c in notes.columns][-1] == "doubled"
    assert isinstance(dict((c.name, c.type) for c in notes.columns)["doubled"], sa.INTEGER)
    # FTS5's hidden columns (the table-named one, rank) are not part of its rows.
    assert [c.name for c in got["search_index"].columns] == ["title", "body"]


def test_unreadable_table_falls_back_to_table_by_table(tmp_path: Path) -> None:
    """A virtual table of a module this SQLite lacks makes the one statement fail;
    the loaders then reflect table by table, and every other table still loads."""
    source = tmp_path / "with_vtab.db"
    shutil.copy(_demo(tmp_path, "classic"), source)
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE VIRTUAL TABLE notes_rtree USING rtree(id, x0, x1)")
    # Drop the module's registration by rewriting the schema entry to a module
    # nobody has (writable_schema, as a fork built with another extension would look).
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE VIRTUAL TABLE notes_rtree USING "
            "no_such_module(id, x0, x1)' WHERE name = 'notes_rtree'"
        )
    assert _at_once(source) is None
    with novelkit.connect(source) as db:
        novels = db.novels()
        assert len(novels) > 0
        info = db.inspect()  # the unreadable table is left out, not an error
        assert "notes_rtree" not in info.extra
        assert "chapter_outlines" in info.columns


async def test_loaders_read_the_schema_in_one_statement(fixture_sqlite: Path) -> None:
    """Through novelkit's read-only engine (its authorizer allows the table-valued
    pragma): one schema statement, no table-by-table PRAGMA, whatever the loader."""
    engine = novelkit.create_engine(fixture_sqlite)
    statements: list[str] = []

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    try:
        async with novelkit.open_session(engine) as session:
            await novelkit.load_admin_stats(session)
            await novelkit.load_chapters(session)
            await novelkit.load_users(session)
    finally:
        await engine.dispose()
    assert sum("pragma_table_xinfo" in s for s in statements) == 1
    assert not [s for s in statements if s.lstrip().upper().startswith("PRAGMA MAIN.TABLE")]


def _utf16_copy(source: Path, target: Path) -> None:
    """``source`` rewritten into a new database whose text encoding is UTF-16."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        dst.execute("PRAGMA encoding = 'UTF-16le'")
        dst.executescript("\n".join(src.iterdump()))
        assert dst.execute("PRAGMA encoding").fetchone()[0] == "UTF-16le"
    finally:
        src.close()
        dst.close()


@pytest.mark.parametrize("fast", [False, True])
async def test_a_utf16_database_reads_as_its_utf8_original(tmp_path: Path, fast: bool) -> None:
    """The loaders select long text and JSON as their bytes, which are UTF-8 only in a
    UTF-8 database: in a UTF-16 one they are read as text, on both paths, and give the
    frames the same rows give in UTF-8 (the copy is in rollback mode: ``fast=True`` is
    ADBC's read)."""
    original = _demo(tmp_path, "fusion")
    utf16 = tmp_path / "utf16.db"
    _utf16_copy(original, utf16)
    shapes = _at_once(utf16)
    assert shapes is not None
    assert {c.charset for c in shapes["chapter_versions"].columns} == {"utf-16le"}
    assert {c.charset for c in (_at_once(original) or {})["chapter_versions"].columns} == {None}

    async def frames(path: Path, fast: bool) -> list[pd.DataFrame]:
        engine = novelkit.create_engine(path, fast=fast)
        try:
            async with novelkit.open_session(engine) as session:
                loaded = [
                    await novelkit.load_outlines(session),
                    await novelkit.load_versions(session, content=True),
                    await novelkit.load_chapters(session),
                ]
        finally:
            await engine.dispose()
        for frame in loaded:
            frame.attrs = {}
        return loaded

    with warnings.catch_warnings():
        warnings.simplefilter("error", novelkit.StoredValueWarning)
        # The demo is in WAL mode, where only the driver reads: the frames of both
        # paths are the same (the parity tests), so the driver's is the reference.
        wide, narrow = await frames(utf16, fast), await frames(original, False)
    for got, expected in zip(wide, narrow, strict=True):
        pd.testing.assert_frame_equal(got, expected)
    assert wide[1]["content"].str.contains("[\u4e00-\u9fa5]").any()
