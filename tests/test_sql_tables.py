"""tables(): the database's own tables (a fork's included), cached with the loaders' schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from nktest_support import MySQLDatabase, mysql_counts, sqlite_counts

import novelkit
from novelkit import UnknownObjectError


def _sqlite_columns(path: Path, table: str) -> list[tuple[str, str, bool, bool]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    finally:
        conn.close()
    # (name, declared type, nullable, primary key); SQLite's PK columns may hold NULL
    return [(r[1], r[2].upper(), not r[3] or bool(r[5]), bool(r[5])) for r in rows]


async def test_sqlite_tables_are_the_file_s(fixture_sqlite: Path) -> None:
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        async with novelkit.open_session(engine) as session:
            t = await novelkit.tables(session)
            again = await novelkit.tables(session)
    finally:
        await engine.dispose()
    counts = sqlite_counts(fixture_sqlite)
    assert again is t  # cached per engine
    assert set(t) == set(counts)
    assert t.row_counts == counts
    for name in t:
        table = t[name]
        assert isinstance(table, sa.Table)
        declared = _sqlite_columns(fixture_sqlite, name)
        assert [c.name for c in table.columns] == [d[0] for d in declared]
        assert [c.primary_key for c in table.columns] == [d[3] for d in declared]
        for column, (_n, _t, nullable, primary) in zip(table.columns, declared, strict=True):
            if not primary:
                assert column.nullable == nullable, (name, column.name)
    assert t.chapters.c.chapter_number is t["chapters"].c["chapter_number"]
    assert "chapters" in dir(t)
    assert "chapter_number" in dir(t.chapters.c)  # what Tab completion lists
    assert "chapters" in t
    assert len(t) == len(counts)


async def test_unknown_table_names_close_matches(fixture_sqlite: Path) -> None:
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        async with novelkit.open_session(engine) as session:
            t = await novelkit.tables(session)
    finally:
        await engine.dispose()
    with pytest.raises(AttributeError, match="chapter"):
        _ = t.chapter
    with pytest.raises(UnknownObjectError, match="chapters"):
        _ = t["chapterz"]


async def test_repr_lists_tables_columns_types_nullability_counts(fixture_sqlite: Path) -> None:
    with novelkit.connect(fixture_sqlite) as db:
        t = db.tables
        text, page = repr(t), t._repr_html_()
    count = sqlite_counts(fixture_sqlite)["chapters"]
    assert f"  chapters ({count:,} rows)" in text
    assert "      id  INTEGER PK NOT NULL" in text
    assert "      real_summary  TEXT\n" in text
    assert "<code>chapters</code></td><td>" in page
    assert "<code>chapter_number</code> INTEGER NOT NULL" in page


async def test_fork_tables_and_refresh(fixture_sqlite: Path) -> None:
    conn = sqlite3.connect(fixture_sqlite)
    conn.execute("CREATE TABLE fork_tags (id INTEGER PRIMARY KEY, tag TEXT NOT NULL)")
    conn.execute("ALTER TABLE chapters ADD COLUMN mood TEXT")
    conn.execute("INSERT INTO fork_tags (tag) VALUES ('a'), ('b')")
    conn.commit()
    conn.close()
    with novelkit.connect(fixture_sqlite) as db:
        t = db.tables
        assert t.row_counts["fork_tags"] == 2
        assert "mood" in t.chapters.c
        frame = db.sql(sa.select(t.fork_tags.c.tag).order_by(t.fork_tags.c.id))
        assert frame["tag"].tolist() == ["a", "b"]
        assert str(frame["tag"].dtype) == "string"
        writer = sqlite3.connect(fixture_sqlite)
        writer.execute("CREATE TABLE fork_notes (id INTEGER PRIMARY KEY)")
        writer.commit()
        writer.close()
        assert "fork_notes" not in db.tables  # cached with the loaders' schema
        db.inspect(refresh=True)
        assert "fork_notes" in db.tables


@pytest.mark.mysql
async def test_mysql_tables(mysql_fixture_db: MySQLDatabase) -> None:
    engine = novelkit.create_engine(mysql_fixture_db.url)
    try:
        async with novelkit.open_session(engine) as session:
            t = await novelkit.tables(session)
            frame = await novelkit.load_sql(
                session,
                sa.select(t.chapters.c.status, sa.func.count().label("n"))
                .group_by(t.chapters.c.status)
                .order_by(t.chapters.c.status),
            )
    finally:
        await engine.dispose()
    counts = mysql_counts(mysql_fixture_db)
    assert set(t) == set(counts)
    assert t.row_counts == counts
    assert isinstance(t.chapter_versions.c.content.type, sa.String)  # LONGTEXT
    assert frame["n"].sum() == counts["chapters"]
    assert str(frame["status"].dtype) == "category"
