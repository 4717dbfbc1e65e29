"""``to="arrow"`` and ``to="polars"``: the pandas frame's columns as Arrow and polars types.

Every loader, SQL and story-text function (and the facade's methods) gives the
same columns, in the same order, as its pandas frame, with ``Int64`` → ``int64``,
UTC ``datetime64[us]`` → ``timestamp[us, UTC]`` (polars ``Datetime("us", "UTC")``),
categoricals → dictionaries (polars ``Categorical``), text → ``large_string``,
and JSON columns as their stored JSON text. The values are checked cell by cell
against the pandas frame, on the app-created fixture on SQLite and on MariaDB.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from _loaders_support import Source, mysql_source, sqlite_source

import novelkit
from novelkit import ConfigurationError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def fx(request: pytest.FixtureRequest) -> Source:
    """The app-created fixture on one backend (read only)."""
    if request.param == "sqlite":
        return sqlite_source(request.getfixturevalue("fixture_sqlite"))
    return mysql_source(request.getfixturevalue("mysql_fixture_db"))


@asynccontextmanager
async def _session(src: Source, **options: Any) -> AsyncIterator[Any]:
    engine = novelkit.create_engine(src.url, **options)
    try:
        async with novelkit.open_session(engine) as session:
            yield session
    finally:
        await engine.dispose()


def _novel(src: Source) -> str:
    rows = src.rows(
        "SELECT project_id, COUNT(*) AS n FROM chapters GROUP BY project_id "
        "ORDER BY n DESC, project_id LIMIT 1"
    )
    return str(rows[0]["project_id"])


# -- what each pandas dtype becomes ------------------------------------------------------


def _is_json(values: pd.Series) -> bool:
    return values.dtype == object and any(isinstance(v, dict | list) for v in values)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _python(value: Any) -> Any:
    """A pandas cell as the plain Python value Arrow and polars give back."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _same_cells(name: str, pandas_values: pd.Series, out: list[Any]) -> None:
    assert len(out) == len(pandas_values), name
    json_column = _is_json(pandas_values)
    days = pandas_values.dtype == "datetime64[s]"  # a DATE column: a date in Arrow/polars
    for row, (want, got) in enumerate(zip(pandas_values, out, strict=True)):
        want = _python(want)
        if want is not None and days:
            assert want.time() == dt.time(0), (name, row, want)
            want = want.date()
            assert type(got) is dt.date, (name, row, got)
        if want is None:
            assert got is None, (name, row, got)
        elif json_column or isinstance(want, dict | list):
            # Parsed JSON in pandas: its JSON text here, the same value once parsed.
            assert isinstance(got, str), (name, row, got)
            assert json.loads(got) == want, (name, row)
        elif isinstance(want, dt.datetime):
            assert got == want, (name, row, got, want)
            if want.tzinfo is not None:
                assert got.utcoffset() == dt.timedelta(0), (name, row)
        elif isinstance(want, float):
            assert got == pytest.approx(want, nan_ok=True), (name, row)
        else:
            assert got == want, (name, row, got, want)


def _check_arrow_type(name: str, values: pd.Series, kind: pa.DataType) -> None:
    dtype = values.dtype
    if isinstance(dtype, pd.Int64Dtype):
        assert kind == pa.int64(), (name, kind)
    elif isinstance(dtype, pd.DatetimeTZDtype):
        assert kind == pa.timestamp("us", tz="UTC"), (name, kind)
    elif dtype == "datetime64[s]":
        assert kind == pa.date32(), (name, kind)
    elif isinstance(dtype, pd.CategoricalDtype):
        assert pa.types.is_dictionary(kind), (name, kind)
        assert pa.types.is_large_string(kind.value_type), (name, kind)
    elif isinstance(dtype, pd.StringDtype) or _is_json(values):
        assert kind == pa.large_string(), (name, kind)
    elif isinstance(dtype, pd.BooleanDtype):
        assert kind == pa.bool_(), (name, kind)
    elif isinstance(dtype, pd.Float64Dtype) or dtype == np.float64:
        assert kind == pa.float64(), (name, kind)


