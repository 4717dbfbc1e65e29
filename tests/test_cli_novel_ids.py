"""Project id prefixes on the CLI and in the API: length, case, surrounding spaces."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from nktest_support import MySQLDatabase

import novelkit
from novelkit.cli import main
from novelkit.errors import UnknownObjectError


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def an_id(path: Path) -> str:
    """The id of a novel with outlines whose first 8 characters start no other id."""
    with sqlite3.connect(path) as conn:
        ids = [r[0] for r in conn.execute("SELECT DISTINCT project_id FROM chapter_outlines")]
        every = [r[0] for r in conn.execute("SELECT id FROM novel_projects")]
    return next(i for i in sorted(ids) if sum(j.startswith(i[:8]) for j in every) == 1)


def test_a_short_prefix_says_prefixes_need_six_characters(fixture_sqlite: Path) -> None:
    target = an_id(fixture_sqlite)
    code, out = cli("outlines", target[:3], str(fixture_sqlite))
    assert code == 1
    assert "6 or more characters" in out
    assert len(out.strip().splitlines()) == 1


@pytest.mark.parametrize("shape", [str.upper, lambda s: f"  {s} ", lambda s: f" {s.upper()}\t"])
def test_prefixes_ignore_case_and_spaces_on_the_cli(
    fixture_sqlite: Path, shape: Callable[[str], str]
) -> None:
    target = an_id(fixture_sqlite)
    code, out = cli("outlines", shape(target[:8]), str(fixture_sqlite), "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert rows
    assert {r["project_id"] for r in rows} == {target}


def test_prefixes_ignore_case_and_spaces_in_the_api(fixture_sqlite: Path) -> None:
    target = an_id(fixture_sqlite)
    with novelkit.connect(fixture_sqlite) as db:
        expected = db.outlines(target)
        for given in (target[:8].upper(), f" {target[:8]} ", f" {target.upper()} "):
            got = db.outlines(given)
            assert set(got["project_id"]) == {target}
            assert len(got) == len(expected)
        with pytest.raises(UnknownObjectError, match="6 or more characters"):
            db.outlines(target[:4].upper())


def test_prefixes_ignore_case_on_mysql(mysql_fixture_db: MySQLDatabase) -> None:
    url = mysql_fixture_db.ro_url.render_as_string(hide_password=False)
    with novelkit.connect(url) as db:
        ids = sorted(db.novels()["project_id"])
        target = next(i for i in ids if sum(j.startswith(i[:8]) for j in ids) == 1)
        got = db.novels(f" {target[:8].upper()} ")
    assert got["project_id"].tolist() == [target]
