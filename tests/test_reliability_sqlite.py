"""Reliability on real SQLite files: the live app is never blocked, nothing is lost or leaked.

Issue 7, points 1 and 2 and the SQLite halves of 4 and 5:

* soak: another process writes as the app does (short transactions, 5 s busy
  timeout) while novelkit reads every core table over and over; the writer
  never fails and every write it committed is in the file afterwards (rollback
  journal, WAL, ``connect(snapshot=True)``, ``iter_frames``). Negative control:
  one read transaction held past the writer's busy timeout makes it fail.
* concurrent writers through novelkit (``BEGIN IMMEDIATE``): no lock errors, no
  lost updates. Negative control: deferred ``BEGIN`` with a forced interleaving
  fails at once. A lock held past the busy timeout raises ``LockTimeoutError``
  after about the timeout.
* ``statement_timeout`` and task cancellation stop the query in SQLite itself.
* 1,000 mixed operations leak no connection, no thread and no ResourceWarning.

The figures asserted are the UPPERCASE constants below. With
``NOVELKIT_RELIABILITY_OUT`` set, what the tests measured is written as JSON
(see :func:`_record`). ``NOVELKIT_SOAK_SECONDS`` sets the soak length
(``make soak``: 60).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

import novelkit
from novelkit.schema.inspect import CORE_TABLES

# -- the figures --------------------------------------------------------------

#: Soak length in seconds when NOVELKIT_SOAK_SECONDS is not set (CI).
SOAK_SECONDS_DEFAULT = 20.0
#: The app's busy timeout (the sqlite3/aiosqlite default), used by the soak writer.
APP_BUSY_TIMEOUT = 5.0
#: Pause of the soak writer between two committed transactions.
WRITER_PAUSE_SECONDS = 0.005
#: Failures and lost writes the soak writer may see: none.
MAX_WRITER_FAILURES = 0
MAX_LOST_WRITES = 0
#: Page size of the iter_frames soak (small: many pages, many short transactions).
SOAK_CHUNKSIZE = 10

#: Negative control: the writer's busy timeout and how long, at least, the reader
#: holds its one read transaction (and in any case until the writer gave up).
CONTROL_WRITER_BUSY_TIMEOUT = 1.0
CONTROL_HOLD_SECONDS = 2.0

#: Concurrent writers through novelkit (``sqlite_begin="immediate"``).
WRITERS = 20
TRANSACTIONS_PER_WRITER = 50
READERS = 20
#: Each reader reads the counter through a read-only engine, then pauses this long
#: (pandas-heavy loaders in the same event loop would starve the writers of the
#: loop, not of the database).
READER_PAUSE_SECONDS = 0.05
MAX_LOCK_ERRORS = 0
#: A deferred BEGIN that cannot upgrade fails "at once": well under its busy timeout.
DEFERRED_BUSY_TIMEOUT = 5.0
AT_ONCE_SECONDS = 1.0
#: A lock held past the busy timeout: LockTimeoutError after about the timeout.
LOCK_BUSY_TIMEOUT = 1.0
LOCK_ELAPSED_MIN = 0.8
LOCK_ELAPSED_MARGIN = 3.0

#: statement_timeout and cancellation.
STATEMENT_TIMEOUT = 0.5
TIMEOUT_MARGIN = 2.5
CANCEL_AFTER_SECONDS = 0.3
CANCEL_STOP_MARGIN = 2.0
#: CPU seconds the process may use while idling IDLE_WINDOW seconds after a query
#: was stopped (a query still running in a worker thread uses about one per second).
IDLE_WINDOW_SECONDS = 1.0
IDLE_CPU_MAX = 0.4
#: Nothing may hang: every wait is bounded by this.
HANG_GUARD_SECONDS = 30.0

#: No leaks.
MIXED_OPERATIONS = 1000
MIXED_CONCURRENCY = 8
MIXED_STATEMENT_TIMEOUT = 0.02
THREAD_SETTLE_SECONDS = 10.0

WRITER_SCRIPT = Path(__file__).with_name("sqlite_app_writer.py")
WRITER_LABEL_PREFIX = "app-writer"
#: Never ends on its own: only an interrupt (progress handler or cancellation) stops it.
ENDLESS_QUERY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
)
COUNTER_SELECT = "SELECT value FROM usage_metrics WHERE key = 'api_request_count'"
COUNTER_UPDATE = "UPDATE usage_metrics SET value = ? WHERE key = 'api_request_count'"

# -- recording ----------------------------------------------------------------

_RESULTS: dict[str, Any] = {}


def _record(test: str, **figures: Any) -> None:
    """Keep what a test measured; write it all out when NOVELKIT_RELIABILITY_OUT is set.

    A directory gets ``reliability-sqlite.json``; a file path gets a JSON object
    whose ``"sqlite"`` key is (re)written, other keys are kept.
    """
    _RESULTS[test] = figures
    target = os.environ.get("NOVELKIT_RELIABILITY_OUT")
    if not target:
        return
    path = Path(target)
    if path.is_dir() or target.endswith(os.sep):
        path.mkdir(parents=True, exist_ok=True)
        path = path / "reliability-sqlite.json"
    document: dict[str, Any] = {}
    if path.is_file():
        try:
            document = json.loads(path.read_text())
        except ValueError:
            document = {}
    document["sqlite"] = {
        "constants": {k: v for k, v in globals().items() if k.isupper() and _plain(v)},
        "sqlite_version": sqlite3.sqlite_version,
        "results": _RESULTS,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True))


def _plain(value: Any) -> bool:
    return isinstance(value, int | float | str) and not isinstance(value, bool)


def soak_seconds() -> float:
    """NOVELKIT_SOAK_SECONDS, read at call time, else SOAK_SECONDS_DEFAULT."""
    return float(os.environ.get("NOVELKIT_SOAK_SECONDS") or SOAK_SECONDS_DEFAULT)


# -- the app-like writer process ----------------------------------------------


@dataclass
class AppWriter:
    """``tests/sqlite_app_writer.py`` running in its own process against ``db``."""

    db: Path
    process: subprocess.Popen[bytes]
    out: Path
    stop_file: Path
    ready_file: Path
    stderr_text: str | None = None

    @classmethod
    def start(
        cls,
        db: Path,
        workdir: Path,
        *,
        busy_timeout: float = APP_BUSY_TIMEOUT,
        max_transactions: int = 0,
    ) -> AppWriter:
        workdir.mkdir(parents=True, exist_ok=True)
        out, stop, ready = workdir / "writer.json", workdir / "stop", workdir / "ready"
        process = subprocess.Popen(
            [
                sys.executable,
                str(WRITER_SCRIPT),
                str(db),
                "--out",
                str(out),
                "--stop",
                str(stop),
                "--ready",
                str(ready),
                "--busy-timeout",
                str(busy_timeout),
                "--pause",
                str(WRITER_PAUSE_SECONDS),
                "--max-transactions",
                str(max_transactions),
                "--max-seconds",
                str(soak_seconds() + 120),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return cls(db, process, out, stop, ready)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        while not self.ready_file.exists():
            if self.process.poll() is not None:
                raise AssertionError(f"the writer exited early: {self._stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError("the writer did not start within the hang guard")
            time.sleep(0.02)

    def finish(self) -> dict[str, Any]:
        """Stop the writer, wait for it and return its report."""
        self.stop_file.touch()
        try:
            self.process.wait(timeout=HANG_GUARD_SECONDS + 60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            stderr = self._stderr()
        if self.process.returncode != 0:
            raise AssertionError(f"the writer failed ({self.process.returncode}): {stderr}")
        report: dict[str, Any] = json.loads(self.out.read_text())
        return report

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr()

    def _stderr(self) -> str:
        """The writer's stderr once it has exited (read once, then kept)."""
        if self.process.poll() is None:
            return ""
        if self.stderr_text is None:
            _out, err = self.process.communicate()
            self.stderr_text = (err or b"").decode(errors="replace")[-2000:]
        return self.stderr_text