def _check_polars_type(name: str, values: pd.Series, kind: Any) -> None:
    dtype = values.dtype
    if isinstance(dtype, pd.Int64Dtype):
        assert kind == pl.Int64, (name, kind)
    elif isinstance(dtype, pd.DatetimeTZDtype):
        assert kind == pl.Datetime("us", "UTC"), (name, kind)
    elif dtype == "datetime64[s]":
        assert kind == pl.Date, (name, kind)
    elif isinstance(dtype, pd.CategoricalDtype):
        assert kind == pl.Categorical, (name, kind)
    elif isinstance(dtype, pd.StringDtype) or _is_json(values):
        assert kind == pl.String, (name, kind)
    elif isinstance(dtype, pd.BooleanDtype):
        assert kind == pl.Boolean, (name, kind)
    elif isinstance(dtype, pd.Float64Dtype) or dtype == np.float64:
        assert kind == pl.Float64, (name, kind)


def assert_arrow_matches(frame: pd.DataFrame, table: Any) -> None:
    assert isinstance(table, pa.Table), type(table)
    assert table.column_names == [str(c) for c in frame.columns]
    assert table.num_rows == len(frame)
    for name in frame.columns:
        column = table.column(str(name))
        _check_arrow_type(name, frame[name], column.type)
        _same_cells(name, frame[name], column.to_pylist())


def assert_same_table(fast: pa.Table, driver: pa.Table) -> None:
    """The same columns and values whichever path read them (MariaDB FLOAT columns within
    float32's precision: see test_mysql_float_columns_are_exact_on_both_paths)."""
    assert fast.schema.remove_metadata() == driver.schema.remove_metadata()
    for name in fast.column_names:
        a, b = fast.column(name), driver.column(name)
        if pa.types.is_floating(a.type):
            got, want = a.to_pylist(), b.to_pylist()
            assert [v is None for v in got] == [v is None for v in want], name
            present = [(g, w) for g, w in zip(got, want, strict=True) if w is not None]
            assert [g for g, _ in present] == pytest.approx([w for _, w in present], rel=1e-6)
        else:
            assert a.to_pylist() == b.to_pylist(), name


def assert_polars_matches(frame: pd.DataFrame, out: Any) -> None:
    assert isinstance(out, pl.DataFrame), type(out)
    assert out.columns == [str(c) for c in frame.columns]
    assert out.height == len(frame)
    for name in frame.columns:
        _check_polars_type(name, frame[name], out.schema[str(name)])
        _same_cells(name, frame[name], out[str(name)].to_list())


# -- every loader and story-text function -------------------------------------------------

Call = Callable[..., Awaitable[Any]]

