"""bind_text: only real :name placeholders become binds, and values are bound, never formatted.

Statements are compiled for SQLite and for the asyncmy MySQL dialect, and run on
a real SQLite database through a SQLAlchemy engine; values come back unchanged.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from _loaders_support import BACKENDS, Source, fusion_source, session_on, sqlite_source
from hypothesis import given, settings, strategies as st
from nktest_support import MySQLDatabase
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.mysql import asyncmy

import novelkit
from novelkit.errors import ConfigurationError, WrongTypeError
from novelkit.sql._params import bind_text, placeholder_names

SQLITE = sqlite_dialect.dialect()
ASYNCMY = asyncmy.dialect()


def compiled(stmt: sa.TextClause, dialect: sa.Dialect) -> tuple[str, dict[str, Any]]:
    result = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return str(result), dict(result.params)


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE chapters (id INTEGER PRIMARY KEY, project_id TEXT)")
        conn.exec_driver_sql(
            "INSERT INTO chapters VALUES (1, 'p1'), (2, 'p1'), (3, 'p2'), (4, 'p:3')"
        )
    yield engine
    engine.dispose()


# --- finding placeholders ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "dialect", "names"),
    [
        ("SELECT :b, :a, :b", "sqlite", ["b", "a"]),
        ("SELECT * FROM t WHERE id IN :ids AND x = :x_1", "mysql", ["ids", "x_1"]),
        ("SELECT ':abc', '12:30', 'a :b c'", "sqlite", []),
        ("SELECT ':abc', \"x :y\"", "mysql", []),  # a string on MySQL
        ('SELECT "x :y" FROM t', "sqlite", []),  # a name on SQLite
        ("SELECT `a:b`, [c:d] FROM t", "sqlite", []),
        ("SELECT 1 -- :no\n, :yes", "sqlite", ["yes"]),
        ("SELECT 1 /* :no */ + :yes", "mysql", ["yes"]),
        ("SELECT 1 # :no\n + :yes", "mysql", ["yes"]),
        ("SELECT x::int, :yes", "sqlite", ["yes"]),
        ("SELECT @v := 1, :yes", "mysql", ["yes"]),
        ("SELECT 'it\\'s :no', :yes", "mysql", ["yes"]),
        ("SELECT * FROM t WHERE a IN:ids", "sqlite", ["ids"]),
        ("SELECT : x", "sqlite", []),
        ("SELECT @user_var, @@sql_mode, :p", "mysql", ["p"]),
        ("SELECT :select, :from", "sqlite", ["select", "from"]),
    ],
)
def test_placeholder_names(sql: str, dialect: str, names: list[str]) -> None:
    assert placeholder_names(sql, dialect) == names  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sql", "dialect", "shown"),
    [
        ("SELECT * FROM t WHERE id = ?", "sqlite", "'?'"),
        ("SELECT * FROM t WHERE id = ?", "mysql", "'?'"),
        ("SELECT * FROM t WHERE id = :1", "sqlite", "':1'"),
        ("SELECT * FROM t WHERE id = @id", "sqlite", "'@id'"),
        ("SELECT * FROM t WHERE id = $id", "sqlite", "'$id'"),
        ("SELECT :名前", "sqlite", "':名'"),
        ("SELECT :a名", "sqlite", "':a名'"),
        ("SELECT :a$b", "mysql", "':a$'"),
    ],
)
def test_other_placeholder_styles_are_refused(sql: str, dialect: str, shown: str) -> None:
    with pytest.raises(ConfigurationError, match=r":name|:p1") as info:
        placeholder_names(sql, dialect)  # type: ignore[arg-type]
    assert shown in str(info.value)


def test_placeholders_that_depend_on_backslash_escapes_are_refused() -> None:
    # Escapes on: one string. NO_BACKSLASH_ESCAPES: the string ends at the backslash.
    sql = "SELECT 'a\\', :x, ' -- '\n"
    with pytest.raises(ConfigurationError, match="NO_BACKSLASH_ESCAPES"):
        placeholder_names(sql, "mysql")
    assert placeholder_names(sql.replace("\\", ""), "mysql") == ["x"]


# --- why the colons are escaped -------------------------------------------------------


def test_plain_text_would_bind_colons_inside_strings_and_comments() -> None:
    """The negative control: sqlalchemy.text() alone sees binds that are not there."""
    naive = sa.text("SELECT ':abc', '12:30' -- :zzz")
    assert set(naive._bindparams) == {"abc", "zzz"}
    assert set(bind_text("SELECT ':abc', '12:30' -- :zzz", None, "sqlite")._bindparams) == set()


@pytest.mark.parametrize(
    ("sql", "sqlite_sql", "mysql_sql"),
    [
        (
            "SELECT ':abc', '12:30', x FROM t WHERE a = :a -- :zzz",
            "SELECT ':abc', '12:30', x FROM t WHERE a = ? -- :zzz",
            "SELECT ':abc', '12:30', x FROM t WHERE a = %s -- :zzz",
        ),
        (
            "SELECT * FROM t WHERE title LIKE '%林%' AND a = :a",
            "SELECT * FROM t WHERE title LIKE '%林%' AND a = ?",
            # The driver turns %% back into % when it fills in the parameters.
            "SELECT * FROM t WHERE title LIKE '%%林%%' AND a = %s",
        ),
        (
            "SELECT 'a\\:b', 'C:\\\\:x' FROM t WHERE a=:a",
            "SELECT 'a\\:b', 'C:\\\\:x' FROM t WHERE a=?",
            "SELECT 'a\\:b', 'C:\\\\:x' FROM t WHERE a=%s",
        ),
        (
            "SELECT a::text, :a::text, (:a)",
            "SELECT a::text, ?::text, (?)",
            "SELECT a::text, %s::text, (%s)",
        ),
        (
            "SELECT * FROM t WHERE a IN:a",
            "SELECT * FROM t WHERE a IN ?",
            "SELECT * FROM t WHERE a IN %s",
        ),
    ],
)
def test_compiled_text_keeps_every_other_colon(sql: str, sqlite_sql: str, mysql_sql: str) -> None:
    stmt = bind_text(sql, {"a": 5}, "sqlite")
    assert compiled(stmt, SQLITE) == (sqlite_sql, {"a": 5})
    stmt = bind_text(sql, {"a": 5}, "mysql")
    assert compiled(stmt, ASYNCMY) == (mysql_sql, {"a": 5})


def test_expanding_lists_compile_on_both_dialects() -> None:
    stmt = bind_text(
        "SELECT * FROM t WHERE a IN :ids AND b = :b", {"ids": [1, 2], "b": "x"}, "mysql"
    )
    assert compiled(stmt, ASYNCMY) == (
        "SELECT * FROM t WHERE a IN (%s, %s) AND b = %s",
        {"ids_1": 1, "ids_2": 2, "b": "x"},
    )
    stmt = bind_text("SELECT * FROM t WHERE a IN :ids", {"ids": (1,)}, "sqlite")
    assert compiled(stmt, SQLITE) == ("SELECT * FROM t WHERE a IN (?)", {"ids_1": 1})


# --- values and names ------------------------------------------------------------------


def test_a_placeholder_without_a_value_is_named() -> None:
    with pytest.raises(ConfigurationError, match=r"has :b, :c but params gives no value"):
        bind_text("SELECT :a, :b, :c", {"a": 1}, "sqlite")
    with pytest.raises(ConfigurationError, match=":a"):
        bind_text("SELECT :a", None, "sqlite")


def test_a_value_without_a_placeholder_is_named() -> None:
    with pytest.raises(ConfigurationError, match=r"params has 'zzz' but the SQL has no such"):
        bind_text("SELECT ':zzz' -- :zzz", {"zzz": 1}, "sqlite")


def test_no_params_and_no_placeholders() -> None:
    assert compiled(bind_text("SELECT 1", None, "mysql"), ASYNCMY) == ("SELECT 1", {})
    assert compiled(bind_text("SELECT 1", {}, "sqlite"), SQLITE) == ("SELECT 1", {})


def test_a_list_in_parentheses_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"write IN :ids without parentheses"):
        bind_text("SELECT * FROM t WHERE a IN (:ids)", {"ids": [1, 2]}, "sqlite")
    # A scalar in parentheses is fine.
    bind_text("SELECT * FROM t WHERE a IN (:a, :b)", {"a": 1, "b": 2}, "sqlite")


HOSTILE = [
    "'); DROP TABLE chapters; --",
    'it\'s "quoted"',
    "100% :done %s %(x)s %%",
    ":a :b ::c",
    "back\\slash\\' \\\\",
    "emoji 🐉 and 林 and \u00a0 and \u2028",
    "NUL\x00inside",
    "x" * 1_000_000,
    "",
]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:20]))
def test_hostile_values_are_bound_and_come_back_unchanged(engine: sa.Engine, value: str) -> None:
    stmt = bind_text("SELECT :v AS v, length(:v) AS n, ':v' AS literal", {"v": value}, "sqlite")
    assert value[:50] not in str(stmt) or value == ""
    for dialect in (SQLITE, ASYNCMY):
        sql, _ = compiled(stmt, dialect)
        assert (value[:50] not in sql) or value == ""
    with engine.connect() as conn:
        row = conn.execute(stmt).one()
    assert row.v == value
    assert row.literal == ":v"


@pytest.mark.parametrize("value", [b"\x00\xff bytes", 12, 1.5, None, True])
def test_other_scalar_values(engine: sa.Engine, value: object) -> None:
    with engine.connect() as conn:
        assert conn.execute(bind_text("SELECT :v", {"v": value}, "sqlite")).scalar() == value


def test_literal_text_with_colons_percent_and_backslashes_runs_unchanged(
    engine: sa.Engine,
) -> None:
    sql = "SELECT ':abc', '12:30', 'a\\:b', '50%', 'C:\\\\:x', \"a:b\" FROM chapters WHERE id = :id"
    with engine.connect() as conn:
        conn.exec_driver_sql("ALTER TABLE chapters ADD COLUMN \"a:b\" TEXT DEFAULT 'col'")
        row = conn.execute(bind_text(sql, {"id": 1}, "sqlite")).one()
    assert tuple(row) == (":abc", "12:30", "a\\:b", "50%", "C:\\\\:x", "col")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["p1"], [1, 2]),
        (("p1", "p2"), [1, 2, 3]),
        ({"p2", "p:3"}, [3, 4]),
        (frozenset({"p2"}), [3]),
        ([], []),
    ],
)
def test_expanding_values_on_sqlite(engine: sa.Engine, value: Any, expected: list[int]) -> None:
    stmt = bind_text(
        "SELECT id FROM chapters WHERE project_id IN :ids ORDER BY id", {"ids": value}, "sqlite"
    )
    with engine.connect() as conn:
        assert conn.execute(stmt).scalars().all() == expected


def test_empty_list_with_not_in_keeps_every_row(engine: sa.Engine) -> None:
    stmt = bind_text(
        "SELECT count(*) FROM chapters WHERE project_id NOT IN :ids", {"ids": []}, "sqlite"
    )
    with engine.connect() as conn:
        assert conn.execute(stmt).scalar() == 4


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_value_round_trips(value: str) -> None:
    engine = sa.create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            stmt = bind_text("SELECT :v, ':v' -- :w", {"v": value}, "sqlite")
            assert tuple(conn.execute(stmt).one()) == (value, ":v")
    finally:
        engine.dispose()


# --- datetime parameters on the app's databases (load_sql, db.sql) --------------------------

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Seven chapters of the SQLite fixture were created at this very second (stored as UTC
#: text without a fraction).
BOUNDARY = dt.datetime(2026, 11, 27, 5, 44, 41)
COUNT_FROM = "SELECT count(*) AS n FROM chapters WHERE created_at >= :t"


@pytest.fixture(params=BACKENDS)
def fusion(request: pytest.FixtureRequest) -> Source:
    """The app-created fixture, on SQLite and MariaDB."""
    return fusion_source(request)


def _stored_zone(source: Source) -> dt.tzinfo:
    """The zone novelkit reads the stored times in: UTC, or the MySQL session's."""
    if source.backend == "sqlite":
        return dt.UTC
    minutes = source.rows("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS m")[0]["m"]
    return dt.timezone(dt.timedelta(minutes=int(minutes)))


