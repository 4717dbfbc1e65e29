"""What a first-time analyst hit on real databases (issue 15), each on both backends.

Wrong errors and silent fallbacks, prefixes of project ids, messages the CLI
gives in its own words, exports that repeat or leave out, typed columns of a
fork's tables, planned chapters, and loaders that read only the novel asked for.
The expected values come from plain sqlite3/pymysql, never from novelkit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from _loaders_support import Source, mysql_source, restore_dump, session_on, sqlite_source
from click.testing import CliRunner

import novelkit
from novelkit import (
    NotArborisDatabaseError,
    UnknownObjectError,
    load_chapters,
    load_evaluations,
    load_novels,
    load_outlines,
    load_table,
    load_versions,
)
from novelkit.cli import main
from novelkit.cli._export import heading_and_body
from novelkit.errors import WrongTypeError

BACKENDS = ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)]


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest) -> Source:
    """A private, writable copy of the app-created fixture on one backend."""
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("fixture_sqlite"))
    db = request.getfixturevalue("mysql_db")
    restore_dump(db)
    return mysql_source(db)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _cli_url(src: Source) -> str:
    if src.backend == "sqlite":
        return str(src.path)
    return novelkit.resolve_url(src.url).render_as_string(hide_password=False)


# -- a database that is not an Arboris one ----------------------------------------------


@pytest.fixture(params=BACKENDS)
def foreign(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Source]:
    """A database with tables, none of them Arboris's."""
    statements = (
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40))",
    )
    if request.param == "sqlite":
        path = tmp_path / "shop.db"
        with sqlite3.connect(path) as conn:
            for statement in statements:
                conn.execute(statement)
        yield sqlite_source(path)
        return
    db = request.getfixturevalue("mysql_db")
    src = mysql_source(db)
    src.execute(*statements)
    yield src


async def test_loaders_on_a_foreign_database_say_it_is_not_arboris(foreign: Source) -> None:
    async with session_on(foreign) as session:
        for call in (load_novels, load_outlines, load_chapters, load_versions):
            with pytest.raises(NotArborisDatabaseError) as info:
                await call(session)
            message = str(info.value)
            assert "not an Arboris Novel database" in message
            assert "customers" in message
            assert "invoices" in message
            assert "novel_projects" in message
        # The generic access takes a table the user names: any database's.
        assert list((await load_table(session, "invoices")).columns) == ["id", "total"]


def test_cli_on_a_foreign_database_says_it_is_not_arboris(foreign: Source, tmp_path: Path) -> None:
    url = _cli_url(foreign)
    out_dir = tmp_path / "export"
    for command in (
        ["novels", url],
        ["outlines", "abcdef", url],
        ["export-text", "x", url, "--out", "-"],
        # export wrote the shop's tables as "a fork's own" (QA round).
        ["export", url, "--out", str(out_dir)],
    ):
        code, out = _cli(*command)
        assert code == 1
        assert "not an Arboris Novel database" in out
        assert "UnknownObjectError" not in out
        assert "This database has no table" not in out
    assert not out_dir.exists()  # nothing written
    # A table named with --tables is read from any database, as load_table reads it.
    code, out = _cli("export", url, "--tables", "invoices", "--out", str(out_dir))
    assert code == 0, out
    assert [p.name for p in out_dir.iterdir()] == ["invoices.parquet"]


# -- novel ids: wrong types, prefixes -------------------------------------------------


async def test_a_novel_id_of_the_wrong_type_says_what_is_accepted(fresh: Source) -> None:
    async with session_on(fresh) as session:
        for wrong in (5, 3.5, b"abc", [1, 2], {"id": "x"}):
            with pytest.raises(WrongTypeError) as info:
                await load_outlines(session, novel_id=wrong)  # type: ignore[arg-type]
            assert "project id" in str(info.value)
            assert isinstance(info.value, TypeError)


async def test_a_unique_prefix_selects_its_novel(fresh: Source) -> None:
    ids = sorted(r["id"] for r in fresh.rows("SELECT id FROM novel_projects"))
    target = ids[0]
    prefix = next(
        target[:n]
        for n in range(6, len(target) + 1)
        if sum(i.startswith(target[:n]) for i in ids) == 1
    )
    async with session_on(fresh) as session:
        whole = await load_outlines(session, novel_id=target)
        by_prefix = await load_outlines(session, novel_id=prefix)
        novels = await load_novels(session, novel_id=[prefix, target])
    pd.testing.assert_frame_equal(by_prefix, whole)
    assert novels["project_id"].tolist() == [target]


