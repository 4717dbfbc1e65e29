"""Echo: SQL logging on the engine's standard logger, at creation and at runtime.

Captured through logging (caplog): SQL appears when echo is on, rows only at
"debug", nothing when off; the echo() context manager restores the previous
level; on MySQL, debug output never shows the password.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from novelkit import ConfigurationError, create_engine, echo, open_session, set_echo

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

ENGINE_LOGGER = "sqlalchemy.engine.Engine"
MARKER_SQL = "SELECT 4242 AS marker"


def engine_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith(ENGINE_LOGGER)]


async def run_marker(engine: AsyncEngine, sql: str = MARKER_SQL) -> None:
    async with engine.connect() as conn:
        assert (await conn.execute(text(sql))).scalar() == 4242


def logged_sql(caplog: pytest.LogCaptureFixture, sql: str = MARKER_SQL) -> bool:
    return any(sql in m for m in engine_messages(caplog))


def logged_row(caplog: pytest.LogCaptureFixture) -> bool:
    return any("4242" in m and "Row" in m for m in engine_messages(caplog))


@pytest.mark.parametrize(
    ("level", "sql_shown", "rows_shown"),
    [(False, False, False), (True, True, False), ("debug", True, True)],
)
async def test_echo_at_creation(
    fixture_sqlite: Path,
    caplog: pytest.LogCaptureFixture,
    level: bool | str,
    sql_shown: bool,
    rows_shown: bool,
) -> None:
    engine = create_engine(fixture_sqlite, echo=level)
    try:
        assert engine.echo == level
        caplog.clear()
        await run_marker(engine)
        assert logged_sql(caplog) is sql_shown
        assert logged_row(caplog) is rows_shown
    finally:
        await engine.dispose()


async def test_set_echo_at_runtime(fixture_sqlite: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        await run_marker(engine)
        assert not logged_sql(caplog)

        set_echo(engine, True)
        caplog.clear()
        await run_marker(engine)
        assert logged_sql(caplog)
        assert not logged_row(caplog)

        set_echo(engine, "debug")
        caplog.clear()
        await run_marker(engine)
        assert logged_row(caplog)

        set_echo(engine, False)
        caplog.clear()
        await run_marker(engine)
        assert engine_messages(caplog) == []
    finally:
        await engine.dispose()


async def test_set_echo_rejects_bad_level(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        with pytest.raises(ConfigurationError, match="'debug'"):
            set_echo(engine, "verbose")  # type: ignore[arg-type]
        assert engine.echo is False
    finally:
        await engine.dispose()


async def test_echo_context_manager_restores_previous_level(
    fixture_sqlite: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        with echo(engine):
            assert engine.echo is True
            caplog.clear()
            await run_marker(engine)
            assert logged_sql(caplog)
        assert engine.echo is False
        caplog.clear()
        await run_marker(engine)
        assert not logged_sql(caplog)

        set_echo(engine, "debug")
        with echo(engine, True):
            assert engine.echo is True
            caplog.clear()
            await run_marker(engine)
            assert logged_sql(caplog)
            assert not logged_row(caplog)
        assert engine.echo == "debug"

        with echo(engine, False):
            caplog.clear()
            await run_marker(engine)
            assert engine_messages(caplog) == []
        assert engine.echo == "debug"
    finally:
        await engine.dispose()


async def test_echo_context_manager_restores_after_an_error(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite, echo=True)
    try:

        def fail_inside() -> None:
            with echo(engine, "debug"):
                assert engine.echo == "debug"
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail_inside()
        assert engine.echo is True
    finally:
        await engine.dispose()


async def test_echo_applies_to_new_sessions(
    fixture_sqlite: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A session opened after the switch logs; the level is read at checkout."""
    engine = create_engine(fixture_sqlite)
    try:
        async with open_session(engine) as session:
            await session.execute(text("SELECT 1"))
        with echo(engine):
            caplog.clear()
            async with open_session(engine) as session:
                await session.execute(text(MARKER_SQL))
            assert logged_sql(caplog)
        caplog.clear()
        async with open_session(engine) as session:
            await session.execute(text(MARKER_SQL))
        assert not logged_sql(caplog)
    finally:
        await engine.dispose()


async def test_echo_off_silences_an_open_connection(
    fixture_sqlite: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(fixture_sqlite, echo=True)
    try:
        async with engine.connect() as conn:
            caplog.clear()
            await conn.execute(text(MARKER_SQL))
            assert logged_sql(caplog)
            set_echo(engine, False)
            caplog.clear()
            await conn.execute(text(MARKER_SQL))
            assert not logged_sql(caplog)
    finally:
        await engine.dispose()


async def test_mysql_debug_echo_hides_password(
    mysql_db: MySQLDatabase,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    password = mysql_db.url.password
    assert isinstance(password, str)
    assert password
    caplog.set_level(logging.DEBUG, logger="novelkit")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.pool")
    engine = create_engine(mysql_db.url, echo="debug", read_only=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (a INT, b VARCHAR(20))"))
            await conn.execute(text("INSERT INTO t VALUES (4242, :b)"), {"b": "x"})
        async with engine.connect() as conn:
            await conn.execute(text("SELECT a, b, CURRENT_USER() FROM t"))
    finally:
        await engine.dispose()
    assert logged_sql(caplog, "SELECT a, b, CURRENT_USER() FROM t")
    assert any("Row" in m for m in engine_messages(caplog))
    out = capsys.readouterr()
    everything = "\n".join(
        [caplog.text, out.out, out.err]
        + [r.getMessage() for r in caplog.records]
        + [repr(r.args) for r in caplog.records]
    )
    for form in {password, quote(password, safe=""), quote_plus(password), quote(password)}:
        assert form not in everything
