"""A fork-shaped copy of a demo database, for the benchmark.

Forks of Arboris keep only some tables and add their own columns and tables.
The copy keeps the six tables ``load_novels`` and ``load_outlines`` read, drops
every other one, adds columns to two of them and adds a table of its own. The
fork's own table is created last: its presence marks a finished copy.

    python benchmarks/fork_shape.py benchmarks/data/large.db benchmarks/data/large-fork.db
    python benchmarks/fork_shape.py mysql://u:pw@127.0.0.1/nktest_bench_large \
        mysql://u:pw@127.0.0.1/nktest_bench_large_fork
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

KEPT_TABLES = (
    "users",
    "novel_projects",
    "novel_blueprints",
    "chapter_outlines",
    "chapters",
    "chapter_versions",
)
#: table -> (column, SQL type, value expression over the row's id)
EXTRA_COLUMNS = {
    "chapter_outlines": (
        ("fork_beat", "VARCHAR(32)", "CONCAT('beat-', id % 7)"),
        ("fork_tension", "INTEGER", "id % 10"),
    ),
    "novel_projects": (("project_type", "VARCHAR(32)", "'webnovel'"),),
}
FORK_TABLE = "fork_tags"
#: The columns ``load_outlines`` returns on the copy, for the raw driver's SQL.
OUTLINE_COLUMNS = (
    "id",
    "project_id",
    "chapter_number",
    "title",
    "summary",
    "metadata",
    *(name for name, _, _ in EXTRA_COLUMNS["chapter_outlines"]),
)


def _sqlite_expression(expression: str) -> str:
    # CONCAT is MySQL's; SQLite concatenates with ||.
    if expression.startswith("CONCAT("):
        parts = expression[len("CONCAT(") : -1].split(", ")
        # Parenthesised: || binds tighter than % in SQLite.
        return " || ".join(f"({part})" for part in parts)
    return expression


def make_sqlite_fork(source: Path, target: Path) -> bool:
    """Write the fork-shaped copy of ``source`` at ``target``; False when it exists."""
    if target.exists():
        return False
    partial = target.with_name(target.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + x) for x in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    # closing(): sqlite3's own context manager only commits, and a WAL copy moved
    # while open would leave its changes behind in <partial>-wal.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        with conn:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for name in names:
                if name not in KEPT_TABLES:
                    conn.execute(f'DROP TABLE "{name}"')
            for table, columns in EXTRA_COLUMNS.items():
                for column, sql_type, expression in columns:
                    conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {sql_type}')
                    conn.execute(
                        f'UPDATE "{table}" SET "{column}" = {_sqlite_expression(expression)}'
                    )
            conn.execute(f'CREATE TABLE "{FORK_TABLE}" (id INTEGER PRIMARY KEY, project_id TEXT)')
        conn.execute("VACUUM")
        # Back to WAL like the demo; the last close checkpoints and removes the -wal.
        conn.execute("PRAGMA journal_mode = WAL")
    os.replace(partial, target)
    return True


def _pymysql(url: sa.URL, database: str | None) -> object:
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


def make_mysql_fork(source: sa.URL, target: sa.URL) -> bool:
    """Fill database ``target`` (on the same server) as the fork-shaped copy of ``source``."""
    conn = _pymysql(source, None)
    try:
        with conn.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = %s",
                (target.database, FORK_TABLE),
            )
            if cur.fetchone()[0]:
                return False
            src, dst = f"`{source.database}`", f"`{target.database}`"
            cur.execute(f"DROP DATABASE IF EXISTS {dst}")
            cur.execute(f"CREATE DATABASE {dst} CHARACTER SET utf8mb4")
            for table in KEPT_TABLES:
                cur.execute(f"CREATE TABLE {dst}.`{table}` LIKE {src}.`{table}`")
                cur.execute(f"INSERT INTO {dst}.`{table}` SELECT * FROM {src}.`{table}`")
            for table, columns in EXTRA_COLUMNS.items():
                for column, sql_type, expression in columns:
                    cur.execute(f"ALTER TABLE {dst}.`{table}` ADD COLUMN `{column}` {sql_type}")
                    cur.execute(f"UPDATE {dst}.`{table}` SET `{column}` = {expression}")
            cur.execute(
                f"CREATE TABLE {dst}.`{FORK_TABLE}` "
                "(id INTEGER PRIMARY KEY, project_id VARCHAR(36))"
            )
    finally:
        conn.close()  # type: ignore[attr-defined]
    return True


def make_fork(source: str, target: str) -> bool:
    """The copy for either backend: paths (or sqlite URLs), or two MySQL URLs."""
    source_url, target_url = (
        sa.engine.make_url(u) if "://" in u else sa.URL.create("sqlite", database=u)
        for u in (source, target)
    )
    if source_url.get_backend_name() == "sqlite":
        return make_sqlite_fork(Path(source_url.database or ""), Path(target_url.database or ""))
    return make_mysql_fork(source_url, target_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="demo database: a SQLite path or a MySQL URL")
    parser.add_argument("target", help="where the copy goes: a path, or a MySQL URL")
    args = parser.parse_args(argv)
    made = make_fork(args.source, args.target)
    print("fork-shaped copy written" if made else "fork-shaped copy already there")
    return 0


if __name__ == "__main__":
    sys.exit(main())
