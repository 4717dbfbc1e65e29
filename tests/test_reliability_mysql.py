"""MariaDB reliability on real servers: faults, timeouts, cancellation, leaks, TLS.

Issue 7, points 3, 4, 5 and 7 (MariaDB half). The shared server (``mysql_db``,
``mysql_fixture_db``) is used for everything that does not stop a server; a
private ``mariadbd`` (tests/mariadb_server.py, with TLS from a throw-away
``trustme`` CA) is stopped and started. Every figure asserted is an UPPERCASE
constant below; what the tests measured is written as JSON to
``$NOVELKIT_RELIABILITY_OUT`` (key ``"mariadb"``) when that is set.
No traffic leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import re
import threading
import time
import warnings
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pymysql
import pytest
import pytest_asyncio
import sqlalchemy.exc
from mariadb_server import PrivateMariaDB, TLSFiles, missing_binaries, slow_link
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import novelkit
from novelkit import (
    NovelkitError,
    QueryTimeoutError,
    ServerUnavailableError,
    create_engine,
    open_session,
    pool_status,
    track_leaks,
)

if TYPE_CHECKING:
    from conftest import MySQLDatabase

pytestmark = pytest.mark.mysql

# --- the figures these tests assert --------------------------------------------------

#: connect_timeout given to engines in fault tests, seconds.
CONNECT_TIMEOUT = 2.0
#: The TLS tests check what fails or succeeds, not how fast: a TLS handshake with the
#: private server on a loaded 2-core machine once took over 2 s (a full-suite run),
#: and the handshake deadline then hid the certificate error the test looks for.
TLS_CONNECT_TIMEOUT = 15.0
#: How late a slow link hands on the server's bytes, seconds: the loop has closed by then.
SLOW_LINK_DELAY = 0.3
#: Added to every time bound: 2 shared cores, so generous.
TIME_MARGIN = 3.0
#: Connections held at once and then killed from the admin account.
KILLED_CONNECTIONS = 3
#: Session wait_timeout set on novelkit's connections, and the idle pause after it.
IDLE_WAIT_TIMEOUT = 2
IDLE_PAUSE = 3.0
#: statement_timeout of the timeout tests, and the query they stop.
STATEMENT_TIMEOUT = 2.0
SLOW_QUERY = "SELECT SLEEP(30)"
#: A query that only stops when killed: MariaDB ends a SLEEP() of a vanished
#: client within 5 s by itself, which would hide a query left running.
UNSTOPPABLE_QUERY = "SELECT BENCHMARK(2000000000, MD5('novelkit'))"
#: How long a query runs before its task is cancelled, and how soon after the
#: cancel it must be gone from the processlist (less than the 5 s after which
#: MariaDB would drop a SLEEP() of a vanished client by itself).
CANCEL_AFTER = 0.5
CANCEL_STOP_WITHIN = 2.0
#: Without the KILL QUERY hook the query is still running this long after the cancel.
UNHOOKED_STILL_RUNNING_AFTER = 1.5
#: Rows of the slow read killed midway (one row per millisecond or so), and when.
MID_READ_ROWS = 5000
MID_READ_KILL_AFTER = 1.0
#: The leak run: operations by kind, concurrency, pool and per-statement limit.
LEAK_MIX = {"success": 600, "sql_error": 150, "disconnect": 50, "cancel": 100, "timeout": 100}
LEAK_OPERATIONS = sum(LEAK_MIX.values())
LEAK_CONCURRENCY = 8
LEAK_POOL_SIZE = 5
LEAK_MAX_OVERFLOW = 10
#: Long enough that no other operation reaches it on a loaded 2-core machine: at 0.25 s
#: a CI run saw one of the 150 SQL errors come back as something else.
LEAK_STATEMENT_TIMEOUT = 1.0
#: Seconds the server may take to end killed connections' threads.
PROCESSLIST_SETTLE = 10.0

FIGURES = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, (int, float, str, dict)) and not isinstance(value, bool)
}
MEASURED: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _record_measurements() -> Iterator[None]:
    """Write the figures and what was measured to $NOVELKIT_RELIABILITY_OUT."""
    yield
    out = os.environ.get("NOVELKIT_RELIABILITY_OUT")
    if not out or not MEASURED:
        return
    path = Path(out)
    data = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    data["mariadb"] = {"figures": FIGURES, "measured": MEASURED}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


# --- helpers ---------------------------------------------------------------------


def _admin(db: MySQLDatabase) -> pymysql.connections.Connection:
    return db.connect(admin=True)


def _processlist(db: MySQLDatabase, user: str) -> list[tuple[int, str, str | None]]:
    """(id, command, info) of ``user``'s connections to ``db`` (never the admin's own)."""
    conn = _admin(db)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, command, info FROM information_schema.processlist "
            "WHERE user = %s AND db = %s AND id <> CONNECTION_ID()",
            (user, db.name),
        )
        return [(int(r[0]), str(r[1]), r[2]) for r in cur.fetchall()]


def _running(db: MySQLDatabase, user: str, query: str) -> int:
    return sum(1 for _id, _cmd, info in _processlist(db, user) if info == query)


def _kill(db: MySQLDatabase, thread_ids: list[int], what: str = "CONNECTION") -> None:
    conn = _admin(db)
    with conn, conn.cursor() as cur:
        for thread_id in thread_ids:
            try:
                cur.execute(f"KILL {what} {int(thread_id)}")
            except pymysql.err.OperationalError as exc:
                if exc.args[0] != 1094:  # unknown thread: it ended meanwhile
                    raise


async def _wait_until(predicate: Any, within: float, step: float = 0.05) -> float | None:
    """Seconds until ``predicate()`` held, or None if it did not within ``within``."""
    start = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > within:
            return None
        await asyncio.sleep(step)


async def _scalar(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def _hold_connections(engine: AsyncEngine, count: int) -> list[int]:
    """Check ``count`` connections out at once (so the pool keeps them); their thread ids."""
    conns = [await engine.connect() for _ in range(count)]
    try:
        return [int((await c.execute(text("SELECT CONNECTION_ID()"))).scalar()) for c in conns]
    finally:
        for conn in conns:
            await conn.close()


# --- 3. faults on the shared server ----------------------------------------------------


@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre_ping", "no_pre_ping"])
@pytest.mark.parametrize("fault", ["kill", "idle"])
async def test_next_call_after_server_side_disconnect(
    mysql_fixture_db: MySQLDatabase, fault: str, pre_ping: bool
) -> None:
    """KILL of every novelkit connection, or an idle disconnect (wait_timeout), between calls.

    With pre-ping (novelkit's default) the next loader call succeeds at the first
    try and returns the same rows; the negative control without pre-ping fails
    exactly once with ServerUnavailableError, and the call after it succeeds.
    The control is a read_only=False engine (on the SELECT-only account): a
    read-only engine's SET SESSION TRANSACTION READ ONLY at checkout finds a
    dead connection as pre-ping does (test_sql_safety.py checks that).
    """
    db = mysql_fixture_db
    user = db.ro_url.username
    options: dict[str, Any] = {"pool_pre_ping": pre_ping, "read_only": pre_ping}
    if fault == "idle":
        options["connect_args"] = {"init_command": f"SET SESSION wait_timeout={IDLE_WAIT_TIMEOUT}"}
    engine = create_engine(db.ro_url, connect_timeout=CONNECT_TIMEOUT, **options)
    try:
        async with open_session(engine) as session:
            before = await novelkit.load_novels(session)
        held = await _hold_connections(engine, KILLED_CONNECTIONS)
        assert pool_status(engine).checked_in == KILLED_CONNECTIONS
        if fault == "kill":
            assert set(held) <= {i for i, _c, _q in _processlist(db, user)}
            _kill(db, held)
        else:
            assert await _scalar(engine, "SELECT @@session.wait_timeout") == IDLE_WAIT_TIMEOUT
            await asyncio.sleep(IDLE_PAUSE)
        gone = await _wait_until(
            lambda: not set(held) & {i for i, _c, _q in _processlist(db, user)}, PROCESSLIST_SETTLE
        )
        assert gone is not None, "the server did not drop novelkit's connections"

        outcomes: list[str] = []
        for _attempt in range(2):
            try:
                async with open_session(engine) as session:
                    after = await novelkit.load_novels(session)
                outcomes.append("ok")
            except ServerUnavailableError:
                outcomes.append("ServerUnavailableError")
        if pre_ping:
            assert outcomes == ["ok", "ok"]
            assert after.equals(before)
        else:
            assert outcomes == ["ServerUnavailableError", "ok"]
        MEASURED.setdefault("disconnects", {})[
            f"{fault}-{'pre_ping' if pre_ping else 'no_pre_ping'}"
        ] = {
            "connections_dropped": KILLED_CONNECTIONS,
            "outcomes": outcomes,
        }
    finally:
        await engine.dispose()


async def test_connection_killed_mid_read_raises_and_returns_nothing(
    mysql_db: MySQLDatabase,
) -> None:
    """KILL CONNECTION while rows are arriving: a NovelkitError, never a short result.

    Buffered (``execute().all()``) returns nothing at all; streamed
    (``stream()``) raises before its end instead of ending early.
    """
    user = mysql_db.url.username
    engine = create_engine(mysql_db.url, connect_timeout=CONNECT_TIMEOUT)
    # 100-byte rows: the server flushes its 16 KB buffer every ~150 rows, so a
    # stream has received some rows when the kill comes.
    slow_read = (
        f"SELECT seq, REPEAT('x', 100) AS pad, SLEEP(0.001) AS s FROM seq_1_to_{MID_READ_ROWS}"
    )
    results: dict[str, Any] = {}
    try:
        for mode in ("buffered", "streamed"):
            received: list[Any] = []

            async def read(mode: str = mode, received: list[Any] = received) -> None:
                async with engine.connect() as conn:
                    if mode == "buffered":
                        received.extend((await conn.execute(text(slow_read))).all())
                    else:
                        async for row in await conn.stream(text(slow_read)):
                            received.append(row)

            task = asyncio.create_task(read())
            await asyncio.sleep(MID_READ_KILL_AFTER)
            victims = [i for i, _c, info in _processlist(mysql_db, user) if info == slow_read]
            assert len(victims) == 1, "the slow read was not running"
            _kill(mysql_db, victims)
            with pytest.raises(NovelkitError) as caught:
                await asyncio.wait_for(task, CONNECT_TIMEOUT + TIME_MARGIN)
            if mode == "buffered":
                assert received == []
            else:
                assert 0 < len(received) < MID_READ_ROWS, "the stream did not stop midway"
            results[mode] = {"rows_received": len(received), "error": type(caught.value).__name__}
        # The engine recovers: pre-ping replaces the killed connection.
        assert await _scalar(engine, "SELECT 1") == 1
        MEASURED["killed_mid_read"] = results
    finally:
        await engine.dispose()


# --- 4. statement timeouts and cancellation ----------------------------------------


async def test_statement_timeout_stops_the_query_on_the_server(mysql_db: MySQLDatabase) -> None:
    """create_engine(statement_timeout=): QueryTimeoutError in time, and the server stopped."""
    user = mysql_db.url.username
    engine = create_engine(mysql_db.url, statement_timeout=STATEMENT_TIMEOUT)
    try:
        start = time.monotonic()
        limit = re.escape(f"statement_timeout ({STATEMENT_TIMEOUT:g} s)")
        with pytest.raises(QueryTimeoutError, match=limit) as raised:
            await _scalar(engine, SLOW_QUERY)
        elapsed = time.monotonic() - start
        assert STATEMENT_TIMEOUT * 0.9 <= elapsed < STATEMENT_TIMEOUT + TIME_MARGIN
        # The server's message with its code, not the driver's Python tuple around them.
        assert "max_statement_time exceeded) (1969))" in str(raised.value)
        assert "((1969" not in str(raised.value)
        # The server ended it itself (max_statement_time): nothing left to kill.
        assert _running(mysql_db, user, SLOW_QUERY) == 0
        assert not any("SLEEP(30)" in (info or "") for _i, _c, info in _processlist(mysql_db, user))
        assert await _scalar(engine, "SELECT 1") == 1
        MEASURED["statement_timeout_engine_s"] = round(elapsed, 3)
    finally:
        await engine.dispose()


async def test_errors_are_translated_after_a_loader_reflected_on_the_connection(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    """A loader reflects its tables on the session's own connection first; SQLAlchemy's
    MySQL reflection sets ``skip_user_error_events`` on that connection, which hid every
    later error from novelkit's translation (a statement timeout came out as a raw
    OperationalError with the whole SQL)."""
    from sqlalchemy import text

    engine = create_engine(mysql_fixture_db.ro_url, statement_timeout=0.5)
    try:
        async with novelkit.open_session(engine) as session:
            await novelkit.load_outlines(session, fast=False)  # reflects chapter_outlines
            with pytest.raises(QueryTimeoutError, match=r"statement_timeout \(0\.5 s\)"):
                await session.execute(text("SELECT SLEEP(3)"))
            await session.rollback()
            await novelkit.load_novels(session, fast=False)
            with pytest.raises(novelkit.errors.QueryError, match=r"may not read.*GRANT SELECT"):
                await session.execute(text("SELECT * FROM mysql.user"))
    finally:
        await engine.dispose()


def test_statement_timeout_through_connect(mysql_db: MySQLDatabase) -> None:
    """connect(statement_timeout=) gives the facade's engine the same limit."""
    user = mysql_db.url.username
    with novelkit.connect(mysql_db.url, statement_timeout=STATEMENT_TIMEOUT) as db:

        async def slow() -> Any:
            return await _scalar(db.engine, SLOW_QUERY)

        start = time.monotonic()
        with pytest.raises(QueryTimeoutError):
            # _run is the path every facade method takes (loop thread, interrupt hook).
            db._run(slow())
        elapsed = time.monotonic() - start
        assert STATEMENT_TIMEOUT * 0.9 <= elapsed < STATEMENT_TIMEOUT + TIME_MARGIN
        assert not any("SLEEP(30)" in (info or "") for _i, _c, info in _processlist(mysql_db, user))
        MEASURED["statement_timeout_connect_s"] = round(elapsed, 3)


