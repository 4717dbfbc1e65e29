"""A read waiting for another process's lock on a SQLite file stops when asked.

SQLite runs no progress handler while it waits for a lock, and ``sqlite3_interrupt``
does not end that wait: before, a cancelled load (the interrupt button) or one past
its ``statement_timeout`` went on waiting until the busy timeout (5 s by default,
30 s here). Now both readers wait in slices and check between two: the async
driver's cursor and the Arrow path's worker. The lock is held by another process
(as the app would hold it): ADBC links its own SQLite, which does not see a lock
taken through Python's sqlite3 in the same process.

Deadlines here are generous bounds for a loaded machine, far below the busy
timeout, which is what the old code waited.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import novelkit
from novelkit.arrow._sqlite import AdbcSqliteReader

pytest.importorskip("adbc_driver_sqlite")

#: The readers' busy timeout: what the old code waited before giving up.
BUSY_TIMEOUT = 30.0
CANCEL_AT = 0.5
#: A stop must end the wait within this (one slice is 0.1 s): far below BUSY_TIMEOUT.
STOP_DEADLINE = 3.0
STATEMENT_TIMEOUT = 0.5
#: A lock held past a short busy timeout: LockTimeoutError after about that timeout.
SHORT_BUSY_TIMEOUT = 1.0

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""

PATHS = {"driver": False, "arrow": True}


@pytest.fixture
def locked(fixture_sqlite: Path) -> Iterator[Any]:
    """A function that locks ``fixture_sqlite`` from another process (until the test ends)."""
    holders: list[subprocess.Popen[str]] = []

    def lock() -> Any:
        """Lock the file; returns a function that releases the lock."""
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(fixture_sqlite)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(holder)
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        return lambda: holder.communicate("", timeout=30)

    yield lock
    for holder in holders:
        if holder.poll() is None:
            holder.communicate("", timeout=30)


async def _warm(engine: Any, fast: bool) -> None:
    """Read once before the lock: the schema is cached, the call's path is warm."""
    async with novelkit.open_session(engine) as session:
        await novelkit.load_outlines(session, fast=fast)


async def _load(engine: Any, fast: bool) -> Any:
    async with novelkit.open_session(engine) as session:
        return await novelkit.load_outlines(session, fast=fast)


@pytest.mark.parametrize("path", PATHS)
async def test_cancelling_a_read_that_waits_for_a_lock_stops_it(
    path: str, fixture_sqlite: Path, locked: Any
) -> None:
    fast = PATHS[path]
    engine = novelkit.create_engine(fixture_sqlite, busy_timeout=BUSY_TIMEOUT)
    try:
        await _warm(engine, fast)
        locked()
        task = asyncio.ensure_future(_load(engine, fast))
        await asyncio.sleep(CANCEL_AT)
        assert not task.done()  # still waiting for the lock
        cancelled = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=BUSY_TIMEOUT + 10)
        took = time.monotonic() - cancelled
        assert took < STOP_DEADLINE, f"the cancelled read ended {took:.1f} s later"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("path", PATHS)
async def test_statement_timeout_ends_a_wait_for_a_lock(
    path: str, fixture_sqlite: Path, locked: Any
) -> None:
    fast = PATHS[path]
    engine = novelkit.create_engine(
        fixture_sqlite, busy_timeout=BUSY_TIMEOUT, statement_timeout=STATEMENT_TIMEOUT
    )
    try:
        await _warm(engine, fast)
        locked()
        started = time.monotonic()
        with pytest.raises(novelkit.QueryTimeoutError, match=r"statement_timeout \(0.5 s\)"):
            await asyncio.wait_for(_load(engine, fast), timeout=BUSY_TIMEOUT + 10)
        took = time.monotonic() - started
        assert took < STATEMENT_TIMEOUT + STOP_DEADLINE, f"timed out after {took:.1f} s"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("path", PATHS)
async def test_a_lock_held_past_the_busy_timeout_is_a_lock_timeout_error(
    path: str, fixture_sqlite: Path, locked: Any
) -> None:
    """LockTimeoutError after about the busy timeout, whichever path the call takes."""
    fast = PATHS[path]
    engine = novelkit.create_engine(fixture_sqlite, busy_timeout=SHORT_BUSY_TIMEOUT)
    try:
        await _warm(engine, fast)
        locked()
        started = time.monotonic()
        with pytest.raises(novelkit.LockTimeoutError, match="busy timeout"):
            await asyncio.wait_for(_load(engine, fast), timeout=BUSY_TIMEOUT)
        took = time.monotonic() - started
        assert SHORT_BUSY_TIMEOUT * 0.8 <= took < SHORT_BUSY_TIMEOUT + STOP_DEADLINE
    finally:
        await engine.dispose()