def _forms(naive: dt.datetime, zone: dt.tzinfo) -> dict[str, Any]:
    """One instant, given as every kind of value a user may bind."""
    aware = naive.replace(tzinfo=zone)
    return {
        "naive": naive,
        "aware_utc": aware.astimezone(dt.UTC),
        "aware_shanghai": aware.astimezone(SHANGHAI),
        "timestamp": pd.Timestamp(naive),
        "timestamp_shanghai": pd.Timestamp(aware).tz_convert("Asia/Shanghai"),
        "datetime64": np.datetime64(naive),
    }


def _second_time(source: Source) -> dt.datetime:
    """The fixture's second earliest chapter creation time, a whole second (as stored)."""
    stored = {r["c"] for r in source.rows("SELECT created_at AS c FROM chapters")}
    times = sorted(
        v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v) for v in stored
    )
    assert times[1].microsecond == 0
    return times[1]


async def test_datetime_params_compare_as_the_app_stores_times(fusion: Source) -> None:
    """Was: SQLite bound '...:41.000000' (after the stored '...:41') and wall clocks with
    the zone dropped; MariaDB dropped the zone; pd.Timestamp failed on SQLite."""
    boundary = _second_time(fusion)
    stamp = f"'{boundary:%Y-%m-%d %H:%M:%S}'"
    expected = fusion.rows(f"SELECT count(*) AS n FROM chapters WHERE created_at >= {stamp}")
    total = fusion.rows("SELECT count(*) AS n FROM chapters")[0]["n"]
    assert 0 < expected[0]["n"] < total
    async with session_on(fusion) as session:
        chapters = (await novelkit.tables(session)).chapters
        core = sa.select(sa.func.count().label("n")).where(
            chapters.c.created_at >= sa.bindparam("t")
        )
        for name, value in _forms(boundary, _stored_zone(fusion)).items():
            text = await novelkit.load_sql(session, COUNT_FROM, {"t": value})
            assert text["n"].tolist() == [expected[0]["n"]], name
            typed = await novelkit.load_sql(session, core, {"t": value})
            assert typed["n"].tolist() == [expected[0]["n"]], name
            before = await novelkit.load_sql(
                session, "SELECT count(*) AS n FROM chapters WHERE created_at < :t", {"t": value}
            )
            assert before["n"].tolist() == [total - expected[0]["n"]], name
        missing = await novelkit.load_sql(session, "SELECT :v IS NULL AS missing", {"v": pd.NaT})
        assert missing["missing"].tolist() == [1]


