"""A query can read, never write, lock or outlast its welcome: every refusal, proven harmless.

Each refused statement class runs through load_sql on a read-only engine with an
account that may write (MariaDB: the read-WRITE test account): it raises
ReadOnlyError, the database (and on SQLite its files) is the same before and after,
and the same session answers the next query. Then the engine-level guards on their
own, through open_session, engine.connect() and the facade: the issue's stacked
statement and READ WRITE tricks, the client's multi-statement flag (with a negative
control on a plain asyncmy connection) and SET SESSION TRANSACTION READ ONLY on
return to the pool and on checkout.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncmy
import pytest
import sqlalchemy as sa
from nktest_support import MySQLDatabase
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import novelkit
from novelkit import ReadOnlyError, load_sql

# Every statement class the issue names, per backend. {path} is a file that must not appear.
SQLITE_REFUSED = {
    "insert": "INSERT INTO usage_metrics (key, value) VALUES ('x', 1)",
    "update": "UPDATE usage_metrics SET value = value + 1000",
    "delete": "DELETE FROM chapters",
    "replace": "REPLACE INTO usage_metrics (key, value) VALUES ('api_request_count', 0)",
    "with_delete": "WITH x AS (SELECT 1) DELETE FROM chapters",
    "create": "CREATE TABLE scratch (a INTEGER)",
    "drop": "DROP TABLE chapters",
    "alter": "ALTER TABLE chapters ADD COLUMN extra TEXT",
    "attach": "ATTACH DATABASE '{path}' AS other",
    "vacuum_into": "VACUUM INTO '{path}'",
    "vacuum": "VACUUM",
    "pragma_query_only": "PRAGMA query_only = 0",
    "pragma_journal": "PRAGMA journal_mode = WAL",
    "pragma_checkpoint": "PRAGMA wal_checkpoint(TRUNCATE)",
    "pragma_optimize": "PRAGMA optimize",
    "analyze": "ANALYZE",
    "reindex": "REINDEX",
    "begin": "BEGIN IMMEDIATE",
    "commit": "COMMIT",
    "savepoint": "SAVEPOINT s1",
    "stacked": "SELECT 1; DELETE FROM chapters",
    "stacked_comment": "SELECT 1 /* ; */; DELETE FROM chapters -- ;",
    "locking": "SELECT * FROM chapters FOR UPDATE",
    "load_extension": "SELECT load_extension('{path}')",
}

MYSQL_REFUSED = {
    "insert": "INSERT INTO usage_metrics (`key`, value) VALUES ('x', 1)",
    "update": "UPDATE usage_metrics SET value = value + 1000",
    "delete": "DELETE FROM chapters",
    "replace": "REPLACE INTO usage_metrics (`key`, value) VALUES ('api_request_count', 0)",
    "create": "CREATE TABLE scratch (a INT)",
    "drop": "DROP TABLE chapters",
    "alter": "ALTER TABLE chapters ADD COLUMN extra TEXT",
    "truncate": "TRUNCATE TABLE chapters",
    "rename": "RENAME TABLE chapters TO chapters_old",
    "analyze": "ANALYZE TABLE chapters",
    "optimize": "OPTIMIZE TABLE chapters",
    "set_global": "SET GLOBAL max_connections = 7",
    "set_read_write": "SET SESSION TRANSACTION READ WRITE",
    "commit": "COMMIT",
    "start_read_write": "START TRANSACTION READ WRITE",
    "outfile": "SELECT * FROM chapters INTO OUTFILE '{path}'",
    "dumpfile": "SELECT value FROM usage_metrics LIMIT 1 INTO DUMPFILE '{path}'",
    "into_variable": "SELECT value INTO @v FROM usage_metrics LIMIT 1",
    "assignment": "SELECT @v := value FROM usage_metrics",
    "lock_tables": "LOCK TABLES chapters WRITE",
    "unlock_tables": "UNLOCK TABLES",
    "flush": "FLUSH TABLES",
    "handler": "HANDLER chapters OPEN",
    "prepare": "PREPARE s FROM 'DELETE FROM chapters'",
    "execute": "EXECUTE s",
    "call": "CALL nothing()",
    "kill": "KILL QUERY 1",
    "do": "DO GET_LOCK('nk', 0)",
    "get_lock": "SELECT GET_LOCK('nk', 0)",
    "stacked": "SELECT 1; DELETE FROM chapters",
    "issue_stacked": (
        "SELECT 1; COMMIT; SET SESSION TRANSACTION READ WRITE; "
        "UPDATE usage_metrics SET value = value + 1000; COMMIT"
    ),
    "conditional_comment": "SELECT 1 /*!, (SELECT GET_LOCK('nk', 0)) */",
    "conditional_delete": "/*!50000 DELETE FROM chapters */",
    "for_update": "SELECT * FROM chapters FOR UPDATE",
    "for_share": "SELECT * FROM chapters FOR SHARE",
    "lock_in_share_mode": "SELECT * FROM chapters LOCK IN SHARE MODE",
    "load_data": "LOAD DATA LOCAL INFILE '{path}' INTO TABLE chapters",
}

ALLOWED = {
    "sqlite": [
        "SELECT COUNT(*) AS n FROM chapters",
        "WITH c AS (SELECT * FROM chapters) SELECT COUNT(*) AS n FROM c",
        "EXPLAIN QUERY PLAN SELECT * FROM chapters WHERE id = 1",
        "PRAGMA journal_mode",
        "PRAGMA table_info(chapters)",
    ],
    "mysql": [
        "SELECT COUNT(*) AS n FROM chapters",
        "WITH c AS (SELECT * FROM chapters) SELECT COUNT(*) AS n FROM c",
        "EXPLAIN SELECT * FROM chapters WHERE id = 1",
        "SHOW TABLES",
        "DESCRIBE chapters",
        "SHOW VARIABLES LIKE 'tx_read_only'",
    ],
}

SCHEMA = [
    "CREATE TABLE usage_metrics (`key` VARCHAR(64) PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE chapters (id INTEGER PRIMARY KEY, project_id VARCHAR(36), word_count INTEGER)",
    "INSERT INTO usage_metrics VALUES ('api_request_count', 1)",
    "INSERT INTO chapters VALUES (1, 'p1', 100), (2, 'p1', 200), (3, 'p2', 300)",
]


# -- SQLite ------------------------------------------------------------------------------


def _sqlite_state(path: Path) -> tuple[str, frozenset[str]]:
    """The main file's hash and the folder's listing (SQLite's own -journal aside)."""
    listing = frozenset(p.name for p in path.parent.iterdir() if not p.name.endswith("-journal"))
    return hashlib.sha256(path.read_bytes()).hexdigest(), listing


@pytest.fixture
def small_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "arboris.db"
    conn = sqlite3.connect(path)
    for statement in SCHEMA:
        conn.execute(statement.replace("`", '"'))
    conn.commit()
    conn.close()
    return path


@asynccontextmanager
async def _session(url: Any, **options: Any) -> AsyncIterator[AsyncSession]:
    engine = novelkit.create_engine(url, **options)
    try:
        async with novelkit.open_session(engine) as session:
            yield session
    finally:
        await engine.dispose()


@pytest.mark.parametrize("name", list(SQLITE_REFUSED))
async def test_sqlite_refused_and_harmless(small_sqlite: Path, name: str) -> None:
    target = small_sqlite.parent / f"written-{name}.db"
    statement = SQLITE_REFUSED[name].format(path=target)
    before = _sqlite_state(small_sqlite)
    async with _session(small_sqlite) as session:
        with pytest.raises(ReadOnlyError, match="read-only"):
            await load_sql(session, statement)
        after_query = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    assert after_query["n"].iloc[0] == 3
    assert not target.exists()
    assert _sqlite_state(small_sqlite) == before


@pytest.mark.parametrize("statement", ALLOWED["sqlite"])
async def test_sqlite_reads_work(small_sqlite: Path, statement: str) -> None:
    before = _sqlite_state(small_sqlite)
    async with _session(small_sqlite) as session:
        frame = await load_sql(session, statement)
    assert len(frame) > 0
    assert _sqlite_state(small_sqlite) == before


async def test_sqlite_refused_through_the_facade(small_sqlite: Path) -> None:
    before = _sqlite_state(small_sqlite)
    with novelkit.connect(small_sqlite) as db:
        for statement in ("DELETE FROM chapters", "SELECT 1; DELETE FROM chapters"):
            with pytest.raises(ReadOnlyError):
                db.sql(statement)
            with pytest.raises(ReadOnlyError):
                next(db.iter_sql(statement))
        assert db.sql("SELECT COUNT(*) AS n FROM chapters")["n"].iloc[0] == 3
    assert _sqlite_state(small_sqlite) == before


async def test_read_write_engine_skips_the_check(small_sqlite: Path) -> None:
    """read_only=False: the statement is the database's business (and the caller's commit)."""
    async with _session(small_sqlite, read_only=False) as session:
        frame = await load_sql(session, "UPDATE usage_metrics SET value = 5 RETURNING value")
        await session.commit()
    assert frame["value"].tolist() == [5]


# -- MariaDB -----------------------------------------------------------------------------


def _mysql_state(db: MySQLDatabase) -> dict[str, Any]:
    conn = db.connect(admin=True)
    with conn, conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        tables = sorted(r[0] for r in cur.fetchall())
        checksums = {}
        for table in tables:
            cur.execute(f"CHECKSUM TABLE `{table}`")
            checksums[table] = cur.fetchone()[1]
        cur.execute("SELECT @@GLOBAL.max_connections, IS_FREE_LOCK('nk')")
        server = cur.fetchone()
        cur.execute("SHOW COLUMNS FROM chapters")
        columns = [r[0] for r in cur.fetchall()]
    return {"tables": tables, "checksums": checksums, "server": server, "columns": columns}


@pytest.fixture
def small_mysql(mysql_db: MySQLDatabase) -> MySQLDatabase:
    conn = mysql_db.connect()
    with conn, conn.cursor() as cur:
        for statement in SCHEMA:
            cur.execute(statement)
    return mysql_db


@pytest.mark.mysql
@pytest.mark.parametrize("name", list(MYSQL_REFUSED))
async def test_mysql_refused_and_harmless(small_mysql: MySQLDatabase, name: str) -> None:
    target = Path(f"/tmp/nk-written-{uuid.uuid4().hex}")
    statement = MYSQL_REFUSED[name].format(path=target)
    before = _mysql_state(small_mysql)
    # The read-WRITE account: what stops the statement is novelkit, not the grants.
    async with _session(small_mysql.url) as session:
        with pytest.raises(ReadOnlyError, match="read-only"):
            await load_sql(session, statement)
        after_query = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
        read_only = await load_sql(session, "SELECT @@tx_read_only AS ro")
    assert after_query["n"].iloc[0] == 3
    assert read_only["ro"].iloc[0] == 1
    assert not target.exists()
    assert _mysql_state(small_mysql) == before


@pytest.mark.mysql
@pytest.mark.parametrize("statement", ALLOWED["mysql"])
async def test_mysql_reads_work(small_mysql: MySQLDatabase, statement: str) -> None:
    before = _mysql_state(small_mysql)
    async with _session(small_mysql.url) as session:
        frame = await load_sql(session, statement)
    assert len(frame) > 0
    assert _mysql_state(small_mysql) == before


@pytest.mark.mysql
async def test_locking_read_refused_while_a_writer_holds_the_row(
    small_mysql: MySQLDatabase,
) -> None:
    """A writer holds a row lock; FOR UPDATE is refused at once instead of queueing behind it.

    Had it reached the server, it would wait innodb_lock_wait_timeout (50 s) for
    the writer: the 10 s bound below would fail.
    """
    writer = small_mysql.connect()
    try:
        writer.autocommit(False)
        with writer.cursor() as cur:
            cur.execute(
                "UPDATE usage_metrics SET value = value + 1 WHERE `key` = 'api_request_count'"
            )
        async with _session(small_mysql.url) as session:
            for clause in ("FOR UPDATE", "FOR SHARE", "LOCK IN SHARE MODE"):
                with pytest.raises(ReadOnlyError, match="locking read"):
                    await asyncio.wait_for(
                        load_sql(session, f"SELECT value FROM usage_metrics {clause}"), timeout=10
                    )
            # A plain read does not wait for the writer either (a consistent snapshot).
            plain = await asyncio.wait_for(
                load_sql(session, "SELECT value FROM usage_metrics"), timeout=10
            )
        writer.commit()
    finally:
        writer.close()
    assert plain["value"].tolist() == [1]
    assert _mysql_state(small_mysql)["checksums"]  # the writer's own commit went through


# -- the engine-level guards, through every way of holding a connection --------------------

ISSUE_STACKED = MYSQL_REFUSED["issue_stacked"]
WRITE = "UPDATE usage_metrics SET value = value + 1000"


def _counter(db: MySQLDatabase) -> int:
    conn = db.connect()
    with conn, conn.cursor() as cur:
        cur.execute("SELECT value FROM usage_metrics")
        return int(cur.fetchone()[0])


@pytest.mark.mysql
async def test_issue_reproduction_through_open_session(small_mysql: MySQLDatabase) -> None:
    engine = novelkit.create_engine(small_mysql.url)  # read-WRITE account, read_only=True
    try:
        async with novelkit.open_session(engine) as session:
            with pytest.raises(ReadOnlyError):
                await session.execute(sa.text(ISSUE_STACKED))
        async with novelkit.open_session(engine) as session:
            with pytest.raises(ReadOnlyError):
                await session.execute(sa.text("SET SESSION TRANSACTION READ WRITE"))
        async with novelkit.open_session(engine) as session:
            with pytest.raises(ReadOnlyError):
                await session.execute(sa.text(WRITE))
        # Within one session: COMMIT, then READ WRITE, then the write.
        async with novelkit.open_session(engine) as session:
            for statement in ("COMMIT", "SET SESSION TRANSACTION READ WRITE", WRITE):
                with pytest.raises(ReadOnlyError):
                    await session.execute(sa.text(statement))
            assert (await session.execute(sa.text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
    assert _counter(small_mysql) == 1


@pytest.mark.mysql
async def test_issue_reproduction_through_engine_connect(small_mysql: MySQLDatabase) -> None:
    engine = novelkit.create_engine(small_mysql.url)
    try:
        async with engine.connect() as conn:
            for statement in (ISSUE_STACKED, "SET SESSION TRANSACTION READ WRITE", WRITE):
                with pytest.raises(ReadOnlyError):
                    await conn.execute(sa.text(statement))
                await conn.commit()
            with pytest.raises(ReadOnlyError):
                await conn.exec_driver_sql(WRITE)
    finally:
        await engine.dispose()
    assert _counter(small_mysql) == 1


@pytest.mark.mysql
def test_issue_reproduction_through_the_facade(small_mysql: MySQLDatabase) -> None:
    url = small_mysql.url.render_as_string(hide_password=False)
    with novelkit.connect(url) as db:
        with pytest.raises(ReadOnlyError):
            db.sql(ISSUE_STACKED)

        async def through_a_session(statement: str) -> None:
            async with novelkit.open_session(db.engine) as session:
                await session.execute(sa.text(statement))
                await session.commit()

        for statement in (ISSUE_STACKED, "SET SESSION TRANSACTION READ WRITE", WRITE):
            with pytest.raises(ReadOnlyError):
                db._run(through_a_session(statement))
        assert db.sql("SELECT value FROM usage_metrics")["value"].tolist() == [1]
    assert _counter(small_mysql) == 1


async def _driver_execute(engine: AsyncEngine, statement: str) -> Any:
    """Run ``statement`` on a pooled connection's asyncmy connection, past SQLAlchemy's events."""
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        async with driver.cursor() as cursor:
            await cursor.execute(statement)
            return await cursor.fetchall()


@pytest.mark.mysql
async def test_multi_statement_flag_is_off(small_mysql: MySQLDatabase) -> None:
    """Below the classifier: the server refuses stacked statements on novelkit's connections."""
    engine = novelkit.create_engine(small_mysql.url, read_only=False)
    try:
        with pytest.raises(asyncmy.errors.ProgrammingError) as info:
            await _driver_execute(engine, f"SELECT 1; {WRITE}")
        assert info.value.args[0] == 1064
    finally:
        await engine.dispose()
    assert _counter(small_mysql) == 1


@pytest.mark.mysql
async def test_negative_control_plain_asyncmy_runs_stacked_statements(
    small_mysql: MySQLDatabase,
) -> None:
    """asyncmy 0.2.18 asks for multi-statements: without novelkit the write goes through."""
    url = small_mysql.url
    conn = await asyncmy.connect(
        host=url.host,
        port=url.port or 3306,
        user=url.username,
        password=url.password,
        database=url.database,
        autocommit=True,
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"SELECT 1; {WRITE}")
            while await cursor.nextset():
                pass
    finally:
        conn.close()
    assert _counter(small_mysql) == 1001


@pytest.mark.mysql
@pytest.mark.parametrize("reset_on_return", ["rollback", None])
async def test_read_write_switch_never_reaches_the_next_checkout(
    small_mysql: MySQLDatabase, reset_on_return: str | None
) -> None:
    """READ WRITE set on the driver connection (past the classifier) is gone at the next checkout.

    With the pool's reset on return and without it (then the checkout's own SET
    SESSION TRANSACTION READ ONLY restores it).
    """
    engine = novelkit.create_engine(
        small_mysql.url, pool_size=1, max_overflow=0, pool_reset_on_return=reset_on_return
    )
    try:
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            thread = driver.thread_id()
            async with driver.cursor() as cursor:
                await cursor.execute("SET SESSION TRANSACTION READ WRITE")
                await cursor.execute("SELECT @@tx_read_only")
                assert (await cursor.fetchone())[0] == 0
        async with engine.connect() as conn:
            same = (await conn.get_raw_connection()).driver_connection.thread_id()
            read_only = (await conn.exec_driver_sql("SELECT @@tx_read_only")).scalar_one()
            with pytest.raises(ReadOnlyError):
                await conn.exec_driver_sql(WRITE)
        with pytest.raises(asyncmy.errors.OperationalError) as info:
            await _driver_execute(engine, WRITE)  # past the classifier: the server refuses
        assert info.value.args[0] == 1792
    finally:
        await engine.dispose()
    assert same == thread  # the very connection that was switched
    assert read_only == 1
    assert _counter(small_mysql) == 1


@pytest.mark.mysql
async def test_dead_pooled_connection_replaced_at_checkout(small_mysql: MySQLDatabase) -> None:
    """The checkout's SET finds a connection the server dropped; the pool opens another."""
    engine = novelkit.create_engine(small_mysql.url, pool_pre_ping=False, pool_size=1)
    try:
        async with novelkit.open_session(engine) as session:
            conn = await session.connection()
            thread = (await conn.get_raw_connection()).driver_connection.thread_id()
        admin = small_mysql.connect(admin=True)
        with admin, admin.cursor() as cur:
            cur.execute(f"KILL {int(thread)}")
        async with novelkit.open_session(engine) as session:
            frame = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    finally:
        await engine.dispose()
    assert frame["n"].iloc[0] == 3


@pytest.mark.mysql
def test_your_own_sql_cannot_lift_the_statement_timeout(small_mysql: MySQLDatabase) -> None:
    """MariaDB's ``SET STATEMENT max_statement_time=0 FOR SELECT ...`` in a user's SQL
    would replace the engine's statement_timeout; it is refused like any SET, through
    db.sql, a text() clause and the async API, and the timeout still stops a long query."""
    url = small_mysql.url.render_as_string(hide_password=False)
    lifted = "SET STATEMENT max_statement_time=0 FOR SELECT SLEEP(3) AS s"
    with novelkit.connect(url, statement_timeout=1) as db:
        for query in (
            lifted,
            sa.text(lifted),
            sa.text(lifted).columns(sa.column("s")),  # a TextualSelect
            "/* note */ set statement max_statement_time=0 for select 1",
        ):
            with pytest.raises(ReadOnlyError, match="statement_timeout"):
                db.sql(query)
        with pytest.raises(novelkit.QueryTimeoutError):
            db.sql("SELECT SLEEP(3) AS s")
        assert db.sql("SELECT 1 AS one")["one"].tolist() == [1]