def test_cli_commands_take_a_prefix(fresh: Source) -> None:
    target = sorted(r["id"] for r in fresh.rows("SELECT id FROM novel_projects"))[-1]
    planned = len(fresh.rows("SELECT id FROM chapter_outlines WHERE project_id = ?", (target,)))
    code, out = _cli("outlines", target[:8], _cli_url(fresh), "--format", "json")
    assert code == 0, out
    assert len(json.loads(out)) == planned


async def test_an_ambiguous_prefix_lists_the_candidates(fresh: Source) -> None:
    first = fresh.rows("SELECT id, title FROM novel_projects ORDER BY id")[0]
    twin = first["id"][:8] + "-0000-4000-8000-000000000000"
    fresh.execute(
        f"INSERT INTO novel_projects (id, user_id, title, status, created_at, updated_at) "
        f"SELECT '{twin}', user_id, 'twin', status, created_at, updated_at "
        f"FROM novel_projects WHERE id = '{first['id']}'"
    )
    async with session_on(fresh) as session:
        with pytest.raises(UnknownObjectError) as info:
            await load_outlines(session, novel_id=first["id"][:7])
    message = str(info.value)
    assert "ambiguous" in message
    assert first["id"] in message
    assert twin in message
    # Shorter than 6 characters, or not the start of a UUID: never a prefix.
    async with session_on(fresh) as session:
        for short in (first["id"][:5], first["title"][:8]):
            with pytest.raises(UnknownObjectError, match="No novel"):
                await load_outlines(session, novel_id=short)


# -- messages in the CLI's own words --------------------------------------------------


def test_cli_errors_name_cli_commands(fixture_sqlite: Path) -> None:
    code, out = _cli("outlines", "no-such-novel", str(fixture_sqlite))
    assert code == 1
    assert "novelkit novels" in out
    assert "db.novels()" not in out
    assert "load_novels()" not in out
    code, out = _cli("export", str(fixture_sqlite), "--tables", "chapterz", "--out", "x")
    assert code == 1
    assert "novelkit info" in out
    assert "db.inspect()" not in out


def test_a_relative_sqlite_url_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _cli("novels", "sqlite:///tmp/x.db")
    assert code == 1
    assert "relative" in out
    assert "sqlite:////tmp/x.db" in out  # the four-slash form that was probably meant
    assert str(tmp_path) in out


# -- exports --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "heading", "body"),
    [
        ("第一章 雾起", "雾从港口涌来。", "第一章 雾起", "雾从港口涌来。"),
        ("代价", "第2章 代价\r\n\r\n他付出了代价。", "第2章 代价", "他付出了代价。"),
        ("代价", "代价\n他付出了代价。", "第2章 代价", "他付出了代价。"),
        (None, "第十二回 归来\n正文", "第十二回 归来", "正文"),
        ("The Storm", "Chapter 2: The Storm\nRain.", "Chapter 2: The Storm", "Rain."),
        ("代价", "他付出了代价。", "第2章 代价", "他付出了代价。"),
        (None, "正文", "第2章", "正文"),
    ],
)
def test_each_heading_is_written_once(
    title: str | None, text: str, heading: str, body: str
) -> None:
    assert heading_and_body(2, title, text) == (heading, body)


def _classic_heading_in_text(src: Source) -> tuple[str, str]:
    """The busiest novel's first selected chapter gets its heading in its text, as classic does."""
    row = src.rows(
        "SELECT c.project_id, c.chapter_number, v.id AS vid FROM chapters c "
        "JOIN chapter_versions v ON v.id = c.selected_version_id ORDER BY c.id"
    )[0]
    heading = f"第{row['chapter_number']}章 代价"
    src.execute(
        f"UPDATE chapter_versions SET content = '{heading}\n\n正文。' WHERE id = {row['vid']}",
        f"UPDATE chapter_outlines SET title = '代价' WHERE project_id = '{row['project_id']}' "
        f"AND chapter_number = {row['chapter_number']}",
    )
    return row["project_id"], heading


@pytest.mark.parametrize("fmt", ["txt", "markdown"])
def test_export_text_does_not_repeat_a_heading(fresh: Source, fmt: str) -> None:
    project, heading = _classic_heading_in_text(fresh)
    code, out = _cli("export-text", project, _cli_url(fresh), "--format", fmt, "--out", "-")
    assert code == 0, out
    lines = [line.removeprefix("## ") for line in out.splitlines()]
    assert lines.count(heading) == 1
    assert f"{heading} 代价" not in out