async def test_datetime_params_on_sqlite_are_the_app_s_text(fixture_sqlite: Path) -> None:
    source = sqlite_source(fixture_sqlite)
    shanghai = BOUNDARY.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)
    async with session_on(source) as session:
        frame = await novelkit.load_sql(
            session,
            "SELECT :aware AS aware, :naive AS naive, :micro AS micro, :ts AS ts",
            {
                "aware": shanghai,
                "naive": BOUNDARY,
                "micro": BOUNDARY.replace(microsecond=120),
                "ts": pd.Timestamp("2026-11-27 13:44:41.5", tz="Asia/Shanghai"),
            },
        )
        assert frame.iloc[0].tolist() == [
            "2026-11-27 05:44:41",
            "2026-11-27 05:44:41",
            "2026-11-27 05:44:41.000120",
            "2026-11-27 05:44:41.500000",
        ]
        # A stored time with microseconds is found by the same datetime.
        stored = source.rows("SELECT updated_at FROM novel_projects WHERE length(updated_at) > 19")
        exact = dt.datetime.fromisoformat(stored[0]["updated_at"])
        found = await novelkit.load_sql(
            session,
            "SELECT count(*) AS n FROM novel_projects WHERE updated_at = :t",
            {"t": exact.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)},
        )
        assert found["n"].tolist() == [1]
        # server_timezone says which zone the stored times are in: the same for params.
        eight = await novelkit.load_sql(
            session, "SELECT :t AS t", {"t": shanghai}, server_timezone="+08:00"
        )
        assert eight["t"].tolist() == ["2026-11-27 13:44:41"]