async def _cancel_running(engine: AsyncEngine, db: MySQLDatabase, user: str, query: str) -> float:
    """Start ``query``, cancel its task after CANCEL_AFTER; seconds the cancel took."""

    async def run() -> Any:
        return await _scalar(engine, query)

    task = asyncio.create_task(run())
    await asyncio.sleep(CANCEL_AFTER)
    assert _running(db, user, query) == 1, "the query was not running"
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return time.monotonic() - start


@pytest.mark.parametrize("query", [SLOW_QUERY, UNSTOPPABLE_QUERY], ids=["sleep", "benchmark"])
async def test_cancelled_task_stops_its_query_on_the_server(
    mysql_db: MySQLDatabase, query: str
) -> None:
    """Cancelling the awaiting task sends KILL QUERY: the query leaves the processlist."""
    user = mysql_db.url.username
    engine = create_engine(mysql_db.url, connect_timeout=CONNECT_TIMEOUT)
    try:
        cancel_took = await _cancel_running(engine, mysql_db, user, query)
        gone = await _wait_until(lambda: _running(mysql_db, user, query) == 0, CANCEL_STOP_WITHIN)
        assert gone is not None, f"{query} still runs {CANCEL_STOP_WITHIN} s after the cancel"
        assert await _scalar(engine, "SELECT 1") == 1
        assert pool_status(engine).checked_out == 0
        MEASURED.setdefault("cancel", {})[query] = {
            "cancel_took_s": round(cancel_took, 3),
            "gone_after_s": round(cancel_took + gone, 3),
        }
    finally:
        await engine.dispose()
        _kill(mysql_db, [i for i, _c, info in _processlist(mysql_db, user) if info], "QUERY")


