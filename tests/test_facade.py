"""The sync facade on real databases: novelkit.facade.connect() on SQLite and MariaDB.

Each property runs on both backends. The plain-script and nest-asyncio cases
run in subprocesses (tests/test_facade_subprocess.py); here run what can be
checked in the test process with the default thread runner.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, quote_plus

import pandas as pd
import pytest
import sqlalchemy as sa
from facade_support import BACKENDS, assert_no_loop_errors, reference_frames, url_for, wait_until

import novelkit
from novelkit import loaders
from novelkit.facade import NovelDB, connect

RW_PASSWORD = "p@ss:w/rd%X9"  # the MariaDB read-write test account's (see .ci/)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def url(request: pytest.FixtureRequest, backend: str) -> str:
    return url_for(request, backend)


@pytest.fixture
def reference(url: str) -> dict[str, pd.DataFrame]:
    return asyncio.run(reference_frames(url))


@pytest.fixture
def db(url: str) -> Iterator[NovelDB]:
    with connect(url) as facade:
        yield facade


@pytest.fixture
def loop_trouble(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Record every warning and DEBUG log line of the test; fail on a loop error in them."""
    caplog.set_level(logging.DEBUG, logger="asyncio")
    caplog.set_level(logging.DEBUG, logger="novelkit")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts: list[str] = []
        yield texts
    texts += [str(w.message) for w in caught]
    texts += [r.getMessage() for r in caplog.records]
    texts += [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert_no_loop_errors(texts)
    assert not caught, [str(w.message) for w in caught]


def _same(frames: dict[str, pd.DataFrame], reference: dict[str, pd.DataFrame]) -> None:
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, reference[name])


# -- (b) inside a running loop; (c) worker threads; (d) after closed loops; (e) mixed ----


def test_sync_calls_inside_a_running_loop(db: NovelDB, reference, loop_trouble) -> None:
    async def cell() -> dict[str, pd.DataFrame]:
        asyncio.get_running_loop()  # this is what a Jupyter cell runs inside
        return {"novels": db.novels(), "outlines": db.outlines()}

    for _ in range(3):
        _same(asyncio.run(cell()), reference)


def test_several_worker_threads_at_once(db: NovelDB, reference, loop_trouble) -> None:
    calls = [db.novels, db.outlines] * 12
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda call: (call.__name__, call()), calls))
    assert len(results) == 24
    for name, frame in results:
        pd.testing.assert_frame_equal(frame, reference[name])
    status = db.pool_status()
    assert status.checked_out in (None, 0)


def test_after_previous_event_loops_closed(url: str, reference, loop_trouble) -> None:
    holder: dict[str, NovelDB] = {}

    async def first() -> pd.DataFrame:
        # Opened inside a loop that is then closed, as in a notebook kernel restart
        # of the cell's loop: the facade must not depend on that loop.
        holder["db"] = connect(url)
        return holder["db"].novels()

    async def second() -> pd.DataFrame:
        return await holder["db"].anovels()

    pd.testing.assert_frame_equal(asyncio.run(first()), reference["novels"])
    pd.testing.assert_frame_equal(asyncio.run(second()), reference["novels"])
    with holder["db"] as db:
        for _ in range(3):
            _same({"novels": db.novels(), "outlines": db.outlines()}, reference)


def test_mixed_with_async_api_and_awaitable_twins(
    db: NovelDB, url: str, reference, loop_trouble
) -> None:
    async def notebook() -> list[tuple[str, pd.DataFrame]]:
        own = novelkit.create_engine(url)  # the user's own engine on the notebook's loop
        try:
            out = []
            async with novelkit.open_session(own) as session:
                out.append(("novels", await loaders.load_novels(session)))
                out.append(("novels", await db.anovels()))
                out.append(("novels", db.novels()))
                out.append(("outlines", await loaders.load_outlines(session)))
                out.append(("outlines", await db.aoutlines()))
                both = await asyncio.gather(
                    db.anovels(), loaders.load_novels(session), db.aoutlines(), db.anovels()
                )
                out += zip(["novels", "novels", "outlines", "novels"], both, strict=True)
            return out
        finally:
            await own.dispose()

    for _ in range(2):  # a second loop, after the first closed
        results = asyncio.run(notebook())
        for name, frame in results:
            pd.testing.assert_frame_equal(frame, reference[name])
    assert db.ainspect is not None
    info = asyncio.run(db.ainspect())
    assert info.generation == "fusion"


def test_awaitable_twin_cancelled_by_its_caller_leaves_the_facade_usable(
    db: NovelDB, reference, loop_trouble
) -> None:
    async def impatient() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(db.anovels(), timeout=0.000001)

    asyncio.run(impatient())
    pd.testing.assert_frame_equal(db.novels(), reference["novels"])