def test_the_facade_is_usable_after_a_timed_out_wait_for_a_lock(
    fixture_sqlite: Path, locked: Any
) -> None:
    """The sync facade's own SQL: stopped at its timeout, then the same ``db`` reads."""
    with novelkit.connect(
        fixture_sqlite, busy_timeout=BUSY_TIMEOUT, statement_timeout=STATEMENT_TIMEOUT
    ) as db:
        expected = db.outlines()
        release = locked()
        started = time.monotonic()
        with pytest.raises(novelkit.QueryTimeoutError, match="statement_timeout"):
            db.sql("SELECT count(*) FROM chapter_outlines")
        took = time.monotonic() - started
        assert took < STATEMENT_TIMEOUT + STOP_DEADLINE, f"timed out after {took:.1f} s"
        release()
        pd.testing.assert_frame_equal(db.outlines(), expected)


# -- the Arrow reader itself --------------------------------------------------------
# Through a loader, the driver's PRAGMA journal_mode (which decides whether the
# Arrow path may be taken) waits for the lock first; these reach ADBC's own wait.

OUTLINES = "SELECT * FROM chapter_outlines"


async def test_the_arrow_reader_stops_waiting_for_a_lock_when_cancelled(
    fixture_sqlite: Path, locked: Any
) -> None:
    reader = AdbcSqliteReader(fixture_sqlite, busy_timeout=BUSY_TIMEOUT, statement_timeout=None)
    locked()
    task = asyncio.ensure_future(reader.read(OUTLINES, ()))
    await asyncio.sleep(CANCEL_AT)
    assert not task.done()
    cancelled = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=BUSY_TIMEOUT + 10)
    took = time.monotonic() - cancelled
    assert took < STOP_DEADLINE, f"the cancelled read ended {took:.1f} s later"


async def test_the_arrow_reader_stops_waiting_for_a_lock_at_its_deadline(
    fixture_sqlite: Path, locked: Any
) -> None:
    reader = AdbcSqliteReader(
        fixture_sqlite, busy_timeout=BUSY_TIMEOUT, statement_timeout=STATEMENT_TIMEOUT
    )
    locked()
    started = time.monotonic()
    with pytest.raises(novelkit.QueryTimeoutError, match=r"statement_timeout \(0.5 s\)"):
        await asyncio.wait_for(reader.read(OUTLINES, ()), timeout=BUSY_TIMEOUT + 10)
    took = time.monotonic() - started
    assert took < STATEMENT_TIMEOUT + STOP_DEADLINE, f"timed out after {took:.1f} s"


async def test_the_arrow_reader_gives_a_lock_timeout_error(
    fixture_sqlite: Path, locked: Any
) -> None:
    """Not a QueryError 'Failed to prepare query: database is locked', as before."""
    reader = AdbcSqliteReader(
        fixture_sqlite, busy_timeout=SHORT_BUSY_TIMEOUT, statement_timeout=None
    )
    release = locked()
    started = time.monotonic()
    with pytest.raises(novelkit.LockTimeoutError, match="busy timeout"):
        await asyncio.wait_for(reader.read(OUTLINES, ()), timeout=BUSY_TIMEOUT)
    took = time.monotonic() - started
    assert SHORT_BUSY_TIMEOUT * 0.8 <= took < SHORT_BUSY_TIMEOUT + STOP_DEADLINE
    release()
    assert (await reader.read(OUTLINES, ())).num_rows > 0  # and reads once it is free


def test_the_interrupt_button_ends_a_wait_for_a_lock(fixture_sqlite: Path, locked: Any) -> None:
    """SIGINT (Jupyter's interrupt button) during a facade call waiting for the lock."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    with novelkit.connect(fixture_sqlite, busy_timeout=BUSY_TIMEOUT) as db:
        expected = db.outlines()
        release = locked()
        fired: list[float] = []

        def interrupt() -> None:
            time.sleep(CANCEL_AT)
            fired.append(time.monotonic())
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

        timer = threading.Thread(target=interrupt, daemon=True)
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            db.outlines()
        ended = time.monotonic()
        timer.join()
        assert ended - fired[0] < STOP_DEADLINE, f"interrupted: {ended - fired[0]:.1f} s"
        release()
        pd.testing.assert_frame_equal(db.outlines(), expected)
