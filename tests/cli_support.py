"""Helpers shared by the CLI tests: run a command in-process and check how it ended."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from novelkit.cli import main


def run(*args: str) -> str:
    """The output of ``novelkit ARGS``, which must succeed (an exception propagates)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fails_in_one_line(*args: str) -> str:
    """The output of ``novelkit ARGS``, which must fail with exit code 1 and one line, no
    traceback."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def first_value(path: Path, sql: str) -> Any:
    """The first value of the first row ``sql`` gives on the SQLite file ``path``, read with
    plain sqlite3 (not novelkit, which the tests check)."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchone()[0]
