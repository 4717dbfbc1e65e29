"""create_engine uses the Arboris app's per-backend settings, and overrides work.

SQLite: NullPool, check_same_thread=False, no pre-ping, a busy timeout on every
connection. MySQL: pre-ping, recycle 3600, pool 5 + 10 overflow, utf8mb4.
Sessions: expire_on_commit=False, and both session helpers close what they open.
"""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool, StaticPool

from novelkit import (
    ConfigurationError,
    create_engine,
    get_session,
    open_session,
    pool_status,
    session_factory,
)
from novelkit.db._sqlite import BUSY_SLICE_MS

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase


async def scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


# --- SQLite ------------------------------------------------------------------------


async def test_sqlite_engine_settings(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        assert isinstance(engine.pool, NullPool)
        assert engine.dialect.name == "sqlite"
        assert engine.dialect.driver == "aiosqlite"
        assert engine.pool._pre_ping is False
        status = pool_status(engine)
        assert status.pool_class == "NullPool"
        assert status.pre_ping is False
        assert await scalar(engine, "SELECT count(*) FROM novel_projects") >= 1
    finally:
        await engine.dispose()


async def test_sqlite_check_same_thread_is_off(fixture_sqlite: Path) -> None:
    """aiosqlite opens the sqlite3 connection in its worker thread; using it from
    this thread only works with check_same_thread=False."""
    engine = create_engine(fixture_sqlite)
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            sqlite_conn = raw.driver_connection._conn
            assert isinstance(sqlite_conn, sqlite3.Connection)
            assert sqlite_conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        await engine.dispose()


async def test_negative_control_check_same_thread(tmp_path: Path) -> None:
    """Without check_same_thread=False the same cross-thread use fails."""
    import aiosqlite

    async with aiosqlite.connect(tmp_path / "plain.db") as conn:
        with pytest.raises(sqlite3.ProgrammingError, match="thread"):
            conn._conn.execute("SELECT 1")


@pytest.mark.parametrize("read_only", [True, False])
async def test_sqlite_busy_timeout_on_every_connection(
    fixture_sqlite: Path, read_only: bool
) -> None:
    # A read-only connection lets SQLite wait one slice at a time (and checks for a
    # stop between two) until the whole busy timeout is spent: the whole wait is
    # tested in test_lock_waits.py; a writer's SQLite waits the whole timeout itself.
    def sqlite_waits(total_ms: int) -> int:
        return min(total_ms, BUSY_SLICE_MS) if read_only else total_ms

    engine = create_engine(fixture_sqlite, read_only=read_only)
    try:
        # NullPool: each connect is a new sqlite3 connection
        for _ in range(3):
            assert await scalar(engine, "PRAGMA busy_timeout") == sqlite_waits(5000)
    finally:
        await engine.dispose()
    engine = create_engine(fixture_sqlite, read_only=read_only, busy_timeout=2.5)
    try:
        async with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                waits = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
                assert waits == sqlite_waits(2500)
    finally:
        await engine.dispose()
    engine = create_engine(fixture_sqlite, read_only=read_only, busy_timeout=0.05)
    try:
        assert await scalar(engine, "PRAGMA busy_timeout") == 50  # below one slice
    finally:
        await engine.dispose()


@pytest.mark.parametrize("read_only", [True, False])
async def test_sqlite_temporary_btrees_in_memory(fixture_sqlite: Path, read_only: bool) -> None:
    # GROUP BY / ORDER BY sorters without temporary files (2 = MEMORY), and no file
    # appears next to the database for them.
    before = sorted(p.name for p in fixture_sqlite.parent.iterdir())
    engine = create_engine(fixture_sqlite, read_only=read_only)
    try:
        assert await scalar(engine, "PRAGMA temp_store") == 2
        grouped = "SELECT project_id, COUNT(*) FROM chapters GROUP BY project_id ORDER BY 2"
        async with engine.connect() as conn:
            assert (await conn.execute(text(grouped))).all()
    finally:
        await engine.dispose()
    assert sorted(p.name for p in fixture_sqlite.parent.iterdir()) == before


async def test_sqlite_overrides(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite, pool_pre_ping=True, poolclass=StaticPool)
    try:
        assert isinstance(engine.pool, StaticPool)
        assert pool_status(engine).pre_ping is True
        assert await scalar(engine, "SELECT 1") == 1
    finally:
        await engine.dispose()


async def test_sqlite_in_memory_uses_static_pool() -> None:
    engine = create_engine("sqlite://")
    try:
        assert isinstance(engine.pool, StaticPool)
        assert await scalar(engine, "SELECT 1") == 1
    finally:
        await engine.dispose()


def test_bad_echo_option() -> None:
    with pytest.raises(ConfigurationError, match="echo"):
        create_engine("sqlite://", echo="loud")  # type: ignore[arg-type]


# --- sessions -------------------------------------------------------------------------


async def test_session_helpers(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        maker = session_factory(engine)
        assert maker.kw["expire_on_commit"] is False
        async with open_session(engine) as session:
            assert isinstance(session, AsyncSession)
            assert session.bind is engine
            count = (await session.execute(text("SELECT count(*) FROM novel_projects"))).scalar()
            assert count >= 1
            assert pool_status(engine).pool_class == "NullPool"
        assert not session.in_transaction()

        assert inspect.isasyncgenfunction(get_session)
        gen = get_session(engine)
        session = await anext(gen)
        assert isinstance(session, AsyncSession)
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
        with pytest.raises(StopAsyncIteration):
            await anext(gen)
        assert not session.in_transaction()
    finally:
        await engine.dispose()


# --- MySQL / MariaDB -------------------------------------------------------------------


async def test_mysql_engine_settings(mysql_db: MySQLDatabase) -> None:
    engine = create_engine(mysql_db.url)
    try:
        assert engine.dialect.name == "mysql"
        assert engine.dialect.driver == "asyncmy"
        assert isinstance(engine.pool, AsyncAdaptedQueuePool)
        status = pool_status(engine)
        assert status.pre_ping is True
        assert status.recycle == 3600
        assert status.size == 5
        assert status.max_overflow == 10
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT @@character_set_connection, @@character_set_client, DATABASE()")
                )
            ).one()
        assert tuple(row) == ("utf8mb4", "utf8mb4", mysql_db.name)
    finally:
        await engine.dispose()


async def test_mysql_overrides(mysql_db: MySQLDatabase) -> None:
    engine = create_engine(
        mysql_db.url, pool_size=2, max_overflow=1, pool_recycle=60, pool_pre_ping=False
    )
    try:
        status = pool_status(engine)
        assert (status.size, status.max_overflow, status.recycle, status.pre_ping) == (
            2,
            1,
            60,
            False,
        )
        assert await scalar(engine, "SELECT 1") == 1
    finally:
        await engine.dispose()


async def test_mysql_utf8mb4_round_trip(mysql_db: MySQLDatabase) -> None:
    engine = create_engine(mysql_db.url)
    try:
        assert await scalar(engine, "SELECT '第一章 🐉'") == "第一章 🐉"
    finally:
        await engine.dispose()
