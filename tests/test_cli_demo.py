"""The ``novelkit`` command line, through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from nktest_support import FIXTURE_SQLITE, MySQLDatabase

from novelkit import __version__
from novelkit.cli import main
from novelkit.db import default_demo_path
from novelkit.demo import APPLICATION_ID


def application_id(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA application_id").fetchone()[0]
    finally:
        conn.close()


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "novelkit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"novelkit, version {__version__}"


@pytest.mark.parametrize("command", [[], ["demo"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert len(result.output.splitlines()) > 3


def test_every_registered_command_is_documented() -> None:
    for name, command in main.commands.items():
        assert command.help, f"novelkit {name} has no help text"


def test_demo_tiny(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(main, ["demo", str(path), "--scale", "tiny", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "Built the tiny fusion demo (seed 2)" in result.output
    assert "9 projects" in result.output
    assert application_id(path) == APPLICATION_ID


def test_demo_classic_default_location() -> None:
    result = CliRunner().invoke(main, ["demo", "--scale", "tiny", "--generation", "classic"])
    assert result.exit_code == 0, result.output
    assert "17 tables" in result.output
    assert application_id(default_demo_path()) == APPLICATION_ID


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "postgresql://user:pw@host/db"], "does not support"),
        (["demo", "mysql://user:pw@host:notaport/db"], "malformed"),
    ],
)
def test_bad_url_is_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert ":pw@" not in lines[0]  # the password is masked
    assert "Traceback" not in result.output


def test_bad_option_exits_nonzero(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "x.db"), "--scale", "huge"])
    assert result.exit_code == 2
    assert "Invalid value for '--scale'" in result.output


def test_refusal_and_force(tmp_path: Path) -> None:
    path = tmp_path / "arboris.db"
    shutil.copyfile(FIXTURE_SQLITE, path)
    runner = CliRunner()
    refused = runner.invoke(main, ["demo", str(path), "--scale", "tiny"])
    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1
    assert "--force" in refused.output
    assert application_id(path) != APPLICATION_ID
    forced = runner.invoke(main, ["demo", str(path), "--scale", "tiny", "--force"])
    assert forced.exit_code == 0, forced.output
    assert application_id(path) == APPLICATION_ID


def test_refusal_counts_one_table_in_the_singular(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    refused = CliRunner().invoke(main, ["demo", str(path), "--scale", "tiny"])
    assert refused.exit_code == 1
    assert "1 table, no novelkit demo marker" in refused.output  # was "1 tables"


def test_python_m_novelkit_demo(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = run_module("demo", str(path), "--scale", "tiny")
    assert result.returncode == 0, result.stderr
    assert "Built the tiny fusion demo" in result.stdout
    assert result.stderr == ""  # no progress bar when not on a terminal
    assert application_id(path) == APPLICATION_ID


def test_python_m_novelkit_bad_url() -> None:
    result = run_module("demo", "oracle://scott:tiger@db/orcl")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert "tiger" not in result.stderr


def test_python_m_novelkit_help() -> None:
    result = run_module("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout


@pytest.mark.mysql
def test_demo_on_mysql(mysql_db: MySQLDatabase) -> None:
    url = mysql_db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["demo", url, "--scale", "tiny", "--generation", "classic"])
    assert result.exit_code == 0, result.output
    assert (mysql_db.url.password or "") not in result.output
    assert "***" in result.output
