"""``novelkit search`` on the text-query database (SQLite) and MariaDB."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import text_queries_support as data
from _loaders_support import scratch_database
from cli_support import run
from click.testing import CliRunner

from novelkit.cli import main


@pytest.fixture(scope="module")
def texts_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-search") / "texts.sqlite"
    asyncio.run(data.build(str(path)))
    return path


def test_search_prints_one_line_per_match(texts_db: Path) -> None:
    out = run("search", "林墨", str(texts_db), "--novel", data.A, "--context", "3")
    lines = out.splitlines()
    assert len(lines) == 1 + 7  # the header and the seven matches of test_text_queries
    assert "然说，" in lines[2]
    assert "来了。" in lines[2]


def test_search_csv_and_json_carry_every_column(texts_db: Path) -> None:
    frame = pd.read_csv(
        io.StringIO(run("search", "AI", str(texts_db), "--format", "csv", "--context", "2"))
    )
    assert frame["match"].tolist() == ["ＡＩ", "ai"]
    assert frame["start"].tolist() == [5, 8]
    rows = json.loads(run("search", "AI", str(texts_db), "--format", "json", "--case-sensitive"))
    assert rows == []


def test_search_regex_versions_and_several_novels(texts_db: Path) -> None:
    out = run(
        "search", r"林墨然?", str(texts_db), "--regex", "--versions", "all",
        "--novel", data.A, "--novel", data.B, "--format", "json",
    )  # fmt: skip
    rows = json.loads(out)
    assert {r["project_id"] for r in rows} == {data.A, data.B}
    assert [r["match"] for r in rows if r["version_id"] == 202] == ["林墨然"]


def test_search_without_match_and_with_errors(texts_db: Path) -> None:
    assert run("search", "不存在", str(texts_db)) == "No match for '不存在'.\n"
    for args, message in (
        (["林(墨", "--regex"], "regular expression"),
        (["林墨", "--novel", "p-z"], "No novel"),
        (["林墨", "--versions", "newest"], "Invalid value"),
    ):
        result = CliRunner().invoke(main, ["search", args[0], str(texts_db), *args[1:]])
        assert result.exit_code != 0
        assert message in result.output
        assert "Traceback" not in result.output


def test_search_in_a_novel_without_texts_says_no_match(fixture_sqlite: Path) -> None:
    """A draft of the app-created fixture has no chapter: was a KeyError traceback."""
    draft = "f8746b7d-2d91-4d90-af73-d874f28764de"
    assert run("search", "林", str(fixture_sqlite), "--novel", draft) == "No match for '林'.\n"
    out = run("search", "林", str(fixture_sqlite), "--novel", draft, "--format", "json")
    assert json.loads(out) == []


@pytest.fixture
def texts_mysql() -> Iterator[Any]:
    for db in scratch_database("clisearch"):
        asyncio.run(data.build(db.url))
        yield db


@pytest.mark.mysql
def test_search_on_mariadb_hides_the_password(texts_mysql: Any) -> None:
    url = texts_mysql.ro_url.render_as_string(hide_password=False)
    rows = json.loads(run("search", "café", url, "--format", "json"))
    assert [(r["version_id"], r["match"]) for r in rows] == [(501, "Café")]
    out = run("search", "不存在", url)
    assert texts_mysql.ro_url.password not in out