CALLS: dict[str, Callable[[Any, str], Call]] = {
    "outlines": lambda t, n: lambda **kw: novelkit.load_outlines(t, **kw),
    "novels": lambda t, n: lambda **kw: novelkit.load_novels(t, **kw),
    "chapters": lambda t, n: lambda **kw: novelkit.load_chapters(t, **kw),
    "chapters_dedupe_one_novel": lambda t, n: (
        lambda **kw: novelkit.load_chapters(t, n, dedupe=True, **kw)
    ),
    "versions": lambda t, n: lambda **kw: novelkit.load_versions(t, **kw),
    "versions_content_metadata": lambda t, n: (
        lambda **kw: novelkit.load_versions(t, content=True, metadata=True, **kw)
    ),
    "evaluations": lambda t, n: lambda **kw: novelkit.load_evaluations(t, **kw),
    "characters": lambda t, n: lambda **kw: novelkit.load_characters(t, **kw),
    "relationships": lambda t, n: lambda **kw: novelkit.load_relationships(t, **kw),
    "conversations": lambda t, n: lambda **kw: novelkit.load_conversations(t, **kw),
    "foreshadowings": lambda t, n: lambda **kw: novelkit.load_foreshadowings(t, **kw),
    "users": lambda t, n: lambda **kw: novelkit.load_users(t, **kw),
    "usage": lambda t, n: lambda **kw: novelkit.load_usage(t, **kw),
    "admin_stats": lambda t, n: lambda **kw: novelkit.load_admin_stats(t, **kw),
    "activity": lambda t, n: lambda **kw: novelkit.load_activity(t, **kw),
    "table_chapters": lambda t, n: lambda **kw: novelkit.load_table(t, "chapters", **kw),
    "table_llm_configs": lambda t, n: lambda **kw: novelkit.load_table(t, "llm_configs", **kw),
    "search_text": lambda t, n: lambda **kw: novelkit.search_text(t, "的", progress=False, **kw),
    "search_text_all_versions": lambda t, n: (
        lambda **kw: novelkit.search_text(
            t, "“[^”]{1,6}”", regex=True, versions="all", progress=False, **kw
        )
    ),
    "text_stats": lambda t, n: lambda **kw: novelkit.text_stats(t, progress=False, **kw),
    "mentions": lambda t, n: lambda **kw: novelkit.mentions(t, progress=False, **kw),
    "cooccurrence": lambda t, n: (
        lambda **kw: novelkit.cooccurrence(t, novel_id=n, progress=False, **kw)
    ),
}

#: Loaders with parse_json=: their Arrow and polars outputs keep the JSON text.
JSON_LOADERS = {"outlines", "versions_content_metadata", "characters", "foreshadowings"}


#: Filtered by a novel: on MariaDB the ids are bound values, which fast=True refuses
#: (tests/test_arrow_path.py); these read through the driver when left to choose.
NOVEL_FILTERED = {"chapters_dedupe_one_novel", "cooccurrence"}


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_each_function_gives_arrow_and_polars_outputs(fx: Source, name: str) -> None:
    filtered_on_mysql = fx.backend == "mysql" and name in NOVEL_FILTERED
    fast = None if filtered_on_mysql else True
    async with _session(fx) as session:
        call = CALLS[name](session, _novel(fx))
        frame = await call(fast=fast)
        table = await call(fast=fast, to="arrow")
        polars_frame = await call(fast=fast, to="polars")
        driver_table = await call(fast=False, to="arrow")
        pandas_default = await call()
    assert isinstance(frame, pd.DataFrame)
    pd.testing.assert_frame_equal(pandas_default.reset_index(drop=True), frame)
    assert len(frame) > 0 or name == "evaluations"
    assert_arrow_matches(frame, table)
    assert_polars_matches(frame, polars_frame)
    # The same table whichever path read the rows (the path is in the metadata).
    if not filtered_on_mysql:
        assert table.schema.metadata[b"novelkit_path"].startswith(b"arrow")
    assert driver_table.schema.metadata[b"novelkit_path"] == b"driver"
    assert_same_table(table, driver_table)
    if name in JSON_LOADERS:
        assert any(_is_json(frame[c]) for c in frame.columns), "no parsed JSON to compare"


async def test_usage_request_date_is_a_day_in_every_output(fx: Source) -> None:
    """pandas datetime64[s] at midnight (as every DATE column), Arrow date32, polars Date:
    it was timestamp[s] in Arrow and Datetime("ms") in polars."""
    async with _session(fx) as session:
        frame = await novelkit.load_usage(session)
        table = await novelkit.load_usage(session, to="arrow")
        polars_frame = await novelkit.load_usage(session, to="polars")
    stored = sorted(
        {str(r["request_date"]) for r in fx.rows("SELECT request_date FROM user_daily_requests")}
    )
    assert str(frame["request_date"].dtype) == "datetime64[s]"
    assert table.schema.field("request_date").type == pa.date32()
    assert polars_frame.schema["request_date"] == pl.Date
    days = [d for d in table.column("request_date").to_pylist() if d is not None]
    assert sorted({d.isoformat() for d in days}) == stored
    assert polars_frame["request_date"].to_list() == table.column("request_date").to_pylist()
    assert [d.date() if d is not pd.NaT else None for d in frame["request_date"]] == (
        table.column("request_date").to_pylist()
    )