# -- close ------------------------------------------------------------------


def _rw_sessions(mysql_fixture_db) -> int:
    """Connections the read-write account holds on the fixture database right now."""
    conn = mysql_fixture_db.connect(admin=True)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.processlist WHERE user = %s AND db = %s",
            (mysql_fixture_db.url.username, mysql_fixture_db.name),
        )
        return int(cur.fetchone()[0])


def test_close_disposes_the_engine_and_is_idempotent(
    request: pytest.FixtureRequest, backend: str, url: str
) -> None:
    before = _rw_sessions(request.getfixturevalue("mysql_fixture_db")) if backend == "mysql" else 0
    db = connect(url)
    db.novels()
    db.outlines()
    status = db.pool_status()
    if backend == "mysql":
        assert status.checked_out == 0  # pooled, idle
        assert status.checked_in >= 1
        fixture = request.getfixturevalue("mysql_fixture_db")
        assert _rw_sessions(fixture) > before
    db.close()
    assert db.closed
    status = db.pool_status()
    assert status.checked_out in (None, 0)
    if backend == "mysql":
        assert status.checked_in == 0
        assert wait_until(lambda: _rw_sessions(fixture) == before, timeout=10)
    db.close()  # idempotent
    assert not db._runner._thread.is_alive()  # the loop thread ended
    assert "closed" in repr(db)


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.novels(),
        lambda db: db.outlines(novel_id="x"),
        lambda db: db.inspect(),
        lambda db: list(db.iter_frames("novel_projects")),
        lambda db: asyncio.run(db.anovels()),
    ],
    ids=["novels", "outlines", "inspect", "iter_frames", "anovels"],
)
def test_calls_after_close_raise_configuration_error(url: str, call) -> None:
    with connect(url) as db:
        db.novels()
    with pytest.raises(novelkit.ConfigurationError, match=r"closed.*connect\(\)"):
        call(db)


def test_close_on_the_facades_own_loop_thread(url: str) -> None:
    """A facade collected on its loop thread (last ref in an awaited twin) still shuts down."""
    db = connect(url)
    db.novels()
    failures: list[BaseException] = []

    def close_there() -> None:
        try:
            db.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            failures.append(exc)

    db._runner.loop.call_soon_threadsafe(close_there)
    db._runner.thread.join(timeout=10)
    assert not failures
    assert not db._runner.thread.is_alive()
    assert db.closed
    assert db.pool_status().checked_out in (None, 0)


# -- KeyboardInterrupt ------------------------------------------------------

SLOW_SQLITE = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) "
    "SELECT count(*) FROM c WHERE x > (SELECT count(*) FROM novel_projects)"
)
# Not SLEEP(): MariaDB ends a SLEEP within 5 s once its client is gone, which would
# hide a query left running; BENCHMARK only stops when killed.
SLOW_MYSQL = "SELECT BENCHMARK(2000000000, MD5(title)) FROM novel_projects LIMIT 1"


def _sqlite_writer_blocked(path: str) -> bool:
    """True if another connection cannot get the write lock on ``path`` at once."""
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


def _mysql_slow_queries(fixture) -> int:
    conn = fixture.connect(admin=True)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.processlist "
            "WHERE user = %s AND db = %s AND info LIKE 'SELECT BENCHMARK%%'",
            (fixture.url.username, fixture.name),
        )
        return int(cur.fetchone()[0])


def test_keyboard_interrupt_cancels_the_call_and_leaves_the_facade_usable(
    request: pytest.FixtureRequest, backend: str, url: str, db: NovelDB, reference
) -> None:
    """SIGINT to the main thread while it waits, as a notebook's interrupt button sends it.

    The statement must really stop: on SQLite its read lock goes (a writer gets
    the database at once), on MariaDB the query leaves the processlist.
    """
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if backend == "sqlite":
        slow = SLOW_SQLITE

        def running() -> bool:
            return _sqlite_writer_blocked(url)
    else:
        slow = SLOW_MYSQL
        fixture = request.getfixturevalue("mysql_fixture_db")

        def running() -> bool:
            return _mysql_slow_queries(fixture) == 1

    async def slow_query() -> object:
        async with db.engine.connect() as conn:
            return (await conn.execute(sa.text(slow))).scalar()

    seen_running: list[bool] = []

    def interrupter() -> None:
        seen_running.append(wait_until(running, timeout=20))
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    timer = threading.Thread(target=interrupter)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            db._run(slow_query())  # the facade's runner, its loop, its engine
    finally:
        timer.join()
    assert seen_running == [True]  # the control: the statement was running
    assert time.monotonic() - started < 25
    assert wait_until(lambda: not running(), timeout=5), "the statement kept running"
    pd.testing.assert_frame_equal(db.novels(), reference["novels"])
    assert db.pool_status().checked_out in (None, 0)