async def test_negative_control_cancel_without_the_hook_leaves_the_query_running(
    mysql_db: MySQLDatabase,
) -> None:
    """A plain SQLAlchemy engine: cancelling the task alone leaves the query on the server."""
    user = mysql_db.url.username
    engine = create_async_engine(mysql_db.url)
    try:
        await _cancel_running(engine, mysql_db, user, UNSTOPPABLE_QUERY)
        await asyncio.sleep(UNHOOKED_STILL_RUNNING_AFTER)
        assert _running(mysql_db, user, UNSTOPPABLE_QUERY) == 1
        MEASURED["cancel_without_hook_still_running_after_s"] = UNHOOKED_STILL_RUNNING_AFTER
    finally:
        await engine.dispose()
        victims = [i for i, _c, info in _processlist(mysql_db, user) if info == UNSTOPPABLE_QUERY]
        _kill(mysql_db, victims, "QUERY")


async def test_a_cancellation_swallowed_during_the_connect_is_honoured(
    mysql_db: MySQLDatabase,
) -> None:
    """Python 3.11's asyncio.wait_for (asyncmy opens its socket under it) returns the
    connection when it completes as the task's cancellation lands, swallowing it: the
    cancelled task then ran its statement to the end (under load, tasks cancelled at
    25 ms ran to their 1 s statement timeout). A cancellation still pending
    (``Task.cancelling()``) when the connect returns now ends the connect."""
    engine = create_engine(mysql_db.url, connect_timeout=CONNECT_TIMEOUT)

    async def cancelled_then_swallowed() -> Any:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        # The cancellation lands here and is swallowed, as wait_for does.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0)
        assert task.cancelling() == 1
        return await _scalar(engine, "SELECT 1")

    try:
        with pytest.raises(asyncio.CancelledError):
            await asyncio.create_task(cancelled_then_swallowed())
        assert pool_status(engine).checked_out == 0
        assert await _scalar(engine, "SELECT 1") == 1  # the engine goes on
    finally:
        await engine.dispose()