@pytest.mark.mysql
async def test_aware_datetime_params_follow_the_mysql_session_zone(
    mysql_fixture_db: MySQLDatabase,
) -> None:
    """An aware value is the same instant whatever zone the server reads DATETIMEs in."""
    instant = BOUNDARY.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)
    check = "SELECT :t = CAST(:wall AS DATETIME) AS same"
    engine = novelkit.create_engine(mysql_fixture_db.url, read_only=False)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SET time_zone = '-05:00'")
            frame = await novelkit.load_sql(
                conn, check, {"t": instant, "wall": "2026-11-27 00:44:41"}
            )
            assert frame["same"].tolist() == [1]
            # server_timezone given: the zone novelkit reads stored times in, and binds in.
            frame = await novelkit.load_sql(
                conn,
                check,
                {"t": instant, "wall": "2026-11-27 05:44:41"},
                server_timezone="UTC",
            )
            assert frame["same"].tolist() == [1]
            frame = await novelkit.load_sql(
                conn, check, {"t": BOUNDARY, "wall": "2026-11-27 05:44:41"}
            )
            assert frame["same"].tolist() == [1]  # naive: bound as given
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"x": 1}, r"params\['v'\] is of type 'dict'.*json\.dumps"),
        ([1, {"x": 1}], r"params\['v'\] holds a value of type 'dict'"),
        (object(), r"params\['v'\] is of type 'object'"),
        (pd.NA, r"of type 'NAType'.*pass None"),
        (np.array([1, 2]), r"of type 'ndarray'.*pass list\(value\)"),
        (pd.Series([1, 2]), r"of type 'Series'.*pass list\(value\)"),
    ],
    ids=["dict", "dict-in-list", "object", "NA", "ndarray", "Series"],
)
async def test_a_value_no_database_binds_is_refused_before_sending(
    fusion: Source, value: object, shown: str
) -> None:
    """Was: SQLite's binding error as a QueryError, 'The database refused the query' (it
    never saw it); asyncmy bound a dict as the text "{'x': 1}", an ndarray bound as raw
    bytes on SQLite."""
    engine = novelkit.create_engine(fusion.url, read_only=True)
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        sent.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with engine.connect() as conn:
            with pytest.raises(WrongTypeError, match=shown) as raised:
                await novelkit.load_sql(conn, "SELECT :v AS v", {"v": value})
    finally:
        await engine.dispose()
    assert "Accepted: a str, int, float" in str(raised.value)
    assert isinstance(raised.value, ConfigurationError)
    assert not [s for s in sent if "AS v" in s]