# -- snapshot -----------------------------------------------------------------


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where tempfile puts snapshot copies during this test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _retitle(path: Path, title: str) -> None:
    writer = sqlite3.connect(path, timeout=0)
    with writer:
        writer.execute(
            "UPDATE novel_projects SET title = ? WHERE id = (SELECT min(id) FROM novel_projects)",
            (title,),
        )
    writer.close()


def test_snapshot_reads_a_copy_removed_on_close(fixture_sqlite: Path, temp_dir: Path) -> None:
    before = connect(fixture_sqlite)
    with connect(fixture_sqlite, snapshot=True) as db:
        copies = list(temp_dir.glob("novelkit-snapshot-*.db"))
        assert len(copies) == 1
        original = db.novels()
        _retitle(fixture_sqlite, "written after the snapshot")  # a writer, while open
        assert "written after the snapshot" not in set(db.novels()["title"])
        pd.testing.assert_frame_equal(db.novels(), original)
        assert "written after the snapshot" in set(before.novels()["title"])  # control
        assert "arboris.db" in db.url  # the URL shown is the original's
    assert not copies[0].exists()
    assert list(temp_dir.glob("novelkit-snapshot-*")) == []
    before.close()


def test_snapshot_of_a_wal_database_leaves_no_file_behind(
    fixture_sqlite: Path, temp_dir: Path
) -> None:
    """The demo is in WAL mode, so is its copy: its -wal and -shm files stayed in the temp
    folder after every close."""
    with closing(sqlite3.connect(fixture_sqlite)) as conn:
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    with connect(fixture_sqlite, snapshot=True) as db:
        assert len(db.novels()) == 6
        assert any(p.name.endswith("-wal") for p in temp_dir.iterdir())
    assert list(temp_dir.iterdir()) == []


def test_snapshot_reads_do_not_touch_the_originals_locks(
    fixture_sqlite: Path, temp_dir: Path
) -> None:
    with (
        connect(fixture_sqlite, snapshot=True) as snap,
        connect(fixture_sqlite, busy_timeout=0.2) as live,
    ):
        expected = snap.novels()
        writer = sqlite3.connect(fixture_sqlite, timeout=0)
        try:
            writer.execute("BEGIN EXCLUSIVE")  # the app, mid-write
            writer.execute("UPDATE novel_projects SET title = 'locked'")
            with pytest.raises(novelkit.LockTimeoutError):  # control: the live file is locked
                live.novels()
            pd.testing.assert_frame_equal(snap.novels(), expected)
            frames = list(snap.iter_frames("novel_projects", chunksize=2))
            assert sum(len(f) for f in frames) == len(expected)
        finally:
            writer.rollback()
            writer.close()
        # and while the facade is mid-stream the app can write and commit
        stream = snap.iter_frames("chapters", chunksize=1)
        next(stream)
        _retitle(fixture_sqlite, "committed mid-stream")
        assert len(list(stream)) > 0


def test_snapshot_on_mysql_is_refused(mysql_fixture_db, temp_dir: Path) -> None:
    url = mysql_fixture_db.url.render_as_string(hide_password=False)

    def loops() -> int:
        return sum(t.name == "novelkit-loop" for t in threading.enumerate())

    before = loops()
    with pytest.raises(novelkit.ConfigurationError, match="SQLite"):
        connect(url, snapshot=True)
    assert loops() == before  # no runner left behind
    assert list(temp_dir.iterdir()) == []


def test_bad_runner_leaves_no_snapshot_behind(fixture_sqlite: Path, temp_dir: Path) -> None:
    with pytest.raises(novelkit.ConfigurationError):
        connect(fixture_sqlite, snapshot=True, runner="trio")
    assert list(temp_dir.iterdir()) == []


# -- repr, echo, pool figures, runner names -----------------------------------


def test_repr_shows_backend_generation_masked_url_never_the_password(
    db: NovelDB, backend: str
) -> None:
    assert f"backend={backend!r}" in repr(db)
    assert "generation='?'" in repr(db)
    db.inspect()
    shown = [repr(db), str(db), db._repr_html_(), db.url]
    assert "generation='fusion'" in shown[0]
    assert "fusion" in shown[2]
    assert "runner='thread'" in shown[0]
    if backend == "mysql":
        for text in shown:
            assert "***" in text
            for form in (RW_PASSWORD, quote(RW_PASSWORD, safe=""), quote_plus(RW_PASSWORD)):
                assert form not in text
            assert "nk_rw" in text
            assert "127.0.0.1" in text


