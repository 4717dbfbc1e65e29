"""pool_status, pool_counters and track_leaks on the real pool classes.

NullPool (SQLite files), StaticPool (SQLite in memory) and the async queue pool
on MariaDB, whose figures must move under concurrent checkouts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from novelkit import (
    LeakReport,
    PoolStatus,
    create_engine,
    open_session,
    pool_counters,
    pool_status,
    track_leaks,
)

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

FIELDS = [
    "pool_class",
    "backend",
    "size",
    "checked_in",
    "checked_out",
    "overflow",
    "max_overflow",
    "timeout",
    "recycle",
    "pre_ping",
]


def check_record(status: PoolStatus) -> None:
    """The shared shape: immutable, the documented fields, three renderings."""
    assert [f.name for f in dataclasses.fields(status)][: len(FIELDS)] == FIELDS
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.size = 3  # type: ignore[misc]
    assert status.pool_class in repr(status)
    as_dict = status.to_dict()
    assert set(FIELDS) <= set(as_dict)
    assert as_dict["pool_class"] == status.pool_class
    frame = status.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["figure", "value"]
    assert set(FIELDS) <= set(frame["figure"])
    html = status._repr_html_()
    assert html.startswith("<table")
    assert status.pool_class in html
    assert status.backend in html


# --- SQLite ---------------------------------------------------------------------------


async def test_null_pool_status(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            status = pool_status(engine)
        check_record(status)
        assert status.pool_class == "NullPool"
        assert status.backend == "sqlite"
        for name in ("size", "checked_in", "checked_out", "overflow", "max_overflow", "timeout"):
            assert getattr(status, name) is None, name
        assert status.recycle is None
        assert status.pre_ping is False
        assert repr(status).startswith("PoolStatus[NullPool]")
    finally:
        await engine.dispose()


async def test_static_pool_status() -> None:
    engine = create_engine("sqlite://")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        status = pool_status(engine)
        check_record(status)
        assert status.pool_class == "StaticPool"
        assert status.backend == "sqlite"
        assert status.size is None
        assert status.checked_out is None
        assert "StaticPool" in repr(status)
    finally:
        await engine.dispose()


async def test_counters_on_sqlite(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        counters = pool_counters(engine)
        assert counters.to_dict() == {
            "connects": 0,
            "checkouts": 0,
            "checkins": 0,
            "invalidations": 0,
        }
        for _ in range(3):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        # NullPool: a new connection for every checkout
        assert (counters.connects, counters.checkouts, counters.checkins) == (3, 3, 3)
        assert pool_counters(engine) is counters  # one live object per engine
    finally:
        await engine.dispose()


async def test_counters_count_an_invalidation(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        counters = pool_counters(engine)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await conn.invalidate()
        assert counters.invalidations == 1
        assert counters.checkins == 1
    finally:
        await engine.dispose()


async def test_track_leaks_catches_a_connection_left_open(
    fixture_sqlite: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        with track_leaks(engine) as report:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            leaked_conn = await engine.connect()
            await leaked_conn.execute(text("SELECT 1"))
        assert isinstance(report, LeakReport)
        assert report.leaked == 1
        assert bool(report)
        assert len(report.where) == 1
        assert "test_track_leaks_catches_a_connection_left_open" in report.where[0]
        assert any(
            r.name == "novelkit.pool" and r.levelno == logging.WARNING for r in caplog.records
        )
        await leaked_conn.close()
    finally:
        await engine.dispose()


async def test_track_leaks_zero_when_closed(
    fixture_sqlite: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        with track_leaks(engine) as report:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            async with open_session(engine) as session:
                await session.execute(text("SELECT 1"))
            conn = await engine.connect()
            await conn.close()
        assert report.leaked == 0
        assert not report
        assert report.where == []
        assert not any(r.name == "novelkit.pool" for r in caplog.records)
    finally:
        await engine.dispose()


async def test_track_leaks_ignores_connections_checked_out_before(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        async with engine.connect() as outside:
            with track_leaks(engine, warn=False) as report:
                await outside.execute(text("SELECT 1"))
        assert report.leaked == 0
    finally:
        await engine.dispose()


# --- MariaDB: the async queue pool ----------------------------------------------------------


async def hold_connections(engine: AsyncEngine, count: int) -> tuple[list[PoolStatus], PoolStatus]:
    """Check out ``count`` connections at once; return statuses while held and after."""
    all_held = asyncio.Event()
    release = asyncio.Event()
    holding = 0

    async def worker() -> None:
        nonlocal holding
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            holding += 1
            if holding == count:
                all_held.set()
            await release.wait()

    tasks = [asyncio.create_task(worker()) for _ in range(count)]
    try:
        await asyncio.wait_for(all_held.wait(), timeout=60)
        during = [pool_status(engine)]
    finally:
        release.set()
        await asyncio.gather(*tasks)
    return during, pool_status(engine)


async def test_queue_pool_figures_move_under_concurrent_checkouts(
    mysql_db: MySQLDatabase,
) -> None:
    engine = create_engine(mysql_db.url)
    try:
        fresh = pool_status(engine)
        check_record(fresh)
        assert fresh.pool_class == "AsyncAdaptedQueuePool"
        assert "AsyncAdaptedQueuePool" in repr(fresh)
        assert fresh.backend == "mysql"
        assert (fresh.size, fresh.max_overflow) == (5, 10)
        assert fresh.checked_out == 0
        assert fresh.checked_in == 0
        assert fresh.overflow == -5  # minus the pool size on a fresh pool
        assert fresh.timeout == 30
        assert (fresh.recycle, fresh.pre_ping) == (3600, True)

        counters = pool_counters(engine)
        (during,), after = await hold_connections(engine, 4)
        assert during.checked_out == 4
        assert during.overflow == -1
        assert after.checked_out == 0
        assert after.checked_in == 4
        assert counters.connects == 4
        assert counters.checkouts == 4
        assert counters.checkins == 4
    finally:
        await engine.dispose()
    disposed = pool_status(engine)
    assert disposed.checked_in == 0
    assert disposed.overflow == -5


async def test_queue_pool_overflow_goes_positive(mysql_db: MySQLDatabase) -> None:
    engine = create_engine(mysql_db.url, pool_size=2, max_overflow=3)
    try:
        (during,), after = await hold_connections(engine, 4)
        assert (during.size, during.checked_out, during.overflow) == (2, 4, 2)
        # overflow connections are closed on checkin; the pool keeps its size
        assert after.checked_out == 0
        assert after.checked_in == 2
        assert after.overflow == 0
    finally:
        await engine.dispose()


async def test_queue_pool_counters_reuse_and_invalidate(mysql_db: MySQLDatabase) -> None:
    engine = create_engine(mysql_db.url)
    try:
        counters = pool_counters(engine)
        for _ in range(3):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        # one pooled connection, reused
        assert (counters.connects, counters.checkouts, counters.checkins) == (1, 3, 3)
        async with engine.connect() as conn:
            await conn.invalidate()
        assert counters.invalidations == 1
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        assert counters.connects == 2
        assert pool_status(engine).checked_out == 0
    finally:
        await engine.dispose()


async def test_track_leaks_on_queue_pool(mysql_db: MySQLDatabase) -> None:
    engine = create_engine(mysql_db.url)
    try:
        with track_leaks(engine, warn=False) as report:
            leaked = await engine.connect()
            await leaked.execute(text("SELECT 1"))
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert report.leaked == 1
        assert pool_status(engine).checked_out == 1
        await leaked.close()
        with track_leaks(engine, warn=False) as report:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert report.leaked == 0
        assert pool_status(engine).checked_out == 0
    finally:
        await engine.dispose()


async def test_counters_and_leak_tracking_survive_dispose(fixture_sqlite: Path) -> None:
    """dispose() replaces the pool; the engine's pool listeners carry over."""
    engine = create_engine(fixture_sqlite)
    try:
        counters = pool_counters(engine)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        await engine.dispose()
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        assert (counters.connects, counters.checkouts, counters.checkins) == (2, 2, 2)
        with track_leaks(engine, warn=False) as report:
            leaked = await engine.connect()
        assert report.leaked == 1
        await leaked.close()
    finally:
        await engine.dispose()