def test_a_date_column_with_a_time_of_day_stays_a_timestamp(fixture_sqlite: Path) -> None:
    """A fork's SQLite DATE column holding a time: the time is kept, not cut to a day."""
    src = sqlite_source(fixture_sqlite)
    src.execute(
        "CREATE TABLE fork_days (id INTEGER PRIMARY KEY, day DATE)",
        "INSERT INTO fork_days VALUES (1, '2025-01-02'), (2, NULL)",
        "CREATE TABLE fork_odd_days (id INTEGER PRIMARY KEY, day DATE)",
        "INSERT INTO fork_odd_days VALUES (1, '2025-01-02 03:04:05')",
    )
    with novelkit.connect(fixture_sqlite) as db:
        days = db.table("fork_days", to="arrow").column("day")
        odd = db.table("fork_odd_days", to="arrow").column("day")
    assert days.to_pylist() == [dt.date(2025, 1, 2), None]
    assert odd.type == pa.timestamp("s")
    assert odd.to_pylist() == [dt.datetime(2025, 1, 2, 3, 4, 5)]


async def test_json_columns_come_as_their_stored_text(fx: Source) -> None:
    stored = {
        r["id"]: r["metadata"]
        for r in fx.rows("SELECT id, metadata FROM chapter_outlines ORDER BY id")
    }
    assert any(v is not None for v in stored.values())
    async with _session(fx) as session:
        table = await novelkit.load_outlines(session, to="arrow")
        polars_frame = await novelkit.load_outlines(session, to="polars")
        asked = await novelkit.load_outlines(session, to="arrow", parse_json=True)
        unparsed = await novelkit.load_outlines(session, parse_json=False)
    got = dict(
        zip(table.column("id").to_pylist(), table.column("metadata").to_pylist(), strict=True)
    )
    assert got == stored
    assert polars_frame["metadata"].to_list() == table.column("metadata").to_pylist()
    # parse_json=True given: parsed, then written back as JSON (the same values).
    assert [None if v is None else json.loads(v) for v in asked.column("metadata").to_pylist()] == [
        None if v is None else json.loads(v) for v in table.column("metadata").to_pylist()
    ]
    assert [None if pd.isna(v) else v for v in unparsed["metadata"]] == list(got.values())
    parsed = polars_frame["metadata"].str.json_decode(infer_schema_length=None)
    assert parsed.len() == len(stored)
    assert parsed.drop_nulls().len() == sum(v is not None for v in stored.values())


def test_the_documented_polars_recipe_parses_json(fixture_sqlite: Path) -> None:
    """README's recipe: str.json_decode(dtype) for a known shape (polars 2.1 needs the dtype)."""
    with novelkit.connect(fixture_sqlite) as db:
        outlines = db.outlines(to="polars")
    shape = pl.Struct({"narrative_phase": pl.String, "emotion_hook": pl.String})
    parsed = outlines.select(pl.col("metadata").str.json_decode(shape))["metadata"]
    assert parsed.drop_nulls().len() > 0
    assert "str.json_decode(dtype)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_no_doc_gives_the_polars_recipe_without_a_dtype() -> None:
    import novelkit.arrow._output as output

    with pytest.raises(TypeError, match="dtype"):
        pl.DataFrame({"m": ['{"a": 1}']}).select(pl.col("m").str.json_decode())  # type: ignore[call-arg]
    for where, text in (
        ("README.md", (REPO / "README.md").read_text(encoding="utf-8")),
        ("novelkit/arrow/_output.py", output.__doc__ or ""),
    ):
        assert "str.json_decode()" not in text, where


def _stored_metadata(fx: Source) -> dict[Any, Any]:
    stored = {
        r["id"]: r["metadata"]
        for r in fx.rows("SELECT id, metadata FROM chapter_outlines ORDER BY id")
    }
    assert any(v is not None for v in stored.values())
    return stored


