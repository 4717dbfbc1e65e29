"""Helpers for the loader tests: raw rows through plain sqlite3 / pymysql, never novelkit.

The expected values in the loader tests are computed in Python from these raw
rows, so a loader bug cannot hide behind the same bug in the check.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import sqlite3
import subprocess
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession

import novelkit

UTC = dt.UTC


@dataclass(frozen=True)
class Source:
    """One database to load from: a URL for novelkit and raw access for the checks."""

    backend: str  # "sqlite" or "mysql"
    url: str | URL
    path: Path | None = None
    mysql: Any = None  # conftest.MySQLDatabase

    @contextmanager
    def raw(self) -> Iterator[Any]:
        if self.backend == "sqlite":
            assert self.path is not None
            conn = sqlite3.connect(self.path)
        else:
            conn = self.mysql.connect()
        try:
            yield conn
        finally:
            conn.close()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Rows as dicts; write ``?`` placeholders (rewritten for pymysql)."""
        with self.raw() as conn:
            if self.backend == "mysql":
                sql = sql.replace("?", "%s")
                with conn.cursor() as cur:
                    cur.execute(sql, params)
                    names = [d[0] for d in cur.description]
                    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            cur = conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def execute(self, *statements: str) -> None:
        """Run set-up statements (fork variants); foreign keys unchecked on MariaDB."""
        with self.raw() as conn:
            if self.backend == "mysql":
                with conn.cursor() as cur:
                    cur.execute("SET foreign_key_checks = 0")
                    for statement in statements:
                        cur.execute(statement)
            else:
                for statement in statements:
                    conn.execute(statement)
                conn.commit()

    def ts(self, column: str) -> str:
        """SQL giving ``column`` in a form :meth:`to_utc` turns into an aware UTC datetime."""
        return f"UNIX_TIMESTAMP({column})" if self.backend == "mysql" else column

    @staticmethod
    def to_utc(value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value).replace(tzinfo=UTC)
        # UNIX_TIMESTAMP(): the server converts from its session time zone.
        seconds = decimal.Decimal(value)
        whole = int(seconds)
        micros = int((seconds - whole) * 1_000_000)
        return dt.datetime.fromtimestamp(whole, UTC) + dt.timedelta(microseconds=micros)


@asynccontextmanager
async def session_on(source: Source, **engine_options: Any) -> AsyncIterator[AsyncSession]:
    """A read-only engine and session on ``source``; the engine is always disposed."""
    engine = novelkit.create_engine(source.url, read_only=True, **engine_options)
    try:
        async with novelkit.open_session(engine) as session:
            yield session
    finally:
        await engine.dispose()


def sqlite_source(path: Path) -> Source:
    return Source("sqlite", str(path), path=path)


def mysql_source(db: Any, *, read_only: bool = True) -> Source:
    return Source("mysql", db.ro_url if read_only else db.url, mysql=db)


#: The params of a fixture on both backends; the MariaDB one needs the server.
BACKENDS = ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)]


def fusion_source(request: pytest.FixtureRequest) -> Source:
    """The app-created fusion fixture on the backend ``request.param`` names (a fixture's
    params are :data:`BACKENDS`). The MariaDB copy is shared by the session: read it only."""
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("fixture_sqlite"))
    return mysql_source(request.getfixturevalue("mysql_fixture_db"))


def project_ids(source: Source) -> list[str]:
    return sorted(r["id"] for r in source.rows("SELECT id FROM novel_projects"))


