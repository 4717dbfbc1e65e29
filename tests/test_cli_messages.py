"""CLI error messages name the CLI's own commands and options, not the Python API's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import fails_in_one_line
from click.testing import CliRunner
from nktest_support import MySQLDatabase

from novelkit.cli import main

#: Python-API advice that a CLI user cannot act on.
API_WORDS = (
    "read_only=",
    "statement_timeout",
    "connect_timeout=",
    "busy_timeout=",
    "create=True",
    "snapshot=True",
    "regex=False",
    "novelkit.tables()",
    "db.tables",
    "connect(",
    "create_engine(",
    "to params",
    "from params",
    "env_file=",
    "url=",
    "url argument",
    "force=True",
    "build_demo",
)

#: About a second of work on SQLite: long enough to pass a short --timeout.
SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) "
    "SELECT COUNT(*) AS n FROM c"
)


def fails(*args: str) -> str:
    """A one-line failure whose advice is the CLI's own, no Python-API words."""
    output = fails_in_one_line(*args)
    for word in API_WORDS:
        assert word not in output, (word, output)
    return output


@pytest.mark.parametrize(
    "query",
    ["DELETE FROM users", "ATTACH 'other.db' AS other", "PRAGMA journal_mode = WAL"],
)
def test_refused_writes_say_the_cli_only_reads(fixture_sqlite: Path, query: str) -> None:
    out = fails("sql", query, str(fixture_sqlite))
    assert "read-only" in out
    assert "The novelkit CLI only reads" in out


@pytest.mark.parametrize(
    ("query", "options", "expected"),
    [
        pytest.param(
            "SELECT title FROM novel_projects WHERE status = :s",
            [],
            [":s", "--param NAME=VALUE"],
            id="missing",
        ),
        pytest.param("SELECT 1 AS one", ["--param", "s=draft"], ["--param", "'s'"], id="unused"),
    ],
)
def test_a_param_error_names_the_option(
    fixture_sqlite: Path, query: str, options: list[str], expected: list[str]
) -> None:
    out = fails("sql", query, str(fixture_sqlite), *options)
    for words in expected:
        assert words in out


def test_bad_sql_points_at_novelkit_info(fixture_sqlite: Path) -> None:
    out = fails("sql", "SELECT * FROM no_such_table", str(fixture_sqlite))
    assert "no such table" in out
    assert "`novelkit info` lists them" in out


def test_a_missing_file_gives_no_create_advice(tmp_path: Path) -> None:
    out = fails("novels", str(tmp_path / "missing.db"))
    assert "No SQLite database" in out


def test_timeout_advice_names_the_option(fixture_sqlite: Path) -> None:
    out = fails("sql", SLOW, str(fixture_sqlite), "--timeout", "0.05")
    assert "Raise --timeout" in out
    assert "ran past the --timeout (0.05 s)" in out  # the limit it ran past


def test_the_live_file_limit_names_the_option(fixture_sqlite: Path) -> None:
    out = fails("sql", SLOW.replace("30000000", "300000000"), str(fixture_sqlite))
    assert "stopped after 4 s" in out
    assert "--timeout SECONDS" in out
    assert "novelkit snapshot" in out


def test_a_bad_regex_names_the_option(fixture_sqlite: Path) -> None:
    out = fails("search", "[", str(fixture_sqlite), "--regex")
    assert "drop --regex" in out


def test_a_relative_sqlite_url_suggests_the_file_meant(
    fixture_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = fails("info", "sqlite:///nope.db")
    assert f"sqlite:///{tmp_path / 'nope.db'}" in out
    assert "sqlite:////nope.db" not in out
    # The suggested URL is the one that works, once the file is there.
    shutil.copy(fixture_sqlite, tmp_path / "nope.db")
    result = CliRunner().invoke(main, ["info", f"sqlite:///{tmp_path / 'nope.db'}"])
    assert result.exit_code == 0, result.output
    assert "fusion" in result.output


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param("missing", "Give --env-file the path of", id="missing-env-file"),
        pytest.param("empty", "or a URL argument instead of --env-file.", id="empty-env-file"),
        pytest.param("undecodable", "or a URL argument instead of --env-file.", id="bad-bytes"),
        pytest.param(
            "postgresql", "a URL argument, or --env-file with the Arboris .env.", id="other-tool"
        ),
    ],
)
def test_where_the_database_is_names_the_cli_options(
    tmp_path: Path, case: str, expected: str
) -> None:
    """Was Python-API advice: env_file=, url=..."""
    env = tmp_path / "backend.env"
    if case == "empty":
        env.write_text("", encoding="utf-8")
    elif case == "undecodable":
        env.write_bytes(b"\xff\xfe")
    elif case == "postgresql":
        env.write_text("DATABASE_URL=postgresql://u:p@h/db\n", encoding="utf-8")
    out = fails("info", "--env-file", str(env))
    assert expected in out


@pytest.mark.parametrize("url", ["postgresql://u:p@h/db", "mysql://"])
def test_a_bad_url_argument_is_called_so(url: str) -> None:
    assert "from the URL argument" in fails("info", url)


@pytest.mark.mysql
def test_demo_with_a_read_only_account_names_no_python_keyword(mysql_db: MySQLDatabase) -> None:
    """Was "The account (or the server) is read-only, whatever read_only= says": the CLI
    has no read_only option."""
    url = mysql_db.ro_url.render_as_string(hide_password=False)
    out = fails("demo", url, "--scale", "tiny")
    assert "give novelkit demo the URL of an account" in out
    assert (mysql_db.ro_url.password or "") not in out


def test_demo_over_another_database_names_force(tmp_path: Path) -> None:
    """Was "build_demo will not overwrite it ... pass force=True (--force)"."""
    other = tmp_path / "notes.db"
    other.write_text("not a database", encoding="utf-8")
    out = fails("demo", str(other), "--scale", "tiny")
    assert "novelkit demo will not overwrite it" in out
    assert "add --force to replace it" in out
    assert other.read_text(encoding="utf-8") == "not a database"


@pytest.mark.parametrize(
    "argv",
    [
        ["outlines", "{db}"],
        ["export-text", "{db}", "--out", "-"],
        ["search", "{db}"],
        ["sql", "{db}"],
        ["search", "mysql://reader:secret@db.invalid:3306/arboris"],
    ],
)
def test_a_database_given_in_place_of_the_first_argument_is_called_so(
    fixture_sqlite: Path, argv: list[str]
) -> None:
    """`novelkit search arboris.db` (the pattern left out) searched the demo database for
    the text 'arboris.db' and said "No match"; outlines said no novel has that id."""
    argv = [arg.replace("{db}", str(fixture_sqlite)) for arg in argv]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert "looks like a database, and no URL follows it" in result.output
    assert f"novelkit {argv[0]} " in result.output
    assert "secret" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("pattern", ["README.md", "林" * 5000])
def test_a_pattern_that_is_no_database_is_still_searched(
    fixture_sqlite: Path, pattern: str
) -> None:
    """Without a URL too: a name too long for a file is no error either."""
    for argv in (["search", pattern, str(fixture_sqlite)], ["search", pattern]):
        result = CliRunner().invoke(main, argv)
        assert result.exit_code == 0, result.output