def test_the_facade_gives_json_as_its_stored_text(fx: Source) -> None:
    stored = _stored_metadata(fx)
    with novelkit.connect(fx.url) as db:
        table = db.outlines(to="arrow")
    got = dict(
        zip(table.column("id").to_pylist(), table.column("metadata").to_pylist(), strict=True)
    )
    assert got == stored


@pytest.mark.parametrize("route", ["load_table", "iter_frames", "load_sql"])
async def test_other_routes_give_json_written_back_from_its_values(fx: Source, route: str) -> None:
    """No parse_json=True to leave off: parsed values written back as JSON (README)."""
    stored = _stored_metadata(fx)
    async with _session(fx) as session:
        if route == "load_table":
            table = await novelkit.load_table(session, "chapter_outlines", to="arrow")
        elif route == "load_sql":
            table = await novelkit.load_sql(
                session, "SELECT id, metadata FROM chapter_outlines", to="arrow"
            )
        else:
            chunks = [
                c
                async for c in novelkit.iter_frames(
                    session, "chapter_outlines", chunksize=1000, progress=False, to="arrow"
                )
            ]
            table = pa.concat_tables(chunks)
    got = dict(
        zip(table.column("id").to_pylist(), table.column("metadata").to_pylist(), strict=True)
    )
    assert got.keys() == stored.keys()
    for key, text in stored.items():
        if text is None:
            assert got[key] is None, key
        else:
            assert json.loads(got[key]) == json.loads(text), key


async def test_empty_results_keep_their_columns(fx: Source) -> None:
    query = "SELECT id, project_id, status, word_count, created_at FROM chapters WHERE 1 = 0"
    async with _session(fx) as session:
        frame = await novelkit.load_sql(session, query)
        table = await novelkit.load_sql(session, query, to="arrow")
        polars_frame = await novelkit.load_sql(session, query, to="polars")
    assert len(frame) == 0
    assert_arrow_matches(frame, table)
    assert_polars_matches(frame, polars_frame)


# -- users' SQL ------------------------------------------------------------------------

