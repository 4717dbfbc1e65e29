"""load_sql and iter_sql against plain sqlite3 / pymysql, on the demo and the app-created fixture.

Each query runs through novelkit and through the plain client; the values must
be equal and the dtypes the loaders' rules. Hostile parameter values round-trip
on both backends; the database's own errors become QueryError with the
connection still usable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from nktest_support import MySQLDatabase
from sqlalchemy.ext.asyncio import AsyncSession

import novelkit
from novelkit import ConfigurationError, QueryError, load_sql

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


class Source:
    """One database: a novelkit session and the plain client's rows."""

    def __init__(self, backend: str, url: str, plain: Callable[[str], tuple[list[str], list]]):
        self.backend = backend
        self.url = url
        self.plain = plain

    @asynccontextmanager
    async def session(self, **options: Any) -> AsyncIterator[AsyncSession]:
        engine = novelkit.create_engine(self.url, **options)
        try:
            async with novelkit.open_session(engine) as session:
                yield session
        finally:
            await engine.dispose()

    @property
    def length(self) -> str:
        return "LENGTH" if self.backend == "sqlite" else "CHAR_LENGTH"


def _sqlite_plain(path: Path) -> Callable[[str], tuple[list[str], list]]:
    def run(sql: str) -> tuple[list[str], list]:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            cursor = conn.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            conn.close()

    return run


def _mysql_plain(db: MySQLDatabase) -> Callable[[str], tuple[list[str], list]]:
    def run(sql: str) -> tuple[list[str], list]:
        conn = db.connect()
        with conn, conn.cursor() as cursor:
            cursor.execute(sql)
            return [d[0] for d in cursor.description], list(cursor.fetchall())

    return run


@pytest.fixture(params=BACKENDS)
def source(request: pytest.FixtureRequest) -> Source:
    if request.param == "sqlite":
        path = request.getfixturevalue("fixture_sqlite")
        return Source("sqlite", str(path), _sqlite_plain(path))
    db = request.getfixturevalue("mysql_fixture_db")
    return Source("mysql", db.url.render_as_string(hide_password=False), _mysql_plain(db))


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    novelkit.build_demo(str(path), scale="tiny", progress=False)
    return path