def _usage_counter(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        value: int = conn.execute(COUNTER_SELECT).fetchone()[0]
    finally:
        conn.close()
    return value


def lost_writes(db: Path, report: dict[str, Any], usage_before: int) -> dict[str, int]:
    """Look in the file for every write the writer reported committed."""
    conn = sqlite3.connect(db)
    try:
        labels = dict(
            conn.execute(
                "SELECT id, version_label FROM chapter_versions WHERE version_label LIKE ?",
                (f"{WRITER_LABEL_PREFIX}-%",),
            ).fetchall()
        )
        stamps = dict(conn.execute("SELECT id, updated_at FROM novel_projects").fetchall())
        usage_after = conn.execute(COUNTER_SELECT).fetchone()[0]
    finally:
        conn.close()
    written = report["written"]
    missing_versions = sum(
        1 for w in written if labels.get(w["version_id"]) != f"{WRITER_LABEL_PREFIX}-{w['n']}"
    )
    last_stamp: dict[str, str] = {}
    for w in written:
        last_stamp[w["project"]] = w["stamp"]
    stale_projects = sum(1 for p, s in last_stamp.items() if stamps.get(p) != s)
    return {
        "missing_versions": missing_versions,
        # Rows the writer did not report committed (a failed commit that stuck).
        "unreported_versions": len(labels) - len(written),
        "stale_project_stamps": stale_projects,
        "lost_usage_increments": usage_before + report["commits"] - usage_after,
    }


# -- what novelkit reads during the soak ----------------------------------------

LOADERS: tuple[Callable[..., Awaitable[Any]], ...] = (
    novelkit.load_novels,
    novelkit.load_outlines,
    novelkit.load_chapters,
    novelkit.load_versions,
    novelkit.load_characters,
    novelkit.load_relationships,
    novelkit.load_conversations,
    novelkit.load_evaluations,
    novelkit.load_foreshadowings,
    novelkit.load_users,
    novelkit.load_usage,
    novelkit.load_admin_stats,
    novelkit.load_activity,
)


async def _load_everything(engine: AsyncEngine) -> int:
    """Every loader and every core table once, in one session; the versions seen."""
    async with novelkit.open_session(engine) as session:
        versions = await novelkit.load_versions(session, content=True, metadata=True)
        for loader in LOADERS:
            await loader(session)
        for table in CORE_TABLES:
            await novelkit.load_table(session, table)
    return len(versions)


async def _iter_everything(engine: AsyncEngine) -> int:
    """Every core table through iter_frames in small pages; the versions seen."""
    versions = 0
    async with novelkit.open_session(engine) as session:
        for table in CORE_TABLES:
            async for chunk in novelkit.iter_frames(
                session, table, chunksize=SOAK_CHUNKSIZE, content=True, progress=False
            ):
                if table == "chapter_versions":
                    versions += len(chunk)
    return versions


def _snapshot_everything(db: Path) -> int:
    """A snapshot copy, then every loader and core table on it; the versions seen."""
    with novelkit.connect(db, snapshot=True) as nk:
        # The facade's methods are made from the loaders' names (load_x -> x).
        versions = getattr(nk, "versions")(content=True, metadata=True)  # noqa: B009
        for loader in LOADERS:
            getattr(nk, loader.__name__.removeprefix("load_"))()
        for table in CORE_TABLES:
            getattr(nk, "table")(table)  # noqa: B009
    return len(versions)


def _to_wal(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    finally:
        conn.close()
    assert mode == "wal"


def _journal_mode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        mode: str = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    return mode


SOAK_VARIANTS = {
    "rollback-loaders": ("delete", "loaders"),
    "wal-loaders": ("wal", "loaders"),
    "rollback-iter_frames": ("delete", "iter_frames"),
    "rollback-snapshot": ("delete", "snapshot"),
}


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(SOAK_VARIANTS))
async def test_soak_app_writer_never_blocked_nothing_lost(
    variant: str, fixture_sqlite: Path, tmp_path: Path
) -> None:
    """The app's writer keeps committing, and keeps everything, while novelkit reads."""
    journal, how = SOAK_VARIANTS[variant]
    db = fixture_sqlite
    if journal == "wal":
        _to_wal(db)
    assert _journal_mode(db) == journal
    usage_before = _usage_counter(db)
    seconds = soak_seconds()
    writer = AppWriter.start(db, tmp_path / "writer")
    rounds, seen = 0, []
    engine = novelkit.create_engine(db) if how != "snapshot" else None
    started = time.monotonic()
    try:
        writer.wait_ready()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if how == "loaders":
                assert engine is not None
                seen.append(await _load_everything(engine))
            elif how == "iter_frames":
                assert engine is not None
                seen.append(await _iter_everything(engine))
            else:
                seen.append(await asyncio.to_thread(_snapshot_everything, db))
            rounds += 1
        report = writer.finish()
    finally:
        writer.kill()
        if engine is not None:
            await engine.dispose()
    elapsed = time.monotonic() - started
    lost = lost_writes(db, report, usage_before)
    _record(
        f"soak[{variant}]",
        journal_mode=report["journal_mode"],
        soak_seconds=seconds,
        elapsed=round(elapsed, 2),
        novelkit_rounds=rounds,
        versions_seen_first=seen[0] if seen else None,
        versions_seen_last=seen[-1] if seen else None,
        writer_attempts=report["attempts"],
        writer_commits=report["commits"],
        writer_failures=len(report["failures"]),
        writer_latency_max=report["latency_max"],
        writer_latency_p99=report["latency_p99"],
        lost_writes=sum(max(v, 0) for v in lost.values()),
        **lost,
    )
    assert report["journal_mode"] == journal
    assert len(report["failures"]) <= MAX_WRITER_FAILURES, report["failures"][:5]
    assert report["commits"] > 0
    assert all(v == 0 for v in lost.values()), lost
    assert rounds >= 2
    # novelkit really read while the app wrote: it saw the file grow.
    assert seen[-1] > seen[0]


@pytest.mark.slow
async def test_soak_negative_control_long_read_transaction_fails_the_writer(
    fixture_sqlite: Path, tmp_path: Path
) -> None:
    """One read transaction held past the writer's busy timeout makes the app fail."""
    db = fixture_sqlite
    assert _journal_mode(db) == "delete"
    usage_before = _usage_counter(db)
    engine = novelkit.create_engine(db, sqlite_begin="deferred")
    writer: AppWriter | None = None
    try:
        async with engine.connect() as conn:
            # BEGIN, then a read: the SHARED lock stays until the transaction ends.
            await conn.exec_driver_sql("SELECT count(*) FROM chapter_versions")
            held_from = time.monotonic()
            writer = AppWriter.start(
                db,
                tmp_path / "writer",
                busy_timeout=CONTROL_WRITER_BUSY_TIMEOUT,
                max_transactions=1,
            )
            # Hold at least CONTROL_HOLD_SECONDS, and until the writer has given up.
            while writer.process.poll() is None or time.monotonic() - held_from < (
                CONTROL_HOLD_SECONDS
            ):
                assert time.monotonic() - held_from < HANG_GUARD_SECONDS
                await asyncio.sleep(0.05)
            held = time.monotonic() - held_from
            await conn.rollback()
        report = writer.finish()
    finally:
        if writer is not None:
            writer.kill()
        await engine.dispose()
    lost = lost_writes(db, report, usage_before)
    failure = report["failures"][0] if report["failures"] else {}
    _record(
        "soak_negative_control",
        held_seconds=round(held, 2),
        writer_busy_timeout=CONTROL_WRITER_BUSY_TIMEOUT,
        writer_attempts=report["attempts"],
        writer_commits=report["commits"],
        writer_failures=len(report["failures"]),
        failure=failure.get("error"),
        failed_after_seconds=failure.get("after_seconds"),
        **lost,
    )
    assert held > CONTROL_WRITER_BUSY_TIMEOUT
    assert (report["attempts"], report["commits"], len(report["failures"])) == (1, 0, 1)
    assert "database is locked" in str(failure["error"])
    assert failure["after_seconds"] >= CONTROL_WRITER_BUSY_TIMEOUT * 0.8
    # The failed transaction was rolled back whole: nothing of it is in the file.
    assert all(v == 0 for v in lost.values()), lost


# -- concurrent writers through novelkit --------------------------------------


@pytest.fixture
def demo_sqlite(tmp_path: Path) -> Path:
    """A tiny demo database novelkit created (so in WAL mode)."""
    target = tmp_path / "demo.db"
    novelkit.build_demo(target, scale="tiny", progress=False)
    return target


async def _counter(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        value: int = (await conn.exec_driver_sql(COUNTER_SELECT)).scalar_one()
    return value


@pytest.mark.slow
async def test_concurrent_writers_with_begin_immediate_lose_nothing(demo_sqlite: Path) -> None:
    """20 writers x 50 read-modify-write transactions and 20 readers: no error, no loss."""
    assert _journal_mode(demo_sqlite) == "wal"
    writer = novelkit.create_engine(demo_sqlite, read_only=False, sqlite_begin="immediate")
    reader = novelkit.create_engine(demo_sqlite)
    errors: Counter[str] = Counter()
    reads = backwards = 0
    writers_done = asyncio.Event()

    # The writer engine keeps one pooled connection: its coroutines queue in
    # arrival order rather than race for SQLite's (unfair) busy handler.
    assert novelkit.pool_status(writer).size == 1

    async def one_writer() -> None:
        for _ in range(TRANSACTIONS_PER_WRITER):
            try:
                async with writer.begin() as conn:
                    value = (await conn.exec_driver_sql(COUNTER_SELECT)).scalar_one()
                    await asyncio.sleep(0)  # let every other coroutine run in between
                    await conn.exec_driver_sql(COUNTER_UPDATE, (value + 1,))
            except novelkit.NovelkitError as exc:
                errors[f"writer {type(exc).__name__}"] += 1

    async def one_reader() -> None:
        nonlocal reads, backwards
        last = -1
        while not writers_done.is_set():
            try:
                seen = await _counter(reader)
                backwards += seen < last
                last = seen
                reads += 1
            except novelkit.NovelkitError as exc:
                errors[f"reader {type(exc).__name__}"] += 1
            await asyncio.sleep(READER_PAUSE_SECONDS)

    try:
        before = await _counter(writer)
        started = time.monotonic()
        readers = [asyncio.create_task(one_reader()) for _ in range(READERS)]
        try:
            await asyncio.wait_for(
                asyncio.gather(*(one_writer() for _ in range(WRITERS))),
                timeout=HANG_GUARD_SECONDS * 4,
            )
        finally:
            writers_done.set()
            await asyncio.gather(*readers)
        elapsed = time.monotonic() - started
        after = await _counter(reader)
    finally:
        await writer.dispose()
        await reader.dispose()
    expected = WRITERS * TRANSACTIONS_PER_WRITER
    _record(
        "concurrent_writers_immediate",
        writers=WRITERS,
        transactions_per_writer=TRANSACTIONS_PER_WRITER,
        readers=READERS,
        reader_rounds=reads,
        reader_saw_counter_go_back=backwards,
        pool=novelkit.pool_status(writer).pool_class,
        lock_errors=sum(errors.values()),
        errors=dict(errors),
        counter_increase=after - before,
        lost_updates=expected - (after - before),
        elapsed=round(elapsed, 2),
    )
    assert sum(errors.values()) <= MAX_LOCK_ERRORS, dict(errors)
    assert after - before == expected
    assert reads >= READERS
    assert backwards == 0


async def test_deferred_begin_forced_interleaving_fails_at_once(demo_sqlite: Path) -> None:
    """Negative control: two deferred transactions both read, then both write."""
    engine = novelkit.create_engine(
        demo_sqlite, read_only=False, sqlite_begin="deferred", busy_timeout=DEFERRED_BUSY_TIMEOUT
    )
    a_read, b_read, a_wrote, b_done = (asyncio.Event() for _ in range(4))
    failures: list[tuple[str, BaseException, float]] = []

    async def first() -> None:
        async with engine.begin() as conn:
            value = (await conn.exec_driver_sql(COUNTER_SELECT)).scalar_one()
            a_read.set()
            await b_read.wait()
            await conn.exec_driver_sql(COUNTER_UPDATE, (value + 1,))
            a_wrote.set()
            await b_done.wait()

    async def second() -> None:
        try:
            async with engine.begin() as conn:
                await a_read.wait()
                value = (await conn.exec_driver_sql(COUNTER_SELECT)).scalar_one()
                b_read.set()
                await a_wrote.wait()
                t0 = time.monotonic()
                try:
                    await conn.exec_driver_sql(COUNTER_UPDATE, (value + 1,))
                except (novelkit.LockTimeoutError, sa.exc.OperationalError) as exc:
                    failures.append(("second", exc, time.monotonic() - t0))
                    raise
        except (novelkit.LockTimeoutError, sa.exc.OperationalError):
            pass
        finally:
            b_done.set()

    try:
        before = await _counter(engine)
        await asyncio.wait_for(asyncio.gather(first(), second()), timeout=HANG_GUARD_SECONDS)
        after = await _counter(engine)
    finally:
        await engine.dispose()
    assert len(failures) == 1
    who, exc, elapsed = failures[0]
    _record(
        "deferred_interleaving_negative_control",
        failed=who,
        error=type(exc).__name__,
        message=str(exc)[:200],
        failed_after_seconds=round(elapsed, 3),
        busy_timeout=DEFERRED_BUSY_TIMEOUT,
        counter_increase=after - before,
    )
    assert isinstance(exc, novelkit.LockTimeoutError)
    assert 'sqlite_begin="immediate"' in str(exc)  # the message names the remedy
    assert elapsed < AT_ONCE_SECONDS < DEFERRED_BUSY_TIMEOUT
    assert after - before == 1  # the first transaction committed, the second nothing


@pytest.mark.parametrize("kind", ["write-wal", "read-rollback"])
async def test_lock_held_past_busy_timeout_raises_after_about_the_timeout(
    kind: str, demo_sqlite: Path, fixture_sqlite: Path
) -> None:
    """Another connection holds the lock: LockTimeoutError after ~busy_timeout, no hang."""
    parameters: tuple[Any, ...]
    if kind == "write-wal":
        db, hold = demo_sqlite, "BEGIN IMMEDIATE"
        engine = novelkit.create_engine(
            db, read_only=False, sqlite_begin="immediate", busy_timeout=LOCK_BUSY_TIMEOUT
        )
        statement, parameters = COUNTER_UPDATE, (1,)
    else:
        db, hold = fixture_sqlite, "BEGIN EXCLUSIVE"
        engine = novelkit.create_engine(db, busy_timeout=LOCK_BUSY_TIMEOUT)
        statement, parameters = "SELECT count(*) FROM chapters", ()
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute(hold)
        t0 = time.monotonic()
        with pytest.raises(novelkit.LockTimeoutError, match="locked"):
            async with engine.begin() as conn:
                await asyncio.wait_for(
                    conn.exec_driver_sql(statement, parameters), timeout=HANG_GUARD_SECONDS
                )
        elapsed = time.monotonic() - t0
    finally:
        holder.rollback()
        holder.close()
        await engine.dispose()
    _record(
        f"lock_held[{kind}]",
        busy_timeout=LOCK_BUSY_TIMEOUT,
        raised_after_seconds=round(elapsed, 3),
    )
    assert LOCK_ELAPSED_MIN <= elapsed <= LOCK_BUSY_TIMEOUT + LOCK_ELAPSED_MARGIN


# -- statement timeout and cancellation ----------------------------------------


async def _cpu_while_idle() -> float:
    """CPU seconds this process uses while the event loop idles IDLE_WINDOW_SECONDS."""
    cpu = time.process_time()
    await asyncio.sleep(IDLE_WINDOW_SECONDS)
    return time.process_time() - cpu


async def _threads_settle(baseline: int) -> int:
    """The thread count once it is back at ``baseline`` (or after THREAD_SETTLE_SECONDS)."""
    deadline = time.monotonic() + THREAD_SETTLE_SECONDS
    while threading.active_count() > baseline and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return threading.active_count()


async def test_statement_timeout_stops_the_query_in_sqlite(fixture_sqlite: Path) -> None:
    engine = novelkit.create_engine(fixture_sqlite, statement_timeout=STATEMENT_TIMEOUT)
    try:
        async with engine.connect() as conn:
            t0 = time.monotonic()
            limit = re.escape(f"statement_timeout ({STATEMENT_TIMEOUT:g} s)")
            with pytest.raises(novelkit.QueryTimeoutError, match=limit):
                await asyncio.wait_for(
                    conn.exec_driver_sql(ENDLESS_QUERY), timeout=HANG_GUARD_SECONDS
                )
            raised_after = time.monotonic() - t0
            # The same connection answers at once: its worker thread is free again.
            t1 = time.monotonic()
            assert (await conn.exec_driver_sql("SELECT 1")).scalar_one() == 1
            next_query = time.monotonic() - t1
            idle_cpu = await _cpu_while_idle()
    finally:
        await engine.dispose()
    _record(
        "statement_timeout",
        statement_timeout=STATEMENT_TIMEOUT,
        raised_after_seconds=round(raised_after, 3),
        next_query_seconds=round(next_query, 3),
        idle_cpu_seconds=round(idle_cpu, 3),
    )
    assert STATEMENT_TIMEOUT * 0.9 <= raised_after <= STATEMENT_TIMEOUT + TIMEOUT_MARGIN
    assert next_query < 1.0
    assert idle_cpu < IDLE_CPU_MAX


async def _cancel_endless_query(engine: AsyncEngine) -> tuple[asyncio.Task[Any], list[Any]]:
    """Start the endless query in a task, cancel it once it runs; (task, driver connections)."""
    drivers: list[Any] = []
    running = asyncio.Event()

    @event.listens_for(engine.sync_engine, "connect")
    def _keep(dbapi_connection: Any, _record: Any) -> None:
        drivers.append(dbapi_connection.driver_connection)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _started(*_args: Any) -> None:
        running.set()

    async def query() -> Any:
        async with engine.connect() as conn:
            return (await conn.exec_driver_sql(ENDLESS_QUERY)).scalar_one()

    task = asyncio.create_task(query())
    await asyncio.wait_for(running.wait(), timeout=HANG_GUARD_SECONDS)
    await asyncio.sleep(CANCEL_AFTER_SECONDS)
    task.cancel()
    return task, drivers


async def test_cancelling_the_task_stops_the_sqlite_query(fixture_sqlite: Path) -> None:
    gc.collect()
    baseline = await _threads_settle(threading.active_count())
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        t0 = time.monotonic()
        task, drivers = await _cancel_endless_query(engine)
        cancelled_at = time.monotonic()
        done, _ = await asyncio.wait({task}, timeout=CANCEL_STOP_MARGIN * 5)
        stopped_after = time.monotonic() - cancelled_at
        if not done:  # let the test fail without leaving a query running
            for driver in drivers:
                await driver.interrupt()
            await asyncio.wait({task}, timeout=HANG_GUARD_SECONDS)
        assert task.cancelled()
        idle_cpu = await _cpu_while_idle()
        threads = await _threads_settle(baseline)
        # The engine still works after the cancellation.
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT 1")).scalar_one() == 1
    finally:
        await engine.dispose()
    _record(
        "cancellation",
        ran_before_cancel_seconds=round(cancelled_at - t0, 3),
        stopped_after_cancel_seconds=round(stopped_after, 3),
        idle_cpu_seconds=round(idle_cpu, 3),
        threads_baseline=baseline,
        threads_after=threads,
    )
    assert stopped_after <= CANCEL_STOP_MARGIN
    assert idle_cpu < IDLE_CPU_MAX
    assert threads <= baseline


async def test_cancelling_without_novelkit_leaves_the_query_running(fixture_sqlite: Path) -> None:
    """Negative control: a plain aiosqlite engine keeps running a cancelled query."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{fixture_sqlite}", poolclass=NullPool)
    try:
        task, drivers = await _cancel_endless_query(engine)
        done, _ = await asyncio.wait({task}, timeout=CANCEL_STOP_MARGIN)
        busy_cpu = await _cpu_while_idle()
        # Clean up by hand: what novelkit does on cancellation.
        for driver in drivers:
            await driver.interrupt()
        await asyncio.wait({task}, timeout=HANG_GUARD_SECONDS)
    finally:
        await engine.dispose()
    _record(
        "cancellation_negative_control",
        pending_after_seconds=CANCEL_STOP_MARGIN if not done else None,
        cpu_while_waiting_seconds=round(busy_cpu, 3),
    )
    assert not done, "the cancelled task finished: the query stopped without an interrupt"
    assert busy_cpu >= IDLE_CPU_MAX
    assert task.done()


# -- no leaks -----------------------------------------------------------------


async def test_mixed_operations_leak_nothing(fixture_sqlite: Path) -> None:
    """1,000 operations (success, SQL error, cancellation, timeout): nothing leaks."""
    gc.collect()
    baseline = await _threads_settle(threading.active_count())
    plain = novelkit.create_engine(fixture_sqlite)
    timed = novelkit.create_engine(fixture_sqlite, statement_timeout=MIXED_STATEMENT_TIMEOUT)
    outcomes: Counter[str] = Counter()
    limit = asyncio.Semaphore(MIXED_CONCURRENCY)

    async def success(i: int) -> None:
        if i % 2:
            async with novelkit.open_session(plain) as session:
                assert len(await novelkit.load_novels(session)) > 0
        else:
            async with plain.connect() as conn:
                assert (await conn.exec_driver_sql("SELECT count(*) FROM chapters")).scalar()
        outcomes["success"] += 1

    async def sql_error(i: int) -> None:
        try:
            if i % 2:
                async with novelkit.open_session(plain) as session:
                    await novelkit.load_table(session, "no_such_table")
            else:
                async with plain.connect() as conn:
                    await conn.exec_driver_sql("SELECT * FROM no_such_table")
        except (novelkit.UnknownObjectError, sa.exc.OperationalError):
            outcomes["sql_error"] += 1

    async def cancellation(i: int) -> None:
        async def endless() -> None:
            async with plain.connect() as conn:
                await conn.exec_driver_sql(ENDLESS_QUERY)

        task = asyncio.create_task(endless())
        await asyncio.sleep((0.0, 0.005, 0.02, 0.05)[i % 4])
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=HANG_GUARD_SECONDS)
        if done and task.cancelled():
            outcomes["cancellation"] += 1

    async def timeout(_i: int) -> None:
        try:
            async with timed.connect() as conn:
                await conn.exec_driver_sql(ENDLESS_QUERY)
        except novelkit.QueryTimeoutError:
            outcomes["timeout"] += 1

    operations = (success, sql_error, cancellation, timeout)

    async def run(i: int) -> None:
        async with limit:
            await operations[i % len(operations)](i)

    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with (
                novelkit.track_leaks(plain, warn=False) as plain_leaks,
                novelkit.track_leaks(timed, warn=False) as timed_leaks,
            ):
                await asyncio.wait_for(
                    asyncio.gather(*(run(i) for i in range(MIXED_OPERATIONS))),
                    timeout=HANG_GUARD_SECONDS * 6,
                )
        finally:
            await plain.dispose()
            await timed.dispose()
        gc.collect()
        threads = await _threads_settle(baseline)
        gc.collect()
    elapsed = time.monotonic() - started
    resource_warnings = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    per_kind = MIXED_OPERATIONS // len(operations)
    _record(
        "no_leaks",
        operations=MIXED_OPERATIONS,
        outcomes=dict(outcomes),
        leaked_connections=plain_leaks.leaked + timed_leaks.leaked,
        threads_baseline=baseline,
        threads_after=threads,
        resource_warnings=len(resource_warnings),
        other_warnings=len(caught) - len(resource_warnings),
        elapsed=round(elapsed, 2),
    )
    assert dict(outcomes) == {op.__name__: per_kind for op in operations}
    assert plain_leaks.leaked == 0, plain_leaks.where[:3]
    assert timed_leaks.leaked == 0, timed_leaks.where[:3]
    assert threads <= baseline
    assert resource_warnings == []
    assert [str(w.message) for w in caught] == []
