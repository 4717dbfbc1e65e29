"""What the tests share besides fixtures: paths, MariaDB databases, dump loading.

A module of its own (not conftest) so that tests can import from it: two
conftest.py files (tests/ and notebooks/) would shadow each other as ``conftest``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pymysql
import pytest
from sqlalchemy.engine import URL, make_url

DATA = Path(__file__).parent / "data"
FIXTURE_SQLITE = DATA / "arboris-fusion.sqlite"
FIXTURE_MYSQL_DUMP = DATA / "arboris-fusion.mysql.sql"

ENABLE_HINT = (
    "MySQL tests need a MariaDB/MySQL server: as root run "
    "'eval \"$(bash .ci/mariadb-accounts.sh)\"' to create the test accounts and export "
    "NOVELKIT_TEST_MYSQL_URL, NOVELKIT_TEST_MYSQL_RO_URL and NOVELKIT_TEST_MYSQL_ADMIN_URL"
)


def env_url(name: str) -> URL:
    raw = os.environ.get(name)
    if not raw:
        if os.environ.get("NOVELKIT_REQUIRE_MYSQL") == "1":
            pytest.fail(f"NOVELKIT_REQUIRE_MYSQL=1 but {name} is not set. {ENABLE_HINT}")
        pytest.skip(ENABLE_HINT)
    return make_url(raw)


@dataclass(frozen=True)
class MySQLDatabase:
    """One throw-away nktest_ database and a URL for each test account."""

    name: str
    url: URL
    ro_url: URL
    admin_url: URL

    def connect(self, *, admin: bool = False) -> pymysql.connections.Connection:
        """A plain pymysql connection (read-write or admin) for test set-up."""
        url = self.admin_url if admin else self.url
        return pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password,
            database=self.name,
            charset="utf8mb4",
            autocommit=True,
        )


def _server_accounts() -> tuple[URL, URL, URL]:
    return (
        env_url("NOVELKIT_TEST_MYSQL_URL"),
        env_url("NOVELKIT_TEST_MYSQL_RO_URL"),
        env_url("NOVELKIT_TEST_MYSQL_ADMIN_URL"),
    )


def _create_database(rw: URL, name: str) -> None:
    try:
        conn = pymysql.connect(
            host=rw.host,
            port=rw.port or 3306,
            user=rw.username,
            password=rw.password,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=10,
        )
    except pymysql.err.OperationalError as exc:
        if os.environ.get("NOVELKIT_REQUIRE_MYSQL") == "1":
            pytest.fail(f"MariaDB is required but unreachable: {exc.args[0]}. {ENABLE_HINT}")
        pytest.skip(f"MariaDB unreachable ({exc.args[0]}). {ENABLE_HINT}")
    with conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")


def _drop_database(rw: URL, name: str) -> None:
    conn = pymysql.connect(
        host=rw.host,
        port=rw.port or 3306,
        user=rw.username,
        password=rw.password,
        autocommit=True,
    )
    with conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def make_database(prefix: str) -> Iterator[MySQLDatabase]:
    rw, ro, admin = _server_accounts()
    name = f"nktest_{prefix}_{uuid.uuid4().hex[:10]}"
    _create_database(rw, name)
    try:
        yield MySQLDatabase(
            name=name,
            url=rw.set(database=name),
            ro_url=ro.set(database=name),
            admin_url=admin.set(database=name),
        )
    finally:
        _drop_database(rw, name)


def load_mysql_dump(db: MySQLDatabase, dump: Path = FIXTURE_MYSQL_DUMP) -> None:
    """Load a mysqldump file into ``db`` with the mariadb client over TCP."""
    url = db.url
    with dump.open("rb") as stdin:
        _run_client(url, db.name, stdin)


def _run_client(url: URL, name: str, stdin: BinaryIO) -> None:
    subprocess.run(
        [
            "mariadb",
            "--protocol=tcp",
            f"--host={url.host}",
            f"--port={url.port or 3306}",
            f"--user={url.username}",
            name,
        ],
        stdin=stdin,
        env={**os.environ, "MYSQL_PWD": url.password or ""},
        check=True,
        capture_output=True,
    )


def sqlite_counts(path: Path) -> dict[str, int]:
    """Rows of every table of a SQLite file, counted with plain sqlite3 (the expected values)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def mysql_counts(db: MySQLDatabase) -> dict[str, int]:
    """Rows of every table of a MariaDB database, counted with plain pymysql."""
    conn = db.connect()
    with conn, conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        names = [r[0] for r in cur.fetchall()]
        counts = {}
        for name in names:
            cur.execute(f"SELECT count(*) FROM `{name}`")
            counts[name] = int(cur.fetchone()[0])
        return counts
