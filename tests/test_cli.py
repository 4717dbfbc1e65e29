"""Every CLI command on the demo, the app-created fixture and MariaDB (real databases)."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_support import first_value, run
from click.testing import CliRunner
from nktest_support import MySQLDatabase

from novelkit.cli import main

RW_PASSWORD = "p@ss:w/rd%X9"


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    return result.output


def busiest_novel(path: Path) -> str:
    return first_value(
        path,
        "SELECT project_id FROM chapters GROUP BY project_id "
        "ORDER BY COUNT(*) DESC, project_id LIMIT 1",
    )


def test_info_lists_tables_with_counts(fixture_sqlite: Path) -> None:
    out = run("info", str(fixture_sqlite))
    assert "fusion" in out
    assert "NullPool" in out
    for table, rows in (("chapter_outlines", 82), ("novel_projects", 6), ("chapters", 42)):
        line = next(line for line in out.splitlines() if line.strip().startswith(table + " "))
        assert f" {rows} " in f"{line} "


def test_novels_formats_agree(fixture_sqlite: Path) -> None:
    as_json = json.loads(run("novels", str(fixture_sqlite), "--format", "json"))
    as_csv = pd.read_csv(io.StringIO(run("novels", str(fixture_sqlite), "--format", "csv")))
    table = run("novels", str(fixture_sqlite))
    assert len(as_json) == len(as_csv) == 6
    assert sorted(r["project_id"] for r in as_json) == sorted(as_csv["project_id"])
    assert all(r["project_id"] in table for r in as_json)
    with sqlite3.connect(fixture_sqlite) as conn:
        expected = dict(
            conn.execute(
                "SELECT p.id, COUNT(c.id) FROM novel_projects p "
                "LEFT JOIN chapters c ON c.project_id = p.id GROUP BY p.id"
            )
        )
    assert {r["project_id"]: r["chapters"] for r in as_json} == expected


def test_outlines_of_one_novel(fixture_sqlite: Path) -> None:
    novel = busiest_novel(fixture_sqlite)
    frame = pd.read_csv(io.StringIO(run("outlines", novel, str(fixture_sqlite), "--format", "csv")))
    with sqlite3.connect(fixture_sqlite) as conn:
        count = conn.execute(
            "SELECT COUNT(*) FROM chapter_outlines WHERE project_id = ?", (novel,)
        ).fetchone()[0]
    assert len(frame) == count
    assert set(frame["project_id"]) == {novel}


def test_unknown_novel_is_one_line(fixture_sqlite: Path) -> None:
    out = fails("outlines", "no-such-novel", str(fixture_sqlite))
    assert out.strip().startswith("Error: No novel with project id 'no-such-novel'")
    assert len(out.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["novels", "postgresql://u:pw@host/db"], "does not support"),
        (["novels", "/nonexistent/folder/arboris.db"], "No SQLite database"),
        (["info", "--env-file", "/nonexistent/.env"], ".env"),
        (["novels", "mysql://u:pw@127.0.0.1:1/x"], "Cannot reach"),
        (["snapshot", "/nonexistent.db", "/tmp/never.db"], "No SQLite database"),
    ],
)
def test_errors_are_one_clear_line(argv: list[str], expected: str) -> None:
    out = fails(*argv)
    assert expected in out
    assert "pw@" not in out


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_every_table_with_secrets_redacted(
    fixture_sqlite: Path, tmp_path: Path, fmt: str
) -> None:
    out_dir = tmp_path / "export"
    run("export", str(fixture_sqlite), "--format", fmt, "--out", str(out_dir))
    files = sorted(p.stem for p in out_dir.iterdir())
    assert len(files) == 36
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    users = read(out_dir / f"users.{fmt}")
    assert set(users["hashed_password"]) == {"[redacted]"}
    configs = read(out_dir / f"system_configs.{fmt}")
    assert (configs.loc[configs["key"] == "llm.api_key", "value"] == "[redacted]").all()
    with sqlite3.connect(fixture_sqlite) as conn:
        for table in ("chapter_versions", "chapter_outlines", "novel_conversations"):
            rows = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            assert len(read(out_dir / f"{table}.{fmt}")) == rows
        hashes = {r[0] for r in conn.execute("SELECT hashed_password FROM users")}
    exported = b"".join(p.read_bytes() for p in out_dir.iterdir())
    assert not any(h.encode() in exported for h in hashes)


@pytest.mark.parametrize("fmt", ["txt", "markdown"])
def test_export_text_in_chapter_order(fixture_sqlite: Path, tmp_path: Path, fmt: str) -> None:
    novel = busiest_novel(fixture_sqlite)
    target = tmp_path / f"novel.{fmt}"
    run("export-text", novel, str(fixture_sqlite), "--format", fmt, "--out", str(target))
    raw = target.read_bytes()
    assert b"\r" not in raw
    text = raw.decode("utf-8")
    with sqlite3.connect(fixture_sqlite) as conn:
        title = conn.execute("SELECT title FROM novel_projects WHERE id = ?", (novel,)).fetchone()
        numbers = [
            n
            for (n,) in conn.execute(
                "SELECT DISTINCT chapter_number FROM chapters WHERE project_id = ? "
                "ORDER BY chapter_number",
                (novel,),
            )
        ]
        unselected = {
            n
            for (n,) in conn.execute(
                "SELECT chapter_number FROM chapters WHERE project_id = ? GROUP BY chapter_number "
                "HAVING MAX(selected_version_id IS NOT NULL) = 0",
                (novel,),
            )
        }
    assert text.startswith(("# " if fmt == "markdown" else "") + title[0])
    positions = [text.find(f"第{n}章") for n in numbers]
    assert all(p >= 0 for p in positions)
    written = [p for n, p in zip(numbers, positions, strict=True) if n not in unselected]
    assert written == sorted(written)
    if unselected:
        tail = text.split("Chapters without a selected version", 1)[1]
        assert all(f"第{n}章" in tail for n in unselected)


def test_snapshot_copies_consistently(fixture_sqlite: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    run("snapshot", str(fixture_sqlite), str(dest))
    with sqlite3.connect(fixture_sqlite) as a, sqlite3.connect(dest) as b:
        assert list(a.iterdump()) == list(b.iterdump())
    assert "exists" in fails("snapshot", str(fixture_sqlite), str(dest))


def test_demo_default_location_then_novels(tmp_path: Path) -> None:
    # NOVELKIT_HOME is a fresh temp folder (conftest): no URL means the embedded demo.
    frame = pd.read_csv(io.StringIO(run("novels", "--format", "csv")))
    assert len(frame) == 40
    assert (frame["progress"].between(0, 1)).all()
    info = run("info")
    assert "fusion" in info
    assert "novelkit demo: generator_version=1, scale=default, seed=0" in info
    busiest = frame.sort_values(["chapters", "project_id"]).iloc[-1]["project_id"]
    outlines = pd.read_csv(io.StringIO(run("outlines", busiest, "--format", "csv")))
    assert len(outlines) == int(frame.set_index("project_id").loc[busiest, "outlines"])
    text = run("export-text", busiest, "--format", "markdown", "--out", "-")
    assert text.startswith("# ")
    out_dir = tmp_path / "demo-export"
    run("export", "--format", "csv", "--out", str(out_dir))
    assert len(list(out_dir.iterdir())) == 36


def test_python_dash_m(fixture_sqlite: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "novelkit", "novels", str(fixture_sqlite), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert len(json.loads(out.stdout)) == 6


def test_env_file_points_at_the_database(fixture_sqlite: Path, tmp_path: Path) -> None:
    env = tmp_path / "backend" / ".env"
    env.parent.mkdir()
    env.write_text(f"DB_PROVIDER=sqlite\nSQLITE_DB_PATH={fixture_sqlite}\n", encoding="utf-8")
    assert "fusion" in run("info", "--env-file", str(env))


def test_app_style_env_file_without_provider_opens_mysql(
    mysql_fixture_db: MySQLDatabase, tmp_path: Path
) -> None:
    """MYSQL_* without DB_PROVIDER: the app reads MySQL, and so does --env-file."""
    url = mysql_fixture_db.ro_url
    env = tmp_path / ".env"
    env.write_text(
        f"MYSQL_HOST={url.host}\nMYSQL_PORT={url.port}\nMYSQL_USER={url.username}\n"
        f"MYSQL_PASSWORD={url.password}\nMYSQL_DATABASE={url.database}\n",
        encoding="utf-8",
    )
    out = run("info", "--env-file", str(env))
    assert "mysql" in out
    assert "fusion" in out
    assert str(url.password) not in out


def test_env_file_naming_no_database_fails_instead_of_the_demo(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DEBUG=false\n", encoding="utf-8")
    out = fails("novels", "--env-file", str(env))
    assert "names no database" in out


def test_mysql_commands(mysql_fixture_db: MySQLDatabase, tmp_path: Path) -> None:
    url = mysql_fixture_db.url.render_as_string(hide_password=False)
    info = run("info", url)
    assert "fusion" in info
    assert "AsyncAdaptedQueuePool" in info
    assert RW_PASSWORD not in info
    assert "p%40ss" not in info
    novels = json.loads(run("novels", url, "--format", "json"))
    assert len(novels) == 6
    out_dir = tmp_path / "mysql-export"
    run("export", url, "--format", "parquet", "--out", str(out_dir))
    assert len(list(out_dir.iterdir())) == 36
    assert set(pd.read_parquet(out_dir / "users.parquet")["hashed_password"]) == {"[redacted]"}
    busiest = max(novels, key=lambda r: (r["chapters"], r["project_id"]))["project_id"]
    outlines = json.loads(run("outlines", busiest, url, "--format", "json"))
    planned = next(r["outlines"] for r in novels if r["project_id"] == busiest)
    assert len(outlines) == planned
    text = run("export-text", busiest, url, "--out", "-")
    assert "第1章" in text
    out = fails("novels", url.replace("p%40ss", "wrong"))
    assert "wrong user name or password" in out


#: Ctrl-C (SIGINT) while a SQLite connection is being opened in aiosqlite's worker
#: thread, as `novelkit search` does for each page of texts: the open outlives the
#: command's loop. The connection class only makes the open slow enough to land there.
INTERRUPTED_OPEN = """
import asyncio, signal, sqlite3, sys, time
import aiosqlite
from novelkit.cli._loop import run_command