def test_repr_shows_the_generation_once_a_call_read_the_schema(db: NovelDB, backend: str) -> None:
    """Was: generation='?' and 'generation not read yet' until db.inspect() ran, whatever
    the loaders had read. The repr itself reads nothing."""
    assert "generation='?'" in repr(db)
    assert "generation not read yet" in db._repr_html_()
    db.novels()
    if backend == "mysql":
        # On MySQL the loaders reflect table by table: not enough to tell; db.tables
        # reads every table.
        assert "generation='?'" in repr(db)
        db.tables  # noqa: B018 - read for its effect
    sent: list[str] = []

    def record(conn: object, cursor: object, statement: str, *rest: object) -> None:
        sent.append(statement)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    shown = [repr(db), db._repr_html_()]
    sa.event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert sent == []
    assert "generation='fusion'" in shown[0]
    assert "fusion" in shown[1]


def test_echo_logs_sql_only_inside_the_block(db: NovelDB, caplog: pytest.LogCaptureFixture) -> None:
    def sql_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy.engine")]

    db.novels()
    assert sql_lines() == []
    with db.echo():
        db.novels()
    inside = sql_lines()
    assert any("novel_projects" in line for line in inside), inside
    caplog.clear()
    db.novels()
    assert sql_lines() == []


def test_pool_figures_move(db: NovelDB, backend: str) -> None:
    counters = db.pool_counters()  # a live object
    start = counters.to_dict()
    db.novels()
    after_one = counters.to_dict()
    assert after_one["checkouts"] > start["checkouts"]
    assert after_one["connects"] > start["connects"] or backend == "mysql"
    assert after_one["checkins"] == after_one["checkouts"]
    db.outlines()
    assert db.pool_counters().checkouts > after_one["checkouts"]

    async def while_holding() -> object:
        async with db.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            return db.pool_status()

    held = db._run(while_holding())
    if backend == "mysql":
        assert held.checked_out == 1
        assert db.pool_status().checked_out == 0
        assert db.pool_status().checked_in >= 1
    else:
        assert held.pool_class == "NullPool"


@pytest.mark.parametrize("name", ["uvloop", "", "Thread", "asyncio"])
def test_unknown_runner_names_are_refused(fixture_sqlite: Path, name: str) -> None:
    with pytest.raises(novelkit.ConfigurationError, match="'thread' or 'nest-asyncio'"):
        connect(fixture_sqlite, runner=name)


@pytest.mark.parametrize("name", ["thread", "nest-asyncio", "nest_asyncio"])
def test_known_runner_names(fixture_sqlite: Path, name: str) -> None:
    with connect(fixture_sqlite, runner=name) as db:
        assert db.runner == name.replace("_", "-")
        assert len(db.novels()) == 6


def test_sync_call_from_the_facades_own_loop_is_refused(db: NovelDB) -> None:
    async def nested() -> object:
        return db.novels()

    with pytest.raises(novelkit.ConfigurationError, match="await the a-prefixed twin"):
        db._run(nested())
    assert len(db.novels()) == 6


def test_default_is_the_demo_database(tmp_path: Path) -> None:
    with connect() as db:
        assert "demo" in db.url or "novelkit" in db.url
        novels = db.novels()
        assert len(novels) > 0
        assert db.inspect().generation in {"classic", "fusion"}


#: A statement that runs for tens of seconds on SQLite without touching a table.
LONG_COUNT = (
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300000000) "
    "SELECT count(*) AS n FROM s"
)


@pytest.mark.parametrize("fast", [False, None])
def test_a_ctrl_c_sent_to_the_process_ends_a_call_with_polars_loaded(
    fixture_sqlite: Path, fast: bool | None
) -> None:
    """A SIGINT sent to the process, as a terminal's Ctrl-C or Jupyter's interrupt button
    sends it, ends a running call at once, polars imported or not. polars (which ADBC's
    driver manager imports on the Arrow path's first read) installs its own SIGINT
    handler, after which a wait without a timeout resumed after the signal: the
    KeyboardInterrupt came only when the statement ended (its 30 s timeout here)."""
    import os

    import polars  # noqa: F401  (what the Arrow path's first read imports)

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    with connect(fixture_sqlite, statement_timeout=30) as db:
        fired: list[float] = []

        def interrupt() -> None:
            time.sleep(0.5)
            fired.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)  # to the process, not to a thread

        thread = threading.Thread(target=interrupt, daemon=True)
        thread.start()
        with pytest.raises(KeyboardInterrupt):
            db.sql(LONG_COUNT, fast=fast)
        ended = time.monotonic()
        thread.join()
        assert ended - fired[0] < 3.0, f"{ended - fired[0]:.1f} s after the signal"
        assert len(db.novels()) > 0  # usable at once