QUERIES = [
    "SELECT * FROM chapters ORDER BY id",
    "SELECT id, metadata FROM chapter_outlines ORDER BY id",
    "SELECT project_id, COUNT(*) AS n, MAX(updated_at) AS last_update FROM chapters "
    "GROUP BY project_id ORDER BY project_id",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_load_sql_and_iter_sql_outputs(fx: Source, query: str) -> None:
    async with _session(fx) as session:
        frame = await novelkit.load_sql(session, query)
        table = await novelkit.load_sql(session, query, to="arrow")
        polars_frame = await novelkit.load_sql(session, query, to="polars")
        chunks = {
            to: [
                c
                async for c in novelkit.iter_sql(session, query, chunksize=5, progress=False, to=to)
            ]
            for to in ("pandas", "arrow", "polars")
        }
    assert_arrow_matches(frame, table)
    assert_polars_matches(frame, polars_frame)
    assert len(chunks["arrow"]) == len(chunks["polars"]) == math.ceil(len(frame) / 5)
    for pandas_chunk, arrow_chunk, polars_chunk in zip(*chunks.values(), strict=True):
        assert len(pandas_chunk) <= 5
        assert_arrow_matches(pandas_chunk, arrow_chunk)
        assert_polars_matches(pandas_chunk, polars_chunk)
    together = pl.concat(chunks["polars"])
    assert together.columns == polars_frame.columns
    assert together.height == polars_frame.height


@pytest.mark.mysql
async def test_load_sql_outputs_on_the_arrow_path(mysql_fixture_db: Any) -> None:
    src = mysql_source(mysql_fixture_db)
    query = "SELECT id, title, status, created_at, updated_at FROM novel_projects ORDER BY id"
    async with _session(src) as session:
        frame = await novelkit.load_sql(session, query, fast=True)
        table = await novelkit.load_sql(session, query, fast=True, to="arrow")
        polars_frame = await novelkit.load_sql(session, query, fast=True, to="polars")
        driver = await novelkit.load_sql(session, query, fast=False, to="arrow")
    assert_arrow_matches(frame, table)
    assert_polars_matches(frame, polars_frame)
    assert table.schema.metadata[b"novelkit_path"] == b"arrow (connectorx-mysql)"
    assert_same_table(table, driver)


async def test_iter_frames_outputs_chunk_by_chunk(fx: Source) -> None:
    async with _session(fx) as session:
        whole = await novelkit.load_table(session, "chapters")
        chunks = {
            to: [
                c
                async for c in novelkit.iter_frames(
                    session, "chapters", chunksize=7, progress=False, to=to
                )
            ]
            for to in ("pandas", "arrow", "polars")
        }
    assert len(chunks["pandas"]) == math.ceil(len(whole) / 7)
    for pandas_chunk, arrow_chunk, polars_chunk in zip(*chunks.values(), strict=True):
        assert_arrow_matches(pandas_chunk, arrow_chunk)
        assert_polars_matches(pandas_chunk, polars_chunk)
    ids = [i for table in chunks["arrow"] for i in table.column("id").to_pylist()]
    assert ids == whole["id"].tolist()


# -- the facade -------------------------------------------------------------------------


def test_facade_methods_take_to(fixture_sqlite: Path) -> None:
    with novelkit.connect(fixture_sqlite) as db:
        frame = db.outlines()
        polars_frame = db.outlines(to="polars")
        table = db.outlines(to="arrow")
        novels = db.novels(to="polars")
        sql = db.sql("SELECT id, title FROM novel_projects ORDER BY id", to="arrow")
        sql_frame = db.sql("SELECT id, title FROM novel_projects ORDER BY id")
        found = db.search_text("的", to="polars")
        found_frame = db.search_text("的")
        streamed = list(db.iter_frames("chapter_outlines", chunksize=30, to="polars"))
        sql_chunks = list(db.iter_sql("SELECT id FROM chapters", chunksize=10, to="arrow"))
    assert_polars_matches(frame, polars_frame)
    assert_arrow_matches(frame, table)
    assert isinstance(novels, pl.DataFrame)
    assert_arrow_matches(sql_frame, sql)
    assert_polars_matches(found_frame, found)
    assert all(isinstance(c, pl.DataFrame) for c in streamed)
    assert sum(c.height for c in streamed) == len(frame)
    assert all(isinstance(c, pa.Table) for c in sql_chunks)


@pytest.mark.mysql
def test_facade_methods_take_to_on_mariadb(mysql_fixture_db: Any) -> None:
    with novelkit.connect(mysql_fixture_db.ro_url) as db:
        frame = db.chapters(fast=True)
        polars_frame = db.chapters(fast=True, to="polars")
        table = db.table("chapter_versions", fast=True, to="arrow")
    assert_polars_matches(frame, polars_frame)
    assert isinstance(table, pa.Table)
    assert table.schema.metadata[b"novelkit_path"] == b"arrow (connectorx-mysql)"


async def test_async_facade_methods_take_to(fixture_sqlite: Path) -> None:
    db = novelkit.connect(fixture_sqlite)
    try:
        polars_frame = await db.aoutlines(to="polars")
        table = await db.asql("SELECT 1 AS one", to="arrow")
    finally:
        db.close()
    assert isinstance(polars_frame, pl.DataFrame)
    assert table.column("one").to_pylist() == [1]


# -- wrong values -------------------------------------------------------------------------


async def test_unknown_outputs_and_fast_values_are_refused(fixture_sqlite: Path) -> None:
    engine = novelkit.create_engine(fixture_sqlite)
    try:
        async with novelkit.open_session(engine) as session:
            with pytest.raises(ConfigurationError, match="'pandas', 'polars' or 'arrow'"):
                await novelkit.load_outlines(session, to="excel")  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError, match="to="):
                await novelkit.load_sql(session, "SELECT 1 AS one", to="csv")  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError, match="to="):
                async for _ in novelkit.iter_sql(session, "SELECT 1 AS one", to="excel"):  # type: ignore[arg-type]
                    pass
            with pytest.raises(ConfigurationError, match="fast='yes'"):
                await novelkit.load_outlines(session, fast="yes")  # type: ignore[arg-type]
            with pytest.raises(ConfigurationError, match="fast="):
                await novelkit.text_stats(session, fast=1, progress=False)  # type: ignore[arg-type]
    finally:
        await engine.dispose()
    with novelkit.connect(fixture_sqlite) as db:
        with pytest.raises(ConfigurationError, match="to="):
            db.outlines(to="excel")  # type: ignore[call-overload]
        with pytest.raises(ConfigurationError, match="fast="):
            db.outlines(fast="yes")  # type: ignore[call-overload]
        with pytest.raises(ConfigurationError, match="to="):
            next(iter(db.iter_frames("chapters", to="excel")))
    with pytest.raises(ConfigurationError, match="fast="):
        novelkit.connect(fixture_sqlite, fast="yes")  # type: ignore[arg-type]