def test_export_writes_a_forks_tables_too(fresh: Source, tmp_path: Path) -> None:
    fresh.execute(
        "CREATE TABLE part_outlines (id INTEGER PRIMARY KEY, project_id VARCHAR(36), "
        "part_number INTEGER, title VARCHAR(100))",
        "INSERT INTO part_outlines VALUES (1, 'p', 1, '上部'), (2, 'p', 2, '下部')",
        "CREATE TABLE fork_settings (name VARCHAR(40), api_key VARCHAR(80))",
        "INSERT INTO fork_settings VALUES ('x', 'sk-not-for-export')",
    )
    out_dir = tmp_path / "export"
    code, out = _cli("export", _cli_url(fresh), "--format", "csv", "--out", str(out_dir))
    assert code == 0, out
    assert "part_outlines" in out
    assert "fork_settings" in out
    written = {p.stem for p in out_dir.iterdir()}
    assert {"part_outlines", "fork_settings", "novel_projects", "chapters"} <= written
    parts = pd.read_csv(out_dir / "part_outlines.csv")
    assert parts["title"].tolist() == ["上部", "下部"]
    assert "sk-not-for-export" not in (out_dir / "fork_settings.csv").read_text(encoding="utf-8")
    some = tmp_path / "some"
    code, out = _cli(
        "export", _cli_url(fresh), "--tables", "part_outlines,users", "--out", str(some)
    )
    assert code == 0, out
    assert {p.name for p in some.iterdir()} == {"part_outlines.parquet", "users.parquet"}


# -- values -----------------------------------------------------------------------------


async def test_a_variant_tables_columns_are_typed_by_their_sql_type(fresh: Source) -> None:
    """GTJasonMK's llm_configs: other columns, timestamps among them."""
    fresh.execute(
        "DROP TABLE llm_configs",
        "CREATE TABLE llm_configs (id INTEGER PRIMARY KEY, user_id INTEGER, "
        "config_name VARCHAR(40), llm_provider_api_key VARCHAR(100), is_active BOOLEAN, "
        "created_at DATETIME, temperature FLOAT)",
        "INSERT INTO llm_configs VALUES (1, 1, 'main', 'sk-secret', 1, "
        "'2026-01-02 03:04:05', 0.7), (2, 2, 'spare', NULL, 0, NULL, NULL)",
    )
    async with session_on(fresh) as session:
        frame = await load_table(session, "llm_configs")
    stored = fresh.rows(f"SELECT {fresh.ts('created_at')} AS t FROM llm_configs WHERE id = 1")
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert frame["created_at"].iloc[0] == fresh.to_utc(stored[0]["t"])
    assert frame["created_at"].isna().tolist() == [False, True]
    assert str(frame["id"].dtype) == "Int64"
    assert str(frame["temperature"].dtype) == "Float64"
    assert str(frame["config_name"].dtype) == "string"
    assert set(frame["llm_provider_api_key"].dropna()) == {"[redacted]"}
    engine = novelkit.create_engine(fresh.url)
    try:
        info = await novelkit.inspect_database(engine)
    finally:
        await engine.dispose()
    lines = repr(info).splitlines()
    assert "llm_configs" not in next(line for line in lines if "missing:" in line)
    assert "llm_configs" not in next(line for line in lines if "extra:" in line)
    assert "llm_configs" in next(line for line in lines if "fork variants:" in line)


async def test_planned_chapters_from_a_forks_blueprint(fresh: Source) -> None:
    project = fresh.rows(
        "SELECT p.id FROM novel_projects p JOIN novel_blueprints b ON b.project_id = p.id "
        "ORDER BY p.id"
    )[0]["id"]
    fresh.execute(
        "ALTER TABLE novel_blueprints ADD COLUMN total_chapters INTEGER",
        f"UPDATE novel_blueprints SET total_chapters = 60 WHERE project_id = '{project}'",
    )
    outlines = {
        r["project_id"]: r["n"]
        for r in fresh.rows(
            "SELECT project_id, COUNT(*) AS n FROM chapter_outlines GROUP BY project_id"
        )
    }
    async with session_on(fresh) as session:
        novels = (await load_novels(session)).set_index("project_id")
    assert novels.loc[project, "planned_chapters"] == 60
    for pid, row in novels.iterrows():
        if pid != project:
            assert row["planned_chapters"] == outlines.get(pid, 0)
    # progress stays as the app counts it: completed over outlines.
    row = novels.loc[project]
    assert row["progress"] == pytest.approx(row["completed"] / outlines[project])


async def test_versions_of_one_novel_read_only_its_chapters(fresh: Source) -> None:
    project = fresh.rows("SELECT project_id FROM chapters ORDER BY id")[0]["project_id"]
    statements: list[str] = []
    # The driver path, whose statements before_cursor_execute sees; the Arrow path runs
    # the same statement objects (tests/test_arrow_path.py compares the frames).
    engine = novelkit.create_engine(fresh.url, fast=False)

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    try:
        async with novelkit.open_session(engine) as session:
            frame = await load_versions(session, novel_id=project, content=True)
            await load_evaluations(session, novel_id=project)
    finally:
        await engine.dispose()
    assert set(frame["project_id"]) == {project}
    from_chapters = [
        s for s in statements if "FROM chapters" in s.replace("`", "").replace('"', "")
    ]
    assert from_chapters
    assert all("WHERE" in s for s in from_chapters), from_chapters