def _plain_value(value: Any) -> Any:
    """A frame value as the plain client would give it (NA as None, numpy as Python)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").tz_localize(None).to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def _expected(value: Any, kind: str, offset: dt.timedelta) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return parsed - offset
    if kind == "json":
        return json.loads(value) if isinstance(value, str | bytes) else value
    if kind == "float":
        return float(value)
    return value


async def _offset(session: AsyncSession, backend: str) -> dt.timedelta:
    if backend == "sqlite":
        return dt.timedelta(0)
    minutes = (
        await session.execute(sa.text("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())"))
    ).scalar_one()
    return dt.timedelta(minutes=int(minutes))


def assert_same(
    frame: pd.DataFrame, plain: tuple[list[str], list], kinds: dict[str, str], offset: dt.timedelta
) -> None:
    names, rows = plain
    assert len(frame) == len(rows)
    assert len(frame.columns) == len(names)
    for position, column in enumerate(frame.columns):
        kind = kinds.get(column, "")
        got = [_plain_value(v) for v in frame[column].tolist()]
        want = [_expected(r[position], kind, offset) for r in rows]
        if kind == "float":
            got = [None if v is None else round(v, 6) for v in got]
            want = [None if v is None else round(v, 6) for v in want]
        assert got == want, column


DTYPES = {
    "int": "Int64",
    "float": "Float64",
    "str": "string",
    "datetime": "datetime64[us, UTC]",
    "category": "category",
    "json": "object",
}


def assert_dtypes(frame: pd.DataFrame, kinds: dict[str, str]) -> None:
    for column, kind in kinds.items():
        assert str(frame[column].dtype) == DTYPES[kind], (column, frame[column].dtype)


# -- values and dtypes equal to the plain client ------------------------------------------

CHAPTER_KINDS = {
    "id": "int",
    "project_id": "str",
    "chapter_number": "int",
    "real_summary": "str",
    "status": "category",
    "word_count": "int",
    "selected_version_id": "int",
    "created_at": "datetime",
    "updated_at": "datetime",
}


async def test_select_star_is_the_table_with_the_loaders_dtypes(source: Source) -> None:
    sql = "SELECT * FROM chapters ORDER BY id"
    async with source.session() as session:
        frame = await load_sql(session, sql)
        offset = await _offset(session, source.backend)
    assert list(frame.columns) == list(CHAPTER_KINDS)
    assert_dtypes(frame, CHAPTER_KINDS)
    assert_same(frame, source.plain(sql), CHAPTER_KINDS, offset)


async def test_grouped_join_with_expressions(source: Source) -> None:
    sql = (
        f"SELECT c.project_id, COUNT(*) AS chapters, AVG({source.length}(v.content)) AS mean_len, "
        "MAX(c.word_count) AS most FROM chapters c JOIN chapter_versions v "
        "ON v.id = c.selected_version_id GROUP BY c.project_id ORDER BY c.project_id"
    )
    kinds = {"project_id": "str", "chapters": "int", "mean_len": "float", "most": "int"}
    async with source.session() as session:
        frame = await load_sql(session, sql)
    assert len(frame) > 0
    assert_dtypes(frame, kinds)
    assert_same(frame, source.plain(sql), kinds, dt.timedelta(0))


async def test_duplicate_names_stay_distinct(source: Source) -> None:
    sql = (
        "SELECT c.id, v.id, v.chapter_id, c.id FROM chapters c "
        "JOIN chapter_versions v ON v.chapter_id = c.id ORDER BY v.id"
    )
    async with source.session() as session:
        frame = await load_sql(session, sql)
    assert list(frame.columns) == ["id", "id_1", "chapter_id", "id_2"]
    kinds = dict.fromkeys(frame.columns, "int")
    assert_dtypes(frame, kinds)
    assert_same(frame, source.plain(sql), kinds, dt.timedelta(0))
    assert (frame["id"] == frame["chapter_id"]).all()


async def test_json_parsed_and_parse_options(source: Source) -> None:
    sql = (
        "SELECT o.id, o.metadata, o.metadata AS raw, o.title AS t, "
        "(SELECT MAX(c.updated_at) FROM chapters c WHERE c.project_id = o.project_id) AS last "
        "FROM chapter_outlines o ORDER BY o.id"
    )
    async with source.session() as session:
        frame = await load_sql(session, sql, parse_dates=["last"], parse_json=["raw"])
        offset = await _offset(session, source.backend)
        with pytest.raises(ConfigurationError, match="'nope'"):
            await load_sql(session, sql, parse_dates=["nope"])
    kinds = {"id": "int", "metadata": "json", "raw": "json", "t": "str", "last": "datetime"}
    assert_dtypes(frame, kinds)
    assert_same(frame, source.plain(sql), kinds, offset)
    assert any(isinstance(v, dict) for v in frame["metadata"])


async def test_core_select_from_tables(source: Source) -> None:
    async with source.session() as session:
        t = await novelkit.tables(session)
        chapters = t.chapters
        query = (
            sa.select(
                chapters.c.project_id,
                chapters.c.status,
                sa.func.count().label("n"),
                sa.func.max(chapters.c.updated_at).label("last"),
            )
            .where(chapters.c.word_count >= sa.bindparam("least"))
            .group_by(chapters.c.project_id, chapters.c.status)
            .order_by(chapters.c.project_id, chapters.c.status)
        )
        frame = await load_sql(session, query, {"least": 0})
        offset = await _offset(session, source.backend)
        compiled = query.params(least=0).compile(
            dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}
        )
        with pytest.raises(ConfigurationError, match=":least"):
            await load_sql(session, query)
    kinds = {"project_id": "str", "status": "category", "n": "int", "last": "datetime"}
    assert_dtypes(frame, kinds)
    assert_same(frame, source.plain(str(compiled)), kinds, offset)


async def test_text_clause_and_lists(source: Source) -> None:
    ids = source.plain("SELECT id FROM novel_projects ORDER BY id")[1]
    chosen = [r[0] for r in ids[:2]]
    async with source.session() as session:
        by_list = await load_sql(
            session, "SELECT id FROM chapters WHERE project_id IN :ids ORDER BY id", {"ids": chosen}
        )
        clause = sa.text("SELECT id FROM chapters WHERE project_id IN :ids ORDER BY id")
        by_clause = await load_sql(session, clause, {"ids": chosen})
        empty = await load_sql(
            session, "SELECT id FROM chapters WHERE project_id IN :ids", {"ids": []}
        )
    quoted = ", ".join(f"'{i}'" for i in chosen)
    plain = source.plain(f"SELECT id FROM chapters WHERE project_id IN ({quoted}) ORDER BY id")
    assert by_list["id"].tolist() == [r[0] for r in plain[1]]
    pd.testing.assert_frame_equal(by_list, by_clause)
    assert len(empty) == 0
    assert str(empty["id"].dtype) == "Int64"


async def test_demo_equals_sqlite3(demo_sqlite: Path) -> None:
    engine = novelkit.create_engine(demo_sqlite)
    sql = "SELECT * FROM novel_projects ORDER BY id"
    try:
        async with novelkit.open_session(engine) as session:
            frame = await load_sql(session, sql)
            projects = await novelkit.load_table(session, "novel_projects")
    finally:
        await engine.dispose()
    kinds = {"id": "str", "user_id": "int", "title": "str", "status": "category"}
    kinds |= {"created_at": "datetime", "updated_at": "datetime", "initial_prompt": "str"}
    assert_dtypes(frame, kinds)
    assert_same(frame, _sqlite_plain(demo_sqlite)(sql), kinds, dt.timedelta(0))
    # The same dtypes as the loader gives the table.
    for column in frame.columns:
        assert frame[column].dtype == projects[column].dtype, column


# -- parameters: bound, whatever they hold -------------------------------------------------

HOSTILE = {
    "quotes": "it's \"quoted\" '' \\' --",
    "percent": "100% %s %(x)s %%",
    "colons": "a:b :c ::d :=",
    "emoji": "🌙 Moonlight 月光 \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "sql": "'; DROP TABLE chapters; --",
    "megabyte": "林" * 350_000,  # 1 MB of UTF-8
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_values_round_trip(source: Source, name: str) -> None:
    value = HOSTILE[name]
    async with source.session() as session:
        frame = await load_sql(
            session,
            "SELECT :v AS v, ':v' AS literal, COUNT(*) AS n FROM chapters WHERE project_id = :v",
            {"v": value},
        )
        listed = await load_sql(
            session, "SELECT COUNT(*) AS n FROM chapters WHERE project_id IN :ids", {"ids": [value]}
        )
        still = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    assert frame["v"].iloc[0] == value
    assert frame["literal"].iloc[0] == ":v"
    assert frame["n"].iloc[0] == 0
    assert listed["n"].iloc[0] == 0
    assert still["n"].iloc[0] == len(source.plain("SELECT id FROM chapters")[1])


async def test_lone_surrogate_is_a_clear_error_and_the_session_goes_on(source: Source) -> None:
    async with source.session() as session:
        with pytest.raises(ConfigurationError, match="cannot be encoded"):
            await load_sql(session, "SELECT :v AS v", {"v": "bad \ud800 value"})
        ok = await load_sql(session, "SELECT 1 AS one")
    assert ok["one"].iloc[0] == 1


async def test_percent_in_sql_text_on_both_backends(source: Source) -> None:
    sql = "SELECT COUNT(*) AS n FROM novel_projects WHERE title LIKE '%' AND :x = 1"
    async with source.session() as session:
        frame = await load_sql(session, sql, {"x": 1})
        bare = await load_sql(session, "SELECT '100%' AS p")
    assert frame["n"].iloc[0] == len(source.plain("SELECT id FROM novel_projects")[1])
    assert bare["p"].iloc[0] == "100%"


async def test_missing_and_extra_parameters_are_named(source: Source) -> None:
    async with source.session() as session:
        with pytest.raises(ConfigurationError, match=":status"):
            await load_sql(session, "SELECT id FROM chapters WHERE status = :status")
        with pytest.raises(ConfigurationError, match="'extra'"):
            await load_sql(session, "SELECT 1 AS one", {"extra": 1})
        with pytest.raises(novelkit.errors.WrongTypeError):
            await load_sql(session, "SELECT 1 AS one", [1])  # type: ignore[arg-type]


# -- the database's errors -------------------------------------------------------------------

ERRORS = {
    "unknown column": "SELECT nope FROM chapters WHERE project_id = :p",
    "unknown table": "SELECT * FROM no_such_table WHERE id = :p",
    "syntax": "SELECT FROM WHERE chapters = :p",
    "ambiguous": (
        "SELECT id FROM chapters c JOIN chapter_versions v ON v.chapter_id = c.id "
        "WHERE c.project_id = :p"
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
async def test_database_errors_become_query_error(source: Source, case: str) -> None:
    secret = "s3cr3t-value-" + case.replace(" ", "-")
    async with source.session() as session:
        with pytest.raises(QueryError) as info:
            await load_sql(session, ERRORS[case], {"p": secret})
        ok = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    error = info.value
    assert error.db_message
    assert error.db_message in str(error)
    assert error.code is not None
    if source.backend == "mysql":
        assert isinstance(error.code, int)
    text = str(error) + repr(error.args) + error.db_message
    assert secret not in text
    password = novelkit.resolve_url(source.url).password
    if password:
        assert password not in text
    assert error.__cause__ is None  # SQLAlchemy's own message would list the parameters
    assert ok["n"].iloc[0] > 0


async def test_text_that_is_not_utf8_names_the_column_and_the_way_out(tmp_path: Path) -> None:
    """sqlite3 stops on a TEXT value that is not UTF-8: the error said to check the
    table and column names and the syntax, though the SQL was right."""
    path = tmp_path / "odd.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("INSERT INTO t VALUES (1, CAST(x'ff41' AS TEXT))")
    conn.close()
    engine = novelkit.create_engine(path)
    try:
        async with novelkit.open_session(engine) as session:
            with pytest.raises(
                QueryError, match=r"Column 'note' holds text that is not valid UTF-8"
            ):
                await load_sql(session, "SELECT note FROM t", fast=False)
            raw = await load_sql(session, "SELECT CAST(note AS BLOB) AS note FROM t", fast=False)
    finally:
        await engine.dispose()
    assert raw["note"].tolist() == [b"\xffA"]


# -- iter_sql ---------------------------------------------------------------------------------


async def test_iter_sql_chunks_equal_load_sql(source: Source) -> None:
    sql = "SELECT v.id, v.chapter_id, v.content, v.created_at FROM chapter_versions v ORDER BY v.id"
    async with source.session() as session:
        whole = await load_sql(session, sql)
        chunks = [c async for c in novelkit.iter_sql(session, sql, chunksize=7, progress=False)]
        after = await load_sql(session, "SELECT COUNT(*) AS n FROM chapter_versions")
    assert len(chunks) == -(-len(whole) // 7)
    assert all(len(c) <= 7 for c in chunks)
    assert {str(c.dtypes.to_dict()) for c in chunks} == {str(whole.dtypes.to_dict())}
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert after["n"].iloc[0] == len(whole)


async def test_iter_sql_stopped_early_leaves_the_session_usable(source: Source) -> None:
    async with source.session() as session:
        stream = novelkit.iter_sql(session, "SELECT id FROM chapter_versions", chunksize=2)
        first = await stream.__anext__()
        await stream.aclose()
        n = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    assert len(first) == 2
    assert n["n"].iloc[0] > 0


#: Seconds after which a test that would hang fails instead.
HANG_GUARD = 60

#: Many rows from the app-created fixture (a cross join), so that a stream left after its
#: first chunk still has rows the server is sending.
MANY_ROWS = "SELECT a.id AS a, b.id AS b FROM chapters a, chapters b, chapters c"


async def test_iter_sql_left_by_break_without_aclosing_closes_with_the_session(
    source: Source,
) -> None:
    """An ``async for`` left by ``break`` keeps its generator (and its unread result)
    alive until Python finalizes it. On MariaDB the session's rollback then read the
    rest of the result as its reply: "Packet sequence number wrong", an InternalError
    out of ``async with`` (and asyncmy's "unbuffered result was left incomplete"
    warning). The session's closing now closes the stream first."""
    # (Before the fix the rollback read the whole cross join on MariaDB: bounded here.)
    async with asyncio.timeout(HANG_GUARD), source.session() as session:
        stream = novelkit.iter_sql(session, MANY_ROWS, chunksize=2, progress=False)
        first = await anext(stream)  # what `async for ...: break` leaves behind
    await stream.aclose()  # later, as Python's finalizer would: nothing left to do
    assert len(first) == 2
    async with source.session() as session:
        n = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    assert n["n"].iloc[0] > 0


