"""The benchmark script runs end to end on a tiny demo; no timing is asserted.

It checks what the figures rest on: every method loads the same rows, the
fork-shaped copy has only some tables and extra columns, and novelkit returns
those extra columns there.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from nktest_support import MySQLDatabase

import novelkit

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_loaders.py"
KEPT_PAIR = {"novelkit_engine_kept", "raw_driver_connection_kept"}
OUTLINE_METHODS = {
    "novelkit",
    "novelkit_parse_json_off",
    "raw_driver",
    "pandas_read_sql",
    "naive_orm",
} | KEPT_PAIR
NOVEL_METHODS = {"novelkit", "raw_driver", "pandas_read_sql", "naive_orm"} | KEPT_PAIR
#: Every other loader: novelkit and the raw driver, each per call and kept.
LOADER_METHODS = {"novelkit", "raw_driver"} | KEPT_PAIR
#: Each loader as installed (``fast`` left to novelkit), beside the driver path.
DEFAULT_PATH = "novelkit_default_path"
FORK_TABLES = {
    "users",
    "novel_projects",
    "novel_blueprints",
    "chapter_outlines",
    "chapters",
    "chapter_versions",
    "fork_tags",
}


def run_bench(
    option: str | None, target: str | None, out: Path, env: dict[str, str] | None = None
) -> dict[str, Any]:
    given = [option, target] if option is not None and target is not None else []
    done = subprocess.run(
        [sys.executable, str(BENCH), *given, "--repeat", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    # Not check=True: CalledProcessError would print the command line, URL included.
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def check_speed_cases(
    results: dict[str, Any], outline_columns: int, *, default_path: bool = True
) -> None:
    outlines, novels = results["outlines"], results["novels"]
    extra = {DEFAULT_PATH} if default_path else set()
    assert set(outlines) == OUTLINE_METHODS | extra
    assert set(novels) == NOVEL_METHODS | extra
    assert outlines["raw_driver"]["ratio_to_raw_driver"] == 1.0
    assert len({m["rows"] for m in outlines.values()}) == 1
    assert outlines["raw_driver"]["rows"] > 0
    assert outlines["raw_driver"]["columns"] == outline_columns
    # novelkit's own is_orphan column comes on top of the stored ones.
    assert outlines["novelkit"]["columns"] == outline_columns + 1
    assert len({m["rows"] for m in novels.values()}) == 1
    for method in (*outlines.values(), *novels.values()):
        assert method["median_s"] > 0
        assert len(method["runs_s"]) == 1


def check_kept_pairs(results: dict[str, Any]) -> None:
    """Each loader's kept pair loads what the per-call pair loads, and is compared."""
    cases = [c for c in results if isinstance(results[c], dict) and "raw_driver" in results[c]]
    assert len(cases) == 15, cases
    for case in cases:
        methods = results[case]
        if case not in ("outlines", "novels"):
            assert set(methods) == LOADER_METHODS | {DEFAULT_PATH}, case
        # The same rows either path; the novelkit column is the driver path's.
        assert methods[DEFAULT_PATH]["rows"] == methods["novelkit"]["rows"], case
        assert methods["novelkit"]["path"] == "driver", case
        assert methods["raw_driver"]["path"] is None, case
        kept, raw_kept = methods["novelkit_engine_kept"], methods["raw_driver_connection_kept"]
        assert kept["rows"] == methods["novelkit"]["rows"], case
        assert raw_kept["rows"] == methods["raw_driver"]["rows"], case
        assert kept["ratio_to_raw_driver_kept"] == kept["median_s"] / raw_kept["median_s"]


def check_report(report: dict[str, Any], backend: str) -> None:
    results = report["results"][backend]
    check_speed_cases(results, outline_columns=6)
    check_kept_pairs(results)
    check_speed_cases(results["fork"], outline_columns=8, default_path=False)
    memory = results["iter_frames_memory"]
    assert memory["rows"] > 0
    assert memory["peak_bytes"] > 0
    assert results["facade_overhead"]["facade_us"] > 0