def test_facade_docstrings_and_signatures() -> None:
    assert novelkit.NovelDB.activity.__doc__.startswith(":func:`novelkit.load_activity`")
    assert novelkit.NovelDB.admin_stats.__doc__.startswith(":func:`novelkit.load_admin_stats`")
    assert "fusion app" in (novelkit.load_evaluations.__doc__ or "")
    assert "never written" not in (novelkit.load_evaluations.__doc__ or "")
    import inspect

    assert "dedupe" in inspect.signature(novelkit.NovelDB.chapters).parameters


async def test_secret_looking_columns_and_settings_are_redacted(fresh: Source) -> None:
    """Tokens, private keys and credentials are redacted like passwords and API keys, in
    a fork's own table and in ``system_configs``; token counts and URLs are not."""
    fresh.execute(
        "CREATE TABLE webhook_targets (id INTEGER PRIMARY KEY, access_token VARCHAR(40), "
        "private_key VARCHAR(40), credentials VARCHAR(40), refreshToken VARCHAR(40), "
        "total_tokens INTEGER, token_usage VARCHAR(40), token_url VARCHAR(40), "
        "githubToken VARCHAR(40), token_value VARCHAR(40), client_key VARCHAR(40), "
        "pwd VARCHAR(40), session_tokens INTEGER, auth_token_count INTEGER, "
        "known_secrets VARCHAR(40), sort_key VARCHAR(40))",
        "INSERT INTO webhook_targets VALUES (1, 'ghp-7777', 'pk-8888', 'c-9999', 'r-1111', "
        "120, '{\"in\": 3}', 'https://x.example/token', 'g-1', 't-2', 'k-3', 'p-4', 5, 6, "
        "'她知道他是谁', 'b')",
        "INSERT INTO system_configs (`key`, value) VALUES ('smtp.token', 'tok-6666'), "
        "('github.access_token', 'ghp-9999'), ('linuxdo.token_url', 'https://x.example/t')"
        if fresh.backend == "mysql"
        else "INSERT INTO system_configs (key, value) VALUES ('smtp.token', 'tok-6666'), "
        "('github.access_token', 'ghp-9999'), ('linuxdo.token_url', 'https://x.example/t')",
    )
    async with session_on(fresh) as session:
        targets = await load_table(session, "webhook_targets")
        configs = await load_table(session, "system_configs")
    row = targets.iloc[0]
    for column in (
        "access_token",
        "private_key",
        "credentials",
        "refreshToken",
        "githubToken",
        "token_value",
        "client_key",
        "pwd",
    ):
        assert row[column] == "[redacted]", column
    # Counts, story text and ordinary keys stay as stored.
    assert (row["session_tokens"], row["auth_token_count"]) == (5, 6)
    assert row["known_secrets"] == "她知道他是谁"
    assert row["sort_key"] == "b"
    assert row["total_tokens"] == 120
    assert row["token_usage"] == '{"in": 3}'
    assert row["token_url"] == "https://x.example/token"
    values = dict(zip(configs["key"], configs["value"], strict=True))
    assert values["smtp.token"] == values["github.access_token"] == "[redacted]"
    assert values["linuxdo.token_url"] == "https://x.example/t"


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("hashed_password", True),
        ("llm_provider_api_key", True),
        ("linuxdo.client_secret", True),
        ("githubToken", True),
        ("smtp.token", True),
        ("APIKey", True),
        ("user_api_keys", True),
        ("total_tokens", False),
        ("auth_token_count", False),
        ("linuxdo.token_url", False),
        ("known_secrets", False),
        ("sort_key", False),
        ("key", False),
    ],
)
def test_secret_names_are_told_by_their_words(name: str, secret: bool) -> None:
    from novelkit.loaders._secrets import is_secret_name

    assert is_secret_name(name) is secret


async def test_an_unknown_table_says_the_same_everywhere(fresh: Source) -> None:
    """One wording for a table the database does not have: close matches, and on MySQL
    that a table the account has no rights on is not listed either."""
    from novelkit.errors import UnknownObjectError

    async with session_on(fresh) as session:
        with pytest.raises(UnknownObjectError) as by_loader:
            await load_table(session, "chapterz")
        tables = await novelkit.tables(session)
    with pytest.raises(UnknownObjectError) as by_tables:
        tables["chapterz"]
    for raised in (by_loader, by_tables):
        message = str(raised.value)
        assert message.startswith("This database has no table 'chapterz'. Close matches: chapters")
        assert ("not listed either" in message) is (fresh.backend == "mysql")