async def test_bytes_like_values_bind_as_bytes(fusion: Source) -> None:
    """asyncmy formats a bytearray as its repr; bytes it binds as bytes."""
    async with session_on(fusion) as session:
        frame = await novelkit.load_sql(
            session,
            "SELECT :a AS a, :m AS m",
            {"a": bytearray(b"\x00\xffab"), "m": memoryview(b"cd")},
        )
    assert frame.iloc[0].tolist() == [b"\x00\xffab", b"cd"]


async def test_numpy_scalars_bind_as_their_python_values(fusion: Source) -> None:
    """A value taken from a DataFrame is a numpy scalar; SQLite bound a numpy.int64 as
    its 8 raw bytes, so ``WHERE chapter_number = :n`` matched nothing without a word."""
    async with session_on(fusion) as session:
        chapters = await novelkit.load_chapters(session)
        number = chapters["chapter_number"].to_numpy(dtype=np.int64)[0]
        words = chapters["word_count"].to_numpy(dtype=np.float64)[0]
        expected = int((chapters["chapter_number"] == number).sum())
        found = await novelkit.load_sql(
            session, "SELECT COUNT(*) AS n FROM chapters WHERE chapter_number = :n", {"n": number}
        )
        listed = await novelkit.load_sql(
            session,
            "SELECT COUNT(*) AS n FROM chapters WHERE chapter_number IN :ns",
            {"ns": [number, np.int64(10_000)]},
        )
        by_words = await novelkit.load_sql(
            session,
            "SELECT COUNT(*) AS n FROM chapters WHERE word_count = :w",
            {"w": words},
        )
    assert isinstance(number, np.int64)
    assert found["n"].iloc[0] == expected > 0
    assert listed["n"].iloc[0] == expected
    assert by_words["n"].iloc[0] >= 1


async def test_a_named_tuple_of_values_binds_as_a_list(fusion: Source) -> None:
    from collections import namedtuple

    Pair = namedtuple("Pair", "first second")
    async with session_on(fusion) as session:
        found = await novelkit.load_sql(
            session,
            "SELECT COUNT(*) AS n FROM chapters WHERE chapter_number IN :ns",
            {"ns": Pair(np.int64(1), 2)},
        )
    assert found["n"].iloc[0] >= 1