@pytest.mark.slow
def test_sqlite_run(tmp_path: Path) -> None:
    demo = tmp_path / "tiny.db"
    novelkit.build_demo(demo, scale="tiny", progress=False)
    report = run_bench("--sqlite", str(demo), tmp_path / "results.json")
    check_report(report, "sqlite")
    # The default path runs on a rollback-journal copy (the app's mode), where the
    # Arrow path applies (the demo itself is in WAL mode): to the novels' join; the tiny
    # demo's tables are read through the driver, as small tables are.
    results = report["results"]["sqlite"]
    assert "arrow (adbc-sqlite)" in results["novels"][DEFAULT_PATH]["path"]
    assert results["outlines"][DEFAULT_PATH]["path"] == "driver"
    assert (tmp_path / "tiny-rollback.db").exists()
    with closing(sqlite3.connect(tmp_path / "tiny-fork.db")) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        beats = {r[0] for r in conn.execute("SELECT DISTINCT fork_beat FROM chapter_outlines")}
        tensions = conn.execute("SELECT COUNT(DISTINCT fork_tension) FROM chapter_outlines")
        assert tensions.fetchone()[0] == 10
    assert tables == FORK_TABLES
    assert beats == {f"beat-{n}" for n in range(7)}
    # Nothing left of the copy's making (a -wal beside it would hold lost changes).
    assert not [p.name for p in tmp_path.iterdir() if ".partial" in p.name or "fork.db-" in p.name]


@pytest.mark.mysql
def test_mysql_run(mysql_db: MySQLDatabase, tmp_path: Path) -> None:
    novelkit.build_demo(mysql_db.url, scale="tiny", progress=False)
    fork = f"{mysql_db.name}_fork"
    url = mysql_db.url.render_as_string(hide_password=False)
    try:
        # The URL through the environment, as `make bench` gives it (not on the
        # command line, where the process list would show the password).
        env = {**os.environ, "NOVELKIT_BENCH_MYSQL_URL": url}
        report = run_bench(None, None, tmp_path / "results.json", env=env)
        check_report(report, "mysql")
        with mysql_db.connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (fork,),
            )
            assert {r[0] for r in cur.fetchall()} == FORK_TABLES
            cur.execute(f"SELECT DISTINCT fork_beat FROM `{fork}`.chapter_outlines")
            assert {r[0] for r in cur.fetchall()} == {f"beat-{n}" for n in range(7)}
    finally:
        with mysql_db.connect() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{fork}`")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_bench_puts_no_password_on_a_command_line() -> None:
    """`make bench` hands the MariaDB URL to the scripts in the environment: neither
    make's echo of the commands nor the process list shows the password."""
    secret = "Pw-only-in-env-9431"
    env = {
        **os.environ,
        "NOVELKIT_TEST_MYSQL_URL": f"mysql+asyncmy://someone:{secret}@127.0.0.1:3306/",
    }
    env.pop("NOVELKIT_BENCH_MYSQL_URL", None)
    shown = subprocess.run(
        ["make", "-n", "bench"],
        cwd=BENCH.parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "benchmarks/bench_loaders.py" in shown
    assert "benchmarks/prepare_mysql.py" in shown
    assert secret not in shown


@pytest.mark.mysql
def test_prepare_mysql_creates_the_bench_database(mysql_db: MySQLDatabase) -> None:
    """`make bench`'s first step on MariaDB makes the database it is given when missing,
    then finds it there. (It connected without a database, which novelkit's engines
    refuse: the step failed, and the loaders' benchmark met an empty database.)"""
    made = f"{mysql_db.name}_made"
    url = mysql_db.url.set(database=made)
    script = BENCH.parent / "prepare_mysql.py"
    env = {**os.environ, "NOVELKIT_BENCH_MYSQL_URL": url.render_as_string(hide_password=False)}
    # The database only: the large demo itself takes minutes (marker read, then built).
    code = (
        f"import asyncio, runpy, sqlalchemy as sa; m = runpy.run_path({str(script)!r}); "
        "import os; asyncio.run(m['_create_database'](sa.make_url("
        "os.environ['NOVELKIT_BENCH_MYSQL_URL']))); asyncio.run(m['_create_database']("
        "sa.make_url(os.environ['NOVELKIT_BENCH_MYSQL_URL'])))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        with mysql_db.connect(admin=True) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (made,))
            assert cur.fetchone() is not None
    finally:
        with mysql_db.connect(admin=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{made}`")