class SlowToOpen(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        time.sleep(0.5)
        super().__init__(*args, **kwargs)

async def command():
    asyncio.get_running_loop().call_later(0.1, signal.raise_signal, signal.SIGINT)
    async with aiosqlite.connect(sys.argv[1], factory=SlowToOpen):
        pass

try:
    run_command(command())
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_while_a_connection_opens_prints_no_thread_traceback(
    fixture_sqlite: Path,
) -> None:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_OPEN, str(fixture_sqlite)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout == "interrupted\n"
    assert out.stderr == ""  # was aiosqlite's worker: "RuntimeError: Event loop is closed"
    assert time.monotonic() - started < 30  # the worker thread ended: the process exited


#: What SQLAlchemy does to end an invalidated aiosqlite connection (terminate()): a
#: graceful close in a task of its own, then, that wait cancelled, stop() of the worker
#: thread. A second Ctrl-C (or `timeout -s INT`, which signals twice) cuts the loop off
#: there, and the loop's close cancels the graceful close while it waits.
INTERRUPTED_CLOSE = """
import asyncio, sys
import aiosqlite
import novelkit.cli._loop as loop_module

loop_module.CLEANUP_SECONDS = 1

async def command():
    conn = await aiosqlite.connect(sys.argv[1])
    asyncio.ensure_future(conn.close())
    await asyncio.sleep(0)
    conn.stop()
    raise KeyboardInterrupt

try:
    loop_module.run_command(command())
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_does_not_wait_forever_for_a_connection_close(fixture_sqlite: Path) -> None:
    """Was a hang: the graceful close, cancelled once, then waited for the stopped worker
    thread; the loop's close waited for it (seen after Ctrl-C in novelkit sql and demo)."""
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_CLOSE, str(fixture_sqlite)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout == "interrupted\n"
    assert out.stderr == ""
    assert time.monotonic() - started < 30