# -- static types ---------------------------------------------------------------------------


def _mypy(script: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on a user's script, with novelkit from this checkout."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            str(script),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, "MYPYPATH": str(REPO)},
        timeout=600,
    )


def _revealed(output: str) -> dict[int, str]:
    """``reveal_type`` notes by line number."""
    found = {}
    for line in output.splitlines():
        if "Revealed type is" in line:
            number = int(line.split(":")[1])
            found[number] = line.split("Revealed type is ", 1)[1].strip().strip('"')
    return found


@pytest.mark.slow
def test_outputs_are_typed_per_to_for_a_users_script(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    lines = [
        "import pandas as pd",
        "import polars as pl",
        "import pyarrow as pa",
        "import novelkit",
        "",
        "",
        "async def main() -> None:",
        "    db = novelkit.connect()",
        "    reveal_type(db.outlines(to='polars'))",  # line 9
        "    reveal_type(db.outlines())",  # line 10
        "    reveal_type(pd.DataFrame())",  # line 11: pandas' own DataFrame type
        "    reveal_type(db.sql('SELECT 1', to='polars'))",  # line 12
        "    reveal_type(await db.aoutlines(to='polars'))",  # line 13
        "    reveal_type(db.outlines(to='arrow'))",  # line 14
        "    reveal_type(pa.table({}))",  # line 15: pyarrow's own Table type
        "    frame: pd.DataFrame = db.outlines()",
        "    fast: pl.DataFrame = db.chapters(novel_id='x', to='polars')",
        "    table: pa.Table = db.versions(to='arrow')",
        "    print(len(frame), fast.height, table.num_rows)",
        "    db.close()",
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good = _mypy(script)
    assert good.returncode == 0, good.stdout + good.stderr
    revealed = _revealed(good.stdout)
    assert revealed[9] == "polars.dataframe.frame.DataFrame"
    assert revealed[12] == "polars.dataframe.frame.DataFrame"
    assert revealed[13] == "polars.dataframe.frame.DataFrame"
    # pandas.DataFrame as the installed pandas types it ("Any" without pandas-stubs).
    assert revealed[10] == revealed[11]
    assert revealed[10] != revealed[9]
    assert revealed[14] == revealed[15]

    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import polars as pl\n"
        "import novelkit\n\n\n"
        "def main() -> None:\n"
        "    db = novelkit.connect()\n"
        "    count: int = db.outlines(to='polars')\n"
        "    db.outlines(to='excel')\n"
        "    also: pl.DataFrame = db.novels(to='polars')\n"
        "    print(count, also)\n",
        encoding="utf-8",
    )
    bad = _mypy(wrong)
    assert bad.returncode == 1, bad.stdout
    assert 'expression has type "DataFrame", variable has type "int"' in bad.stdout
    assert "No overload variant" in bad.stdout
    assert "wrong.py:9" not in bad.stdout  # the polars assignment is fine