# --- 5. no leaks -----------------------------------------------------------------


async def test_no_leaks_after_mixed_operations(mysql_db: MySQLDatabase) -> None:
    """LEAK_OPERATIONS mixed operations, LEAK_CONCURRENCY workers, on one engine.

    Afterwards: no connection checked out (track_leaks and pool_status), the
    thread count back to its baseline, at most the pool size of connections in
    the processlist, no ResourceWarning and no error reported by the event loop.
    """
    user = mysql_db.url.username
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    threads_before = threading.active_count()
    kinds = [kind for kind, count in LEAK_MIX.items() for _ in range(count)]
    random.Random(7).shuffle(kinds)
    outcomes: Counter[str] = Counter()
    admin = _admin(mysql_db)
    engine = create_engine(
        mysql_db.url,
        connect_timeout=CONNECT_TIMEOUT,
        statement_timeout=LEAK_STATEMENT_TIMEOUT,
        pool_size=LEAK_POOL_SIZE,
        max_overflow=LEAK_MAX_OVERFLOW,
    )

    async def operation(kind: str) -> None:
        try:
            if kind == "success":
                assert await _scalar(engine, "SELECT 1 + 1") == 2
            elif kind == "sql_error":
                await _scalar(engine, "SELECT * FROM no_such_table")
            elif kind == "disconnect":
                async with engine.connect() as conn:
                    thread_id = (await conn.execute(text("SELECT CONNECTION_ID()"))).scalar()
                    with admin.cursor() as cur:
                        cur.execute(f"KILL CONNECTION {int(thread_id)}")
                    await conn.execute(text("SELECT 1"))
            elif kind == "cancel":
                started = loop.time()
                task = asyncio.create_task(_scalar(engine, "SELECT SLEEP(5)"))
                await asyncio.sleep(0.02)
                late = loop.time() - started >= LEAK_STATEMENT_TIMEOUT
                if not task.cancel() or late:
                    # The loop was starved past the statement timeout before the
                    # cancel (a loaded or traced run: 6 and 7 of 100 seen): the
                    # server's timeout came first, so the task may end as a timeout
                    # (or with SLEEP's 1, as for "timeout") as well as cancelled.
                    # Only a cancel sent in time must end as a cancellation.
                    with contextlib.suppress(QueryTimeoutError, asyncio.CancelledError):
                        await task
                    outcomes["cancel:ended_first"] += 1
                    return
                await task
            elif kind == "timeout":
                slept = await _scalar(engine, "SELECT SLEEP(5)")
                if slept == 1:
                    # MariaDB's SLEEP() returns 1 when interrupted: when the deadline
                    # lands at the wrong moment the statement ends without an error,
                    # but it was stopped all the same (seen once under load).
                    outcomes["timeout:interrupted"] += 1
                    return
            outcomes[f"{kind}:ok"] += 1
        except asyncio.CancelledError:
            outcomes[f"{kind}:CancelledError"] += 1
        except (NovelkitError, sqlalchemy.exc.DBAPIError) as exc:
            outcomes[f"{kind}:{type(exc).__name__}"] += 1

    queue = list(kinds)

    async def worker() -> None:
        while queue:
            await operation(queue.pop())

    started = time.monotonic()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with track_leaks(engine) as report:
                await asyncio.gather(*(worker() for _ in range(LEAK_CONCURRENCY)))
            status = pool_status(engine)
            settled = await _wait_until(
                lambda: len(_processlist(mysql_db, user)) <= LEAK_POOL_SIZE, PROCESSLIST_SETTLE
            )
            connections_after = len(_processlist(mysql_db, user))
            await engine.dispose()
            gone = await _wait_until(lambda: not _processlist(mysql_db, user), PROCESSLIST_SETTLE)
            gc.collect()
        duration = time.monotonic() - started
    finally:
        loop.set_exception_handler(previous_handler)
        admin.close()
        await engine.dispose()

    # Compared whole, so that a failure shows every outcome, not one count.
    stopped = outcomes.pop("timeout:interrupted", 0)
    outcomes["timeout:QueryTimeoutError"] += stopped
    ended_first = outcomes.pop("cancel:ended_first", 0)
    assert ended_first <= LEAK_MIX["cancel"] // 4, outcomes  # a stall, not the rule
    outcomes["cancel:CancelledError"] += ended_first
    assert dict(outcomes) == {
        "success:ok": LEAK_MIX["success"],
        "sql_error:ProgrammingError": LEAK_MIX["sql_error"],
        "disconnect:ServerUnavailableError": LEAK_MIX["disconnect"],
        "cancel:CancelledError": LEAK_MIX["cancel"],
        "timeout:QueryTimeoutError": LEAK_MIX["timeout"],
    }
    assert report.leaked == 0, report.where
    assert status.checked_out == 0
    assert settled is not None
    assert connections_after <= LEAK_POOL_SIZE
    assert gone is not None
    assert threading.active_count() == threads_before
    resource_warnings = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert resource_warnings == []
    assert loop_errors == []
    MEASURED["leaks"] = {
        "operations": LEAK_OPERATIONS,
        "outcomes": dict(sorted(outcomes.items())),
        "timeouts_seen_as_sleep_returning_1": stopped,
        "cancels_after_the_task_ended": ended_first,
        "checked_out_after": status.checked_out,
        "leaked": report.leaked,
        "processlist_after_run": connections_after,
        "processlist_after_dispose": 0,
        "threads_before": threads_before,
        "threads_after": threading.active_count(),
        "resource_warnings": len(resource_warnings),
        "seconds": round(duration, 1),
    }


