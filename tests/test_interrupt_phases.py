"""The interrupt button ends a long load within about a second, whatever phase it is in.

A database is made big enough that ``db.versions(content=True)`` takes several
seconds (the demo's version texts, copied many times), then the call is
interrupted with SIGINT (what Jupyter's interrupt button sends) at several
points: while the statement runs, while rows are converted, while texts are
counted. Each time the KeyboardInterrupt must come within the deadline, the
facade must stay usable, and nothing may stay checked out or locked. The
control: the same call, not interrupted, takes longer than the latest point plus
the deadline, so an interrupt that waited for the end would fail the test.
"""

from __future__ import annotations

import functools
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
from facade_support import wait_until

import novelkit

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

pytestmark = pytest.mark.slow

#: Seconds after the call starts at which it is interrupted.
INTERRUPT_AT = (0.3, 1.0, 2.0)
#: "About a second", plus slack for a loaded shared machine: a deadline, not a speed.
DEADLINE = 1.0 + 2.0
#: The uninterrupted call must last at least this long for the test to mean anything.
LONG_ENOUGH = max(INTERRUPT_AT) + DEADLINE + 1.0
#: Rows of chapter_versions to start from (the tiny demo has about 150, each of 2,000+
#: characters); doubled while the load is shorter than LONG_ENOUGH.
FIRST_TARGET = 40_000
MAX_DOUBLINGS = 3


def _inflate_sqlite(path: Path, target: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        while conn.execute("SELECT count(*) FROM chapter_versions").fetchone()[0] < target:
            conn.execute(
                "INSERT INTO chapter_versions (chapter_id, version_label, provider, content, "
                "metadata, created_at) SELECT chapter_id, version_label, provider, content, "
                "NULL, created_at FROM chapter_versions"
            )
            conn.commit()
    finally:
        conn.close()


def _inflate_mysql(db: MySQLDatabase, target: int) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        while True:
            cur.execute("SELECT count(*) FROM chapter_versions")
            if cur.fetchone()[0] >= target:
                return
            cur.execute(
                "INSERT INTO chapter_versions (chapter_id, version_label, provider, content, "
                "metadata, created_at) SELECT chapter_id, version_label, provider, content, "
                "NULL, created_at FROM chapter_versions"
            )


def _load_seconds(url: str) -> float:
    with novelkit.connect(url) as db:
        started = time.monotonic()
        db.versions(content=True)
        return time.monotonic() - started


def _grow(url: str, inflate: Callable[[int], None]) -> None:
    """Inflate until the uninterrupted load lasts LONG_ENOUGH (or give up: the test says)."""
    target = FIRST_TARGET
    for _ in range(MAX_DOUBLINGS):
        inflate(target)
        # With room: a first load in a process is slower than the ones after it.
        if _load_seconds(url) > 1.6 * LONG_ENOUGH:
            return
        target *= 2


@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def long_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A URL whose version texts take several seconds to load."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("long") / "long.db"
        novelkit.build_demo(path, scale="tiny", progress=False)
        _grow(str(path), lambda target: _inflate_sqlite(path, target))
        yield str(path)
        return
    from nktest_support import make_database

    for db in make_database("long"):
        novelkit.build_demo(db.url, scale="tiny", progress=False)
        url = db.ro_url.render_as_string(hide_password=False)
        _grow(url, lambda target, db=db: _inflate_mysql(db, target))
        yield url


def _interrupt_after(seconds: float, fired: list[float]) -> threading.Thread:
    def fire() -> None:
        time.sleep(seconds)
        fired.append(time.monotonic())
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    return thread


def test_interrupt_ends_a_long_load_at_any_point(long_database: str) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with novelkit.connect(long_database) as db:
        started = time.monotonic()
        whole = db.versions(content=True)
        took = time.monotonic() - started
        assert took > LONG_ENOUGH, f"the control load took only {took:.1f} s"
        novels = db.novels()
        for at in INTERRUPT_AT:
            fired: list[float] = []
            thread = _interrupt_after(at, fired)
            with pytest.raises(KeyboardInterrupt):
                db.versions(content=True)
            ended = time.monotonic()
            thread.join()
            assert ended - fired[0] < DEADLINE, f"interrupted at {at} s: {ended - fired[0]:.1f} s"
            # Usable at once, same answers, nothing left checked out.
            pd.testing.assert_frame_equal(db.novels(), novels)
            assert wait_until(lambda: db.pool_status().checked_out in (None, 0), timeout=5)
        assert len(db.versions(content=True)) == len(whole)
    if "://" not in long_database:
        # No read lock left behind: a writer gets the file at once.
        writer = sqlite3.connect(long_database, timeout=0)
        try:
            writer.execute("BEGIN EXCLUSIVE")
            writer.rollback()
        finally:
            writer.close()


#: The statement the streaming test reads (and looks for in the server's process list).
STREAMED = "SELECT id, content FROM chapter_versions"


def _still_running(db: novelkit.NovelDB) -> int:
    if db.backend != "mysql":
        return 0
    found = db.sql(
        "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info = :sql",
        {"sql": STREAMED},
    )
    return int(found["n"].iloc[0])


def _start_timer(timers: list[threading.Thread], at: float, fired: list[float]) -> None:
    timers.append(_interrupt_after(at, fired))


def _read_stream(db: novelkit.NovelDB, seen: list[int], on_first: Callable[[], None]) -> None:
    for chunk in db.iter_sql(STREAMED, chunksize=500):
        if not seen:
            on_first()
        seen.append(len(chunk))
        chunk["content"].str.len().sum()  # the loop's own work


def test_interrupt_ends_an_iter_sql_loop_at_any_point(
    long_database: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C in a loop over ``db.iter_sql`` (in a fetch or in the loop's own work) ends
    it with a KeyboardInterrupt, stops the statement on the server, gives the
    connection back in step (MySQL streams through an unbuffered cursor, which a
    fetch cut off midway leaves out of step) and prints nothing."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    with novelkit.connect(long_database) as db:
        novels = db.novels()
        for at in INTERRUPT_AT:
            fired: list[float] = []
            seen: list[int] = []
            timers: list[threading.Thread] = []
            # Timed from the first chunk, not from the call: on a loaded machine the
            # first chunk alone may take longer than the earliest interrupt point.
            with pytest.raises(KeyboardInterrupt):
                _read_stream(db, seen, functools.partial(_start_timer, timers, at, fired))
            ended = time.monotonic()
            timers[0].join()
            assert ended - fired[0] < DEADLINE, f"interrupted at {at} s: {ended - fired[0]:.1f} s"
            assert seen
            pd.testing.assert_frame_equal(db.novels(), novels)
            assert wait_until(lambda: db.pool_status().checked_out in (None, 0), timeout=5)
            assert wait_until(lambda: _still_running(db) == 0, timeout=5)
    err = capfd.readouterr().err
    assert "Error closing cursor" not in err, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