def expected_novels(src: Source) -> dict[str, dict[str, Any]]:
    """Per-project figures by the app's rules, from raw rows in plain Python."""
    projects = src.rows(
        f"SELECT id, title, status, {src.ts('created_at')} AS c, {src.ts('updated_at')} AS u "
        "FROM novel_projects"
    )
    outlines = Counter(r["project_id"] for r in src.rows("SELECT project_id FROM chapter_outlines"))
    chapters = src.rows(
        f"SELECT id, project_id, selected_version_id, {src.ts('created_at')} AS c, "
        f"{src.ts('updated_at')} AS u FROM chapters"
    )
    versions = {
        r["id"]: r
        for r in src.rows(
            f"SELECT id, chapter_id, content, {src.ts('created_at')} AS c FROM chapter_versions"
        )
    }
    chapter_project = {c["id"]: c["project_id"] for c in chapters}
    out: dict[str, dict[str, Any]] = {}
    for p in projects:
        pid = p["id"]
        mine = [c for c in chapters if c["project_id"] == pid]
        completed = sum(c["selected_version_id"] is not None for c in mine)
        chars = sum(
            len(versions[c["selected_version_id"]]["content"])
            for c in mine
            if c["selected_version_id"] in versions
        )
        n_outlines = outlines.get(pid, 0)
        denominator = n_outlines or len(mine)
        stamps = [src.to_utc(p["c"]), src.to_utc(p["u"])]
        stamps += [src.to_utc(c[k]) for c in mine for k in ("c", "u")]
        stamps += [
            src.to_utc(v["c"])
            for v in versions.values()
            if chapter_project.get(v["chapter_id"]) == pid
        ]
        out[pid] = {
            "title": p["title"],
            "status": p["status"],
            "outlines": n_outlines,
            "chapters": len(mine),
            "completed": completed,
            "progress": completed / denominator if denominator else 0.0,
            "selected_chars": chars,
            "last_activity": max(s for s in stamps if s is not None),
            "created_at": src.to_utc(p["c"]),
            "updated_at": src.to_utc(p["u"]),
        }
    return out


# Our own copies of two conftest helpers: ``from conftest import ...`` breaks as
# soon as another folder on the test path (notebooks/) has a conftest.py too.

FIXTURE_DUMP = Path(__file__).parent / "data" / "arboris-fusion.mysql.sql"


@dataclass(frozen=True)
class ScratchDatabase:
    """A throw-away nktest_ MariaDB database (same shape as conftest.MySQLDatabase)."""

    name: str
    url: URL
    ro_url: URL

    def connect(self) -> Any:
        return _pymysql(self.url, self.name)


def _pymysql(url: URL, database: str | None = None) -> Any:
    import pymysql

    return pymysql.connect(
        host=url.host,
        port=url.port or 3306,
        user=url.username,
        password=url.password,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


def scratch_database(prefix: str) -> Iterator[ScratchDatabase]:
    """Create an nktest_ database from the NOVELKIT_TEST_MYSQL_* accounts; drop it after.

    Skips without the accounts, or fails when NOVELKIT_REQUIRE_MYSQL=1 (as conftest does).
    """
    raw = os.environ.get("NOVELKIT_TEST_MYSQL_URL")
    raw_ro = os.environ.get("NOVELKIT_TEST_MYSQL_RO_URL")
    if not raw or not raw_ro:
        hint = "MySQL tests need NOVELKIT_TEST_MYSQL_URL and _RO_URL (.ci/mariadb-accounts.sh)"
        if os.environ.get("NOVELKIT_REQUIRE_MYSQL") == "1":
            pytest.fail(hint)
        pytest.skip(hint)
    rw, ro = make_url(raw), make_url(raw_ro)
    name = f"nktest_{prefix}_{uuid.uuid4().hex[:10]}"
    conn = _pymysql(rw)
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield ScratchDatabase(name, rw.set(database=name), ro.set(database=name))
    finally:
        conn = _pymysql(rw)
        with conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def restore_dump(db: Any, dump: Path = FIXTURE_DUMP) -> None:
    """Load a mysqldump file into ``db`` with the mariadb client over TCP."""
    url = db.url
    with dump.open("rb") as stdin:
        subprocess.run(
            [
                "mariadb",
                "--protocol=tcp",
                f"--host={url.host}",
                f"--port={url.port or 3306}",
                f"--user={url.username}",
                db.name,
            ],
            stdin=stdin,
            env={**os.environ, "MYSQL_PWD": url.password or ""},
            check=True,
            capture_output=True,
        )