# --- a private server: restart and TLS ------------------------------------------

PRIVATE_DB = "nkpriv"
PRIVATE_USER, PRIVATE_PASSWORD = "nk_priv", "priv:P@ss/42"
X509_USER, X509_PASSWORD = "nk_x509", "x509-Pass_42"


@pytest.fixture(scope="session")
def private_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateMariaDB]:
    """A mariadbd of our own, with TLS from a throw-away CA, on a free port of 127.0.0.1."""
    missing = missing_binaries()
    if missing:
        message = (
            f"a private MariaDB server needs {', '.join(missing)} (apt install mariadb-server)"
        )
        if os.environ.get("NOVELKIT_REQUIRE_MYSQL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    import trustme

    folder = tmp_path_factory.mktemp("mariadbd")
    ca, wrong_ca = trustme.CA(), trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    client_cert = ca.issue_cert("novelkit-client")
    tls = TLSFiles(
        ca=folder / "ca.pem",
        wrong_ca=folder / "wrong-ca.pem",
        server_cert=folder / "server-cert.pem",
        server_key=folder / "server-key.pem",
        client_cert=folder / "client-cert.pem",
        client_key=folder / "client-key.pem",
    )
    ca.cert_pem.write_to_path(str(tls.ca))
    wrong_ca.cert_pem.write_to_path(str(tls.wrong_ca))
    server_cert.private_key_pem.write_to_path(str(tls.server_key))
    server_cert.cert_chain_pems[0].write_to_path(str(tls.server_cert))
    client_cert.private_key_pem.write_to_path(str(tls.client_key))
    client_cert.cert_chain_pems[0].write_to_path(str(tls.client_cert))
    server = PrivateMariaDB(folder=folder, tls=tls)
    server.install()
    server.start()
    try:
        server.add_account(PRIVATE_USER, PRIVATE_PASSWORD, PRIVATE_DB)
        server.add_account(X509_USER, X509_PASSWORD, PRIVATE_DB, require_x509=True)
        server.sql(
            f"CREATE TABLE `{PRIVATE_DB}`.notes (id INT PRIMARY KEY, body TEXT);\n"
            f"INSERT INTO `{PRIVATE_DB}`.notes VALUES (1, 'one'), (2, 'two'), (3, 'three');\n"
        )
        yield server
    finally:
        server.stop()


def _private_url(server: PrivateMariaDB, user: str = PRIVATE_USER) -> URL:
    password = PRIVATE_PASSWORD if user == PRIVATE_USER else X509_PASSWORD
    return server.account_url(user, password, PRIVATE_DB)


@pytest_asyncio.fixture
async def running_private_server(private_server: PrivateMariaDB) -> AsyncIterator[PrivateMariaDB]:
    private_server.start()
    yield private_server
    private_server.start()  # leave it running for the next test, whatever happened


async def test_server_restart_between_two_calls(running_private_server: PrivateMariaDB) -> None:
    """Stop the server between calls: ServerUnavailableError within connect_timeout;
    after the restart the same engine and the same connect() facade work again."""
    server = running_private_server
    url = _private_url(server)
    engine = create_engine(url, connect_timeout=CONNECT_TIMEOUT)
    facade = novelkit.connect(url, connect_timeout=CONNECT_TIMEOUT)
    # db.sql(), not db.table(): loaders now refuse a database without novel_projects
    # (NotArborisDatabaseError), and this server holds one table of its own.
    count = "SELECT COUNT(*) FROM notes"
    try:
        assert await _scalar(engine, count) == 3
        assert facade.sql(count).iloc[0, 0] == 3

        server.stop()
        down: dict[str, float] = {}
        start = time.monotonic()
        with pytest.raises(ServerUnavailableError) as caught:
            await _scalar(engine, count)
        down["engine"] = time.monotonic() - start
        assert PRIVATE_PASSWORD not in str(caught.value)
        start = time.monotonic()
        with pytest.raises(ServerUnavailableError):
            facade.sql(count)
        down["facade"] = time.monotonic() - start
        assert max(down.values()) < CONNECT_TIMEOUT + TIME_MARGIN

        server.start()
        assert await _scalar(engine, count) == 3
        assert facade.sql(count).iloc[0, 0] == 3
        assert pool_status(engine).checked_out == 0
        MEASURED["restart"] = {
            "down_error_after_s": {k: round(v, 3) for k, v in down.items()},
            "after_restart": "same engine and facade answered",
        }
    finally:
        facade.close()
        await engine.dispose()


async def test_tls_with_the_right_ca_connects_encrypted(
    running_private_server: PrivateMariaDB,
) -> None:
    """ssl_ca/ssl_cert/ssl_key as keywords and as URL query reach asyncmy.

    The account REQUIRE X509 only lets a client in with a certificate the CA
    signed, so getting in proves the client certificate and key were sent;
    Ssl_cipher non-empty proves the session is encrypted.
    """
    server = running_private_server
    assert server.tls is not None
    tls = server.tls
    url = _private_url(server, X509_USER)
    keywords = {"ssl_ca": tls.ca, "ssl_cert": tls.client_cert, "ssl_key": tls.client_key}
    query_url = url.update_query_dict({k: str(v) for k, v in keywords.items()})
    ciphers = {}
    for how, engine in (
        ("keywords", create_engine(url, connect_timeout=TLS_CONNECT_TIMEOUT, **keywords)),
        ("url_query", create_engine(query_url, connect_timeout=TLS_CONNECT_TIMEOUT)),
    ):
        try:
            async with engine.connect() as conn:
                row = (await conn.execute(text("SHOW STATUS LIKE 'Ssl_cipher'"))).one()
                assert (await conn.execute(text("SELECT COUNT(*) FROM notes"))).scalar() == 3
            assert row[1], f"{how}: the session is not encrypted"
            ciphers[how] = row[1]
        finally:
            await engine.dispose()
    MEASURED["tls_cipher"] = ciphers


async def test_tls_client_certificate_is_needed_for_x509_account(
    running_private_server: PrivateMariaDB,
) -> None:
    """Negative control for the certificate: CA alone is not enough for REQUIRE X509."""
    server = running_private_server
    assert server.tls is not None
    engine = create_engine(
        _private_url(server, X509_USER), connect_timeout=TLS_CONNECT_TIMEOUT, ssl_ca=server.tls.ca
    )
    try:
        with pytest.raises(novelkit.AuthenticationError):
            await _scalar(engine, "SELECT 1")
    finally:
        await engine.dispose()


@pytest.mark.parametrize("how", ["keywords", "url_query"])
async def test_tls_with_a_wrong_ca_fails_closed(
    running_private_server: PrivateMariaDB, how: str
) -> None:
    """A CA that did not sign the server's certificate: refused before any login."""
    server = running_private_server
    assert server.tls is not None
    url = _private_url(server)
    if how == "keywords":
        engine = create_engine(url, connect_timeout=TLS_CONNECT_TIMEOUT, ssl_ca=server.tls.wrong_ca)
    else:
        engine = create_engine(
            url.update_query_dict({"ssl_ca": str(server.tls.wrong_ca)}),
            connect_timeout=TLS_CONNECT_TIMEOUT,
        )
    try:
        with pytest.raises(ServerUnavailableError) as caught:
            await _scalar(engine, "SELECT 1")
        message = str(caught.value)
        assert "TLS" in message
        assert "ssl_ca" in message
        assert "CERTIFICATE_VERIFY_FAILED" in message
        assert PRIVATE_PASSWORD not in message
        MEASURED.setdefault("tls_wrong_ca", {})[how] = "ServerUnavailableError (verify failed)"
    finally:
        await engine.dispose()


def test_a_refused_tls_login_leaves_no_socket_open(private_server: PrivateMariaDB) -> None:
    """A TLS login the server refuses, on a loop that closes right after (asyncio.run, a
    test's own loop): no socket is left open.

    asyncmy's close() only starts the TLS close and forgets the transport; the socket
    used to stay open until the server's answer was read. When the loop closed first,
    the garbage collector later reported "unclosed transport" in whatever ran then (in
    CI: the wrong-CA test after the X509 one, about one run in six). A slow link in
    front of the server makes its answer come after the loop has closed, every time.
    """
    server = private_server
    server.start()
    assert server.tls is not None
    with slow_link(server.port, SLOW_LINK_DELAY) as port:
        url = _private_url(server, X509_USER).set(port=port)
        engine = create_engine(url, connect_timeout=TLS_CONNECT_TIMEOUT, ssl_ca=server.tls.ca)

        async def refused() -> None:
            try:
                with pytest.raises(novelkit.AuthenticationError):
                    await _scalar(engine, "SELECT 1")
            finally:
                await engine.dispose()

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(refused())
            gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
