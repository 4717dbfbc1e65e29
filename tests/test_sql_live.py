"""The live app is never blocked: the 4 s limit on a rollback-journal file, and stopping queries.

A process writes to the SQLite file as the Arboris app does (5 s busy timeout)
while novelkit runs a query that never ends and reads a table all along (so it
holds the file's shared lock). On a rollback-journal file load_sql stops it at
4 s and the writer never fails; the negative control (a 10 s statement_timeout
the user chose) makes the writer fail, so the test can see a blocked writer.
WAL files and snapshots get no default limit. Timeouts and cancellation stop
the statement in the database on both backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from nktest_support import MySQLDatabase
from test_reliability_sqlite import AppWriter, _journal_mode, _to_wal

import novelkit
from novelkit import QueryTimeoutError, load_sql

#: Reads chapters for ever: an endless recursive CTE joined to a table.
ENDLESS_READ = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT count(*) AS n FROM c, chapters WHERE chapters.id = (SELECT MIN(id) FROM chapters)"
)
LIMIT = novelkit.sql.LIVE_FILE_TIMEOUT
MARGIN = 3.0  # generous: a loaded 2-core machine
HANG_GUARD = 60.0


async def _run_while_writing(db: Path, tmp_path: Path, work: Any) -> tuple[Any, dict[str, Any]]:
    writer = AppWriter.start(db, tmp_path / "writer")
    try:
        writer.wait_ready()
        outcome = await work()
        await asyncio.sleep(0.5)  # the writer commits once more after the reader is gone
        report = writer.finish()
    finally:
        writer.kill()
    return outcome, report


async def _timed_query(
    engine_options: dict[str, Any], db: Path
) -> tuple[BaseException | None, float]:
    engine = novelkit.create_engine(db, **engine_options)
    try:
        async with novelkit.open_session(engine) as session:
            started = time.monotonic()
            try:
                await asyncio.wait_for(load_sql(session, ENDLESS_READ), timeout=HANG_GUARD)
            except QueryTimeoutError as exc:
                return exc, time.monotonic() - started
            # the session is usable after the stop
            assert (await load_sql(session, "SELECT 1 AS one"))["one"].iloc[0] == 1
    finally:
        await engine.dispose()
    return None, time.monotonic() - started


@pytest.mark.slow
async def test_live_rollback_file_query_stopped_at_four_seconds(
    fixture_sqlite: Path, tmp_path: Path
) -> None:
    assert _journal_mode(fixture_sqlite) == "delete"
    (error, elapsed), report = await _run_while_writing(
        fixture_sqlite, tmp_path, lambda: _timed_query({}, fixture_sqlite)
    )
    assert error is not None
    message = str(error)
    for phrase in ("rollback-journal", "snapshot=True", "statement_timeout=", "4 s"):
        assert phrase in message
    assert LIMIT * 0.9 <= elapsed <= LIMIT + MARGIN
    assert report["commits"] > 0
    assert report["failures"] == []


@pytest.mark.slow
async def test_negative_control_a_longer_limit_blocks_the_writer(
    fixture_sqlite: Path, tmp_path: Path
) -> None:
    """The user's own statement_timeout replaces the default: 10 s outlast the app's 5 s."""
    (error, elapsed), report = await _run_while_writing(
        fixture_sqlite, tmp_path, lambda: _timed_query({"statement_timeout": 10}, fixture_sqlite)
    )
    assert error is not None
    assert "statement_timeout" in str(error)
    assert 9 <= elapsed <= 10 + MARGIN
    assert report["failures"], "the writer was never blocked: the test cannot see a block"
    assert "locked" in report["failures"][0]["error"]


@pytest.mark.slow
async def test_live_iter_sql_limit_covers_the_loop(fixture_sqlite: Path, tmp_path: Path) -> None:
    """Slow consumer: the lock is held between chunks, so the 4 s cover the whole loop."""

    async def consume() -> tuple[int, BaseException | None, float]:
        engine = novelkit.create_engine(fixture_sqlite)
        chunks = 0
        started = time.monotonic()
        try:
            async with novelkit.open_session(engine) as session:
                try:
                    async for _chunk in novelkit.iter_sql(
                        session, "SELECT id FROM chapter_outlines", chunksize=1, progress=False
                    ):
                        chunks += 1
                        await asyncio.sleep(0.3)
                except QueryTimeoutError as exc:
                    return chunks, exc, time.monotonic() - started
        finally:
            await engine.dispose()
        return chunks, None, time.monotonic() - started

    (chunks, error, elapsed), report = await _run_while_writing(fixture_sqlite, tmp_path, consume)
    assert error is not None
    assert "rollback-journal" in str(error)
    assert 2 <= chunks < 82  # stopped part way through the 82 outlines
    assert LIMIT * 0.9 <= elapsed <= LIMIT + MARGIN
    assert report["failures"] == []


async def _still_running_after(make_call: Any, seconds: float) -> bool:
    task = asyncio.create_task(make_call())
    await asyncio.sleep(seconds)
    running = not task.done()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=HANG_GUARD)
    return running


@pytest.mark.slow
async def test_no_default_limit_on_wal_files(fixture_sqlite: Path, tmp_path: Path) -> None:
    _to_wal(fixture_sqlite)
    engine = novelkit.create_engine(fixture_sqlite)

    async def query() -> Any:
        async with novelkit.open_session(engine) as session:
            return await load_sql(session, ENDLESS_READ)

    try:
        running, report = await _run_while_writing(
            fixture_sqlite, tmp_path, lambda: _still_running_after(query, LIMIT + 2)
        )
        async with novelkit.open_session(engine) as session:
            after = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    finally:
        await engine.dispose()
    assert running
    assert report["journal_mode"] == "wal"
    assert report["failures"] == []
    assert after["n"].iloc[0] > 0


@pytest.mark.slow
async def test_no_default_limit_on_snapshots(fixture_sqlite: Path) -> None:
    db = novelkit.connect(fixture_sqlite, snapshot=True)
    try:
        running = await _still_running_after(lambda: db.asql(ENDLESS_READ), LIMIT + 2)
        # The awaited twin returns at the cancellation; its statement stops on the
        # facade's loop just after. Closing before that would leave aiosqlite's
        # thread without a loop to report to.
        deadline = time.monotonic() + HANG_GUARD
        while time.monotonic() < deadline:
            counters = db.pool_counters()
            if counters.checkins == counters.checkouts:
                break
            await asyncio.sleep(0.05)
        assert db.sql("SELECT COUNT(*) AS n FROM chapters")["n"].iloc[0] > 0
    finally:
        db.close()
    assert running


async def test_cancelled_query_stops_in_sqlite(fixture_sqlite: Path) -> None:
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        async with novelkit.open_session(engine) as session:
            task = asyncio.create_task(load_sql(session, ENDLESS_READ))
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=HANG_GUARD)
        async with novelkit.open_session(engine) as session:
            assert (await load_sql(session, "SELECT 1 AS one"))["one"].iloc[0] == 1
    finally:
        await engine.dispose()


def _processlist(db: MySQLDatabase) -> list[str]:
    conn = db.connect(admin=True)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT info FROM information_schema.processlist WHERE info LIKE '%SLEEP(%'")
        return [r[0] for r in cur.fetchall() if "processlist" not in r[0]]


@pytest.mark.mysql
async def test_mysql_statement_timeout_and_cancellation(mysql_fixture_db: MySQLDatabase) -> None:
    db = mysql_fixture_db
    engine = novelkit.create_engine(db.url, statement_timeout=1)
    try:
        async with novelkit.open_session(engine) as session:
            started = time.monotonic()
            with pytest.raises(QueryTimeoutError):
                await asyncio.wait_for(
                    load_sql(session, "SELECT SLEEP(30) AS s FROM chapters"), timeout=HANG_GUARD
                )
            assert time.monotonic() - started <= 1 + MARGIN
    finally:
        await engine.dispose()
    engine = novelkit.create_engine(db.url)
    try:
        async with novelkit.open_session(engine) as session:
            task = asyncio.create_task(load_sql(session, "SELECT SLEEP(30) AS s"))
            await asyncio.sleep(0.5)
            assert _processlist(db)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=HANG_GUARD)
        deadline = time.monotonic() + 10
        while _processlist(db) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert _processlist(db) == []  # KILL QUERY stopped it on the server
    finally:
        await engine.dispose()


# -- the interrupt button -----------------------------------------------------------------

SLOW_MYSQL = "SELECT BENCHMARK(2000000000, MD5(title)) AS b FROM novel_projects LIMIT 1"


def _sqlite_writer_blocked(path: str) -> bool:
    writer = sqlite3.connect(path, timeout=0)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        writer.rollback()
        return False
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return True
    finally:
        writer.close()


def _mysql_running(db: MySQLDatabase) -> bool:
    conn = db.connect(admin=True)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.processlist "
            "WHERE db = %s AND info LIKE 'SELECT BENCHMARK%%'",
            (db.name,),
        )
        return int(cur.fetchone()[0]) > 0


def _wait_until(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
@pytest.mark.parametrize("call", ["sql", "iter_sql"])
def test_interrupt_button_stops_the_query(
    request: pytest.FixtureRequest, backend: str, call: str
) -> None:
    """SIGINT while db.sql()/db.iter_sql() waits: the statement stops in the database."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    if backend == "sqlite":
        path = str(request.getfixturevalue("fixture_sqlite"))
        url, slow = path, ENDLESS_READ

        def running() -> bool:
            return _sqlite_writer_blocked(path)
    else:
        fixture = request.getfixturevalue("mysql_fixture_db")
        url, slow = fixture.url.render_as_string(hide_password=False), SLOW_MYSQL

        def running() -> bool:
            return _mysql_running(fixture)

    seen: list[bool] = []

    def interrupter() -> None:
        seen.append(_wait_until(running, timeout=3))
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    with novelkit.connect(url) as db:
        timer = threading.Thread(target=interrupter)
        timer.start()
        try:
            run = db.sql if call == "sql" else (lambda query: next(db.iter_sql(query)))
            with pytest.raises(KeyboardInterrupt):
                run(slow)
        finally:
            timer.join()
        assert seen == [True]
        assert _wait_until(lambda: not running(), timeout=10), "the statement kept running"
        assert db.sql("SELECT 1 AS one")["one"].iloc[0] == 1
