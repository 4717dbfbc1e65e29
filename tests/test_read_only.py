"""Read-only by default, on real SQLite files and a real MariaDB.

SQLite: after every escape is tried, the main file's hash is unchanged and no
file appears other than SQLite's own -wal/-shm. Each guard has a negative
control: the same attempt with that guard off does write. MariaDB: writes and
DDL are refused with ReadOnlyError, and a SELECT-only account is refused too.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from novelkit import DatabaseNotFoundError, ReadOnlyError, create_engine, open_session

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

SQLITE_OWN_SUFFIXES = ("-wal", "-shm", "-journal")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def journal_mode_byte(path: Path) -> int:
    """The file header's write version: 1 for rollback journal, 2 for WAL."""
    return path.read_bytes()[18]


class Untouched:
    """Records a SQLite file and its folder; check() fails if anything changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = sha256(path)
        self.listing = folder_listing(path.parent)

    def new_files(self) -> set[str]:
        allowed = {self.path.name + suffix for suffix in ("-wal", "-shm")}
        return folder_listing(self.path.parent) - self.listing - allowed

    def check(self) -> None:
        assert sha256(self.path) == self.digest, "the main file changed"
        assert self.new_files() == set(), "new files appeared next to the database"


async def execute(engine: AsyncEngine, statement: str, *, autocommit: bool = False) -> None:
    async with engine.connect() as conn:
        if autocommit:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
        await conn.commit()


async def execute_in_session(engine: AsyncEngine, statement: str) -> None:
    async with open_session(engine) as session:
        await session.execute(text(statement))
        await session.commit()


@pytest.fixture
async def ro_engine(fixture_sqlite: Path) -> Iterator[AsyncEngine]:
    engine = create_engine(fixture_sqlite)
    yield engine
    await engine.dispose()


def _attach_target(db: Path) -> str:
    return str(db.parent / "attached-new.db")


def _vacuum_target(db: Path) -> str:
    return str(db.parent / "vacuum-copy.db")


WRITES = {
    "insert": "INSERT INTO novel_projects (id, user_id, title, status) "
    "VALUES ('ro-test', 1, 'x', 'draft')",
    "update": "UPDATE novel_projects SET title = title || ' (edited)'",
    "delete": "DELETE FROM novel_projects",
    "create_table": "CREATE TABLE scratch (a INTEGER)",
    "create_index": "CREATE INDEX ix_scratch ON novel_projects (title)",
    "drop_table": "DROP TABLE novel_projects",
    "pragma_query_only_off": "PRAGMA query_only = 0",
    "pragma_query_only_call": "PRAGMA query_only(false)",
    "pragma_journal_wal": "PRAGMA journal_mode = WAL",
    "pragma_main_journal": "PRAGMA main.journal_mode = TRUNCATE",
    "pragma_user_version": "PRAGMA user_version = 42",
    "pragma_writable_schema": "PRAGMA writable_schema = ON",
}


@pytest.mark.parametrize("statement", list(WRITES.values()), ids=list(WRITES))
async def test_sqlite_write_refused(
    fixture_sqlite: Path, ro_engine: AsyncEngine, statement: str
) -> None:
    before = Untouched(fixture_sqlite)
    with pytest.raises(ReadOnlyError) as info:
        await execute(ro_engine, statement)
    assert isinstance(info.value.__cause__, Exception)
    assert "read_only=False" in str(info.value)  # names the way out
    before.check()
    async with ro_engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA query_only"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "delete"


async def test_sqlite_attach_new_file_refused(fixture_sqlite: Path, ro_engine: AsyncEngine) -> None:
    before = Untouched(fixture_sqlite)
    target = _attach_target(fixture_sqlite)
    with pytest.raises(ReadOnlyError):
        async with ro_engine.connect() as conn:
            await conn.execute(text(f"ATTACH DATABASE '{target}' AS other"))
    # the URI form (which could ask for mode=rwc) is refused too
    with pytest.raises(ReadOnlyError):
        async with ro_engine.connect() as conn:
            await conn.execute(text(f"ATTACH DATABASE 'file:{target}?mode=rwc' AS other"))
    assert not Path(target).exists()
    before.check()


async def test_sqlite_vacuum_into_refused(fixture_sqlite: Path, ro_engine: AsyncEngine) -> None:
    before = Untouched(fixture_sqlite)
    target = _vacuum_target(fixture_sqlite)
    with pytest.raises(ReadOnlyError):
        await execute(ro_engine, f"VACUUM INTO '{target}'", autocommit=True)
    with pytest.raises(ReadOnlyError):
        await execute(ro_engine, "VACUUM", autocommit=True)
    assert not Path(target).exists()
    before.check()


async def test_sqlite_every_escape_in_one_session(fixture_sqlite: Path) -> None:
    """All the escapes, one after another through a session; the file never changes."""
    before = Untouched(fixture_sqlite)
    engine = create_engine(fixture_sqlite)
    try:
        for statement in [
            *WRITES.values(),
            f"ATTACH DATABASE '{_attach_target(fixture_sqlite)}' AS other",
        ]:
            with pytest.raises(ReadOnlyError):
                await execute_in_session(engine, statement)
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            with pytest.raises(ReadOnlyError):
                await conn.execute(text(f"VACUUM INTO '{_vacuum_target(fixture_sqlite)}'"))
        # reads still work afterwards
        async with open_session(engine) as session:
            count = (await session.execute(text("SELECT count(*) FROM novel_projects"))).scalar()
        assert count >= 1
    finally:
        await engine.dispose()
    before.check()


async def test_sqlite_inspector_pragmas_still_work(
    fixture_sqlite: Path, ro_engine: AsyncEngine
) -> None:
    before = Untouched(fixture_sqlite)
    async with ro_engine.connect() as conn:
        for pragma in (
            "table_info(novel_projects)",
            "table_xinfo(novel_projects)",
            "index_list(novel_projects)",
            "foreign_key_list(chapters)",
            "main.table_info(novel_projects)",
        ):
            rows = (await conn.execute(text(f"PRAGMA {pragma}"))).all()
            assert rows, pragma
        index_name = (await conn.execute(text("PRAGMA index_list(novel_projects)"))).all()[0][1]
        assert (await conn.execute(text(f"PRAGMA index_info('{index_name}')"))).all()
        assert (await conn.execute(text(f"PRAGMA index_xinfo('{index_name}')"))).all()
        # reading PRAGMAs without an argument are fine too
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "delete"
        assert (await conn.execute(text("PRAGMA user_version"))).scalar() is not None

        def reflect(sync_conn: object) -> tuple[list[str], list[dict], list[dict], list[dict]]:
            insp = inspect(sync_conn)
            return (
                insp.get_table_names(),
                insp.get_columns("novel_projects"),
                insp.get_foreign_keys("chapters"),
                insp.get_indexes("chapters"),
            )

        tables, columns, fks, _indexes = await conn.run_sync(reflect)
    assert "novel_projects" in tables
    assert {c["name"] for c in columns} >= {"id", "title"}
    assert any(fk["referred_table"] == "novel_projects" for fk in fks)
    before.check()


# --- negative controls: with the guard off, the same attempt writes --------------------


def test_control_mode_ro_alone_lets_attach_create_a_file(fixture_sqlite: Path) -> None:
    """mode=ro and query_only, without the attach limit and authorizer: ATTACH creates a file."""
    target = Path(_attach_target(fixture_sqlite))
    conn = sqlite3.connect(
        f"file:{quote(str(fixture_sqlite))}?mode=ro", uri=True, isolation_level=None
    )
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"ATTACH DATABASE '{target}' AS other")
    finally:
        conn.close()
    assert target.exists()


def test_control_mode_ro_alone_lets_vacuum_into_write(fixture_sqlite: Path) -> None:
    target = Path(_vacuum_target(fixture_sqlite))
    conn = sqlite3.connect(
        f"file:{quote(str(fixture_sqlite))}?mode=ro", uri=True, isolation_level=None
    )
    try:
        conn.execute(f"VACUUM INTO '{target}'")
    finally:
        conn.close()
    assert target.exists()
    assert target.stat().st_size > 0


def test_control_query_only_alone_can_be_switched_off(fixture_sqlite: Path) -> None:
    digest = sha256(fixture_sqlite)
    conn = sqlite3.connect(fixture_sqlite, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = ON")
        with pytest.raises(sqlite3.OperationalError):
            conn.execute(WRITES["update"])
        conn.execute("PRAGMA query_only = 0")
        conn.execute(WRITES["update"])
    finally:
        conn.close()
    assert sha256(fixture_sqlite) != digest


def test_control_query_only_alone_lets_journal_mode_change(fixture_sqlite: Path) -> None:
    assert journal_mode_byte(fixture_sqlite) == 1
    conn = sqlite3.connect(fixture_sqlite, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = ON")
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    finally:
        conn.close()
    assert journal_mode_byte(fixture_sqlite) == 2


@pytest.mark.parametrize(
    "name", ["insert", "update", "delete", "create_table", "create_index", "drop_table"]
)
async def test_control_read_only_false_writes(fixture_sqlite: Path, name: str) -> None:
    digest = sha256(fixture_sqlite)
    engine = create_engine(fixture_sqlite, read_only=False)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA query_only"))).scalar() == 0
            if name in {"delete", "drop_table"}:
                # foreign keys are off, as in the app: no cascade is needed
                assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 0
            await conn.execute(text(WRITES[name]))
            await conn.commit()
    finally:
        await engine.dispose()
    assert sha256(fixture_sqlite) != digest


async def test_read_write_engine_keeps_journal_mode(fixture_sqlite: Path) -> None:
    """novelkit never changes the journal mode of a file it did not create."""
    assert journal_mode_byte(fixture_sqlite) == 1
    engine = create_engine(fixture_sqlite, read_only=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(WRITES["update"]))
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "delete"
    finally:
        await engine.dispose()
    assert journal_mode_byte(fixture_sqlite) == 1
    assert folder_listing(fixture_sqlite.parent) == {fixture_sqlite.name}


async def test_wal_database_stays_wal_and_unchanged(fixture_sqlite: Path) -> None:
    conn = sqlite3.connect(fixture_sqlite)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    before = Untouched(fixture_sqlite)
    engine = create_engine(fixture_sqlite)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM novel_projects"))).scalar()
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            with pytest.raises(ReadOnlyError):
                await conn.execute(text("PRAGMA journal_mode = DELETE"))
    finally:
        await engine.dispose()
    before.check()
    assert journal_mode_byte(fixture_sqlite) == 2


# --- awkward paths, missing files, create=True -------------------------------------------

AWKWARD_NAMES = [
    "with space/arboris db.sqlite",
    "hash#folder/arboris#1.db",
    "question?/what?mode=rw.db",
    "percent%20/arboris%41%.db",
    "amp&/a&b=c.db",
    "小说/数据库 é.db",
]


@pytest.mark.parametrize("relative", AWKWARD_NAMES)
@pytest.mark.parametrize("as_path", [False, True], ids=["str", "Path"])
async def test_awkward_paths(fixture_sqlite: Path, relative: str, as_path: bool) -> None:
    target = fixture_sqlite.parent / "awkward" / relative
    target.parent.mkdir(parents=True)
    target.write_bytes(fixture_sqlite.read_bytes())
    before = Untouched(target)
    given: str | Path = target if as_path else str(target)

    engine = create_engine(given)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM novel_projects"))).scalar()
            with pytest.raises(ReadOnlyError):
                await conn.execute(text(WRITES["update"]))
    finally:
        await engine.dispose()
    before.check()

    # read-write reaches the same file, not a new one with a decoded name
    engine = create_engine(given, read_only=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(WRITES["update"]))
    finally:
        await engine.dispose()
    assert sha256(target) != before.digest
    assert before.new_files() == set()


async def test_missing_file_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "arboris.db"
    with pytest.raises(DatabaseNotFoundError) as info:
        create_engine(target)
    assert str(target) in str(info.value)
    assert "create=True" not in str(info.value)  # an empty file is no Arboris database
    assert not target.parent.exists()

    sibling = tmp_path / "arboris.db"
    with pytest.raises(DatabaseNotFoundError):
        create_engine(sibling, read_only=False)
    assert list(tmp_path.iterdir()) == []


async def test_create_true_creates_the_file(tmp_path: Path) -> None:
    target = tmp_path / "new folder" / "fresh #1.db"
    engine = create_engine(target, create=True, read_only=False)
    try:
        assert target.exists()
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (a INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT a FROM t"))).scalar() == 1
    finally:
        await engine.dispose()
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


async def test_create_true_read_only_gives_an_empty_database(tmp_path: Path) -> None:
    target = tmp_path / "fresh.db"
    engine = create_engine(target, create=True)
    try:
        assert target.exists()
        async with engine.connect() as conn:
            tables = (await conn.execute(text("SELECT name FROM sqlite_master"))).all()
            assert tables == []
            with pytest.raises(ReadOnlyError):
                await conn.execute(text("CREATE TABLE t (a INTEGER)"))
    finally:
        await engine.dispose()


# --- MariaDB ------------------------------------------------------------------------------


@pytest.fixture
def seeded(mysql_db: MySQLDatabase) -> MySQLDatabase:
    with mysql_db.connect() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE novel_projects (id VARCHAR(36) PRIMARY KEY, title VARCHAR(255))")
        cur.execute("INSERT INTO novel_projects VALUES ('n1', 'First')")
    return mysql_db


def mysql_state(db: MySQLDatabase) -> tuple[list[str], list[tuple]]:
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        tables = sorted(row[0] for row in cur.fetchall())
        cur.execute("SELECT id, title FROM novel_projects ORDER BY id")
        return tables, list(cur.fetchall())


MYSQL_WRITES = {
    "insert": "INSERT INTO novel_projects VALUES ('n2', 'Second')",
    "update": "UPDATE novel_projects SET title = 'Changed'",
    "delete": "DELETE FROM novel_projects",
    "create_table": "CREATE TABLE scratch (a INT)",
    "drop_table": "DROP TABLE novel_projects",
}


async def _try_write(conn: AsyncConnection, statement: str) -> None:
    await conn.execute(text(statement))
    await conn.commit()


@pytest.mark.parametrize("statement", list(MYSQL_WRITES.values()), ids=list(MYSQL_WRITES))
async def test_mysql_write_refused(seeded: MySQLDatabase, statement: str) -> None:
    before = mysql_state(seeded)
    engine = create_engine(seeded.url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT @@tx_read_only"))).scalar() == 1
            with pytest.raises(ReadOnlyError) as info:
                await _try_write(conn, statement)
        # Refused by the engine's statement check before the server saw it (the
        # session flag behind it refuses it too: test_sql_safety.py).
        assert str(info.value).startswith("novelkit runs SQL read-only")
        assert "read_only=False" in str(info.value)
        # also in autocommit mode, where no transaction is opened
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            with pytest.raises(ReadOnlyError):
                await conn.execute(text(statement))
        # and through a session
        with pytest.raises(ReadOnlyError):
            await execute_in_session(engine, statement)
    finally:
        await engine.dispose()
    assert mysql_state(seeded) == before


async def test_mysql_read_only_survives_reconnects(seeded: MySQLDatabase) -> None:
    """Every new pooled connection is read-only, not just the first."""
    engine = create_engine(seeded.url, pool_size=1, max_overflow=3)
    try:
        async with engine.connect() as a, engine.connect() as b, engine.connect() as c:
            for conn in (a, b, c):
                assert (await conn.execute(text("SELECT @@tx_read_only"))).scalar() == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("name", list(MYSQL_WRITES))
async def test_mysql_control_read_only_false_writes(seeded: MySQLDatabase, name: str) -> None:
    before = mysql_state(seeded) if name != "drop_table" else None
    engine = create_engine(seeded.url, read_only=False)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT @@tx_read_only"))).scalar() == 0
            await _try_write(conn, MYSQL_WRITES[name])
    finally:
        await engine.dispose()
    if name == "drop_table":
        with seeded.connect() as conn, conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            assert cur.fetchall() == ()
    else:
        assert mysql_state(seeded) != before


@pytest.mark.parametrize(
    "statement",
    [MYSQL_WRITES[k] for k in ("insert", "update", "create_table", "drop_table")],
    ids=["insert", "update", "create_table", "drop_table"],
)
async def test_mysql_select_only_account_refused(seeded: MySQLDatabase, statement: str) -> None:
    before = mysql_state(seeded)
    engine = create_engine(seeded.ro_url, read_only=False)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT @@tx_read_only"))).scalar() == 0
            assert (await conn.execute(text("SELECT count(*) FROM novel_projects"))).scalar() == 1
            with pytest.raises(ReadOnlyError) as info:
                await _try_write(conn, statement)
        assert info.value.__cause__ is not None
        message = str(info.value)
        assert "nk_ro" in message
        assert "write rights" in message  # the fix: another account, not read_only=False
    finally:
        await engine.dispose()
    assert mysql_state(seeded) == before