async def test_iter_sql_left_by_break_then_another_query_on_the_session(source: Source) -> None:
    """The same, with the session going on: the next statement closes the stream first."""
    async with asyncio.timeout(HANG_GUARD), source.session() as session:
        stream = novelkit.iter_sql(session, MANY_ROWS, chunksize=2, progress=False)
        await anext(stream)
        n = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
        again = await load_sql(session, "SELECT COUNT(*) AS n FROM chapters")
    await stream.aclose()
    assert n["n"].iloc[0] == again["n"].iloc[0] > 0


async def test_iter_sql_bad_chunksize(source: Source) -> None:
    async with source.session() as session:
        with pytest.raises(ConfigurationError, match="chunksize"):
            async for _ in novelkit.iter_sql(session, "SELECT 1", chunksize=0):
                pass


@pytest.mark.mysql
async def test_mysql_demo_equals_a_plain_client(mysql_db: MySQLDatabase) -> None:
    url = mysql_db.url.render_as_string(hide_password=False)
    await novelkit.build_demo_async(url, scale="tiny", progress=False)
    sql = "SELECT * FROM chapters ORDER BY id"
    engine = novelkit.create_engine(url)
    try:
        async with novelkit.open_session(engine) as session:
            frame = await load_sql(session, sql)
            offset = await _offset(session, "mysql")
            chapters = await novelkit.load_table(session, "chapters")
    finally:
        await engine.dispose()
    assert_dtypes(frame, CHAPTER_KINDS)
    assert_same(frame, _mysql_plain(mysql_db)(sql), CHAPTER_KINDS, offset)
    for column in frame.columns:
        assert frame[column].dtype == chapters[column].dtype, column


@pytest.mark.mysql
async def test_mysql_binary_columns_stay_bytes(mysql_fixture_db: MySQLDatabase) -> None:
    url = mysql_fixture_db.url.render_as_string(hide_password=False)
    engine = novelkit.create_engine(url)
    try:
        async with novelkit.open_session(engine) as session:
            frame = await load_sql(
                session,
                "SELECT CAST(:v AS BINARY) AS b, CAST(:v AS CHAR) AS t",
                {"v": "\u6797 x"},
            )
    finally:
        await engine.dispose()
    assert frame["b"].iloc[0] == "\u6797 x".encode()
    assert frame["t"].iloc[0] == "\u6797 x"
    assert str(frame["t"].dtype) == "string"
