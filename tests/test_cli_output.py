"""What the CLI prints: CSV cells, table alignment, export summaries (real files)."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_support import first_value, run
from click.testing import CliRunner
from nktest_support import MySQLDatabase

from novelkit.cli import main
from novelkit.cli._export import export_tables, portable
from novelkit.db import create_engine
from novelkit.errors import ConfigurationError

#: Waits in these tests end with a failure, not a hang, after this long.
HANG_GUARD_SECONDS = 60.0


def novel_with_metadata(path: Path) -> str:
    return first_value(
        path,
        "SELECT project_id FROM chapter_outlines WHERE metadata LIKE '{%' "
        "ORDER BY project_id LIMIT 1",
    )


def test_outlines_csv_writes_json_text(fixture_sqlite: Path) -> None:
    novel = novel_with_metadata(fixture_sqlite)
    out = run("outlines", novel, str(fixture_sqlite), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    with sqlite3.connect(fixture_sqlite) as conn:
        stored = dict(
            conn.execute(
                "SELECT chapter_number, metadata FROM chapter_outlines WHERE project_id = ?",
                (novel,),
            )
        )
    with_metadata = [r for r in rows if r["metadata"]]
    assert with_metadata
    for row in with_metadata:
        assert not row["metadata"].startswith("{'")
        assert json.loads(row["metadata"]) == json.loads(stored[int(row["chapter_number"])])
    # Non-ASCII kept as it is, not \u-escaped.
    assert "\\u" not in out
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in r["metadata"]) for r in with_metadata)
    # The same values as --format json gives.
    as_json = json.loads(run("outlines", novel, str(fixture_sqlite), "--format", "json"))
    by_number = {r["chapter_number"]: r["metadata"] for r in as_json}
    for row in with_metadata:
        assert json.loads(row["metadata"]) == by_number[int(row["chapter_number"])]


@pytest.mark.parametrize("tables", ["", " , ", ","])
def test_export_with_no_table_named_is_a_usage_error(
    fixture_sqlite: Path, tmp_path: Path, tables: str
) -> None:
    out_dir = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["export", str(fixture_sqlite), "--tables", tables, "--out", str(out_dir)]
    )
    assert result.exit_code == 2, result.output
    assert "--tables" in result.output
    assert "names no table" in result.output
    assert "Wrote" not in result.output
    assert not out_dir.exists()


@pytest.mark.parametrize("tables", [[], ()])
async def test_export_tables_with_no_table_named_says_what_to_pass(
    fixture_sqlite: Path, tmp_path: Path, tables: Sequence[str]
) -> None:
    """The Python twin of the usage error above: was an export of nothing, silently."""
    out_dir = tmp_path / "export"
    engine = create_engine(fixture_sqlite)
    try:
        with pytest.raises(ConfigurationError, match=r"names no table; pass table names"):
            await export_tables(engine, out_dir, tables=tables)
    finally:
        await engine.dispose()
    assert not out_dir.exists()


async def test_export_tables_takes_one_name_as_a_string(
    fixture_sqlite: Path, tmp_path: Path
) -> None:
    """tables="users" is that table: was read letter by letter (no table 'u')."""
    engine = create_engine(fixture_sqlite)
    try:
        summary = await export_tables(engine, tmp_path / "out", tables="users", fmt="csv")
    finally:
        await engine.dispose()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["users.csv"]
    assert [p.name for p in summary.files] == ["users.csv"]


def test_export_counts_in_words(fixture_sqlite: Path, tmp_path: Path) -> None:
    one = run("export", str(fixture_sqlite), "--tables", "users", "--out", str(tmp_path / "a"))
    assert one.startswith("Wrote 1 table to ")
    two = run(
        "export", str(fixture_sqlite), "--tables", "users,chapters", "--out", str(tmp_path / "b")
    )
    assert two.startswith("Wrote 2 tables to ")


def width(text: str) -> int:
    """Terminal columns: 2 for an East Asian wide or full-width character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_table_lines_up_with_zero_width_characters(tmp_path: Path) -> None:
    """A zero-width space or joiner in a title takes no column: was one column short."""
    path = tmp_path / "zw.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (title TEXT, n INTEGER)")
        conn.executemany(
            "INSERT INTO t VALUES (?, ?)",
            [("雾港\u200b旧事", 1), ("零号\u200d\ufeff", 22), ("plain", 333)],
        )
    conn.close()
    lines = run("sql", "SELECT title, n FROM t", str(path)).splitlines()
    assert len({width(line) for line in lines}) == 1, lines
    assert "雾港旧事" in lines[1]


def test_novels_table_lines_up_under_chinese_titles(fixture_sqlite: Path) -> None:
    lines = run("novels", str(fixture_sqlite)).splitlines()
    rows = json.loads(run("novels", str(fixture_sqlite), "--format", "json"))
    titles = {r["project_id"]: r["title"] for r in rows}
    assert any(width(t) != len(t) for t in titles.values())  # the fixture has Chinese titles
    # Every line ends at the same column (the last column is right-aligned) ...
    assert len({width(line) for line in lines}) == 1, lines
    # ... and so does every title: the title column's right edge.
    edges = set()
    for line in lines[1:]:
        title = titles[line.split()[0]]
        edges.add(width(line[: line.index(title) + len(title)]))
    header = lines[0]
    assert edges == {width(header[: header.index("title") + len("title")])}


def test_long_chinese_cells_are_clipped_by_width(fixture_sqlite: Path) -> None:
    novel = novel_with_metadata(fixture_sqlite)
    lines = run("outlines", novel, str(fixture_sqlite)).splitlines()
    assert len({width(line) for line in lines}) == 1, lines
    clipped = [line for line in lines if line.endswith("...")]
    assert clipped
    header = lines[0]
    summary_width = width(header) - width(header[: header.index("title") + len("title")]) - 1
    assert summary_width <= 40


def test_json_and_categorical_cells_are_clipped_too(fixture_sqlite: Path) -> None:
    """Parsed JSON cells (``metadata`` through ``novelkit sql``) are clipped like text;
    a 200-character metadata dict made a line of over 200 columns."""
    sql = "SELECT id, metadata FROM chapter_outlines WHERE metadata LIKE '{%' LIMIT 5"
    lines = run("sql", sql, str(fixture_sqlite)).splitlines()
    assert "metadata" in lines[0]
    rows = [line for line in lines[1:] if line.strip()]
    assert rows
    assert all(line.endswith("...") for line in rows), rows
    assert max(width(line) for line in rows) <= 50, rows


def test_info_reads_as_text_not_as_python(fixture_sqlite: Path) -> None:
    """Was: a ``DatabaseInfo(...)`` header, ``()`` for no column, ``<NA>`` rows and a
    ``PoolStatus[...](... None ...)`` line."""
    with closing(sqlite3.connect(fixture_sqlite)) as conn:
        conn.executescript(
            "ALTER TABLE novel_projects DROP COLUMN initial_prompt; DROP TABLE factions; "
            "CREATE TABLE my_notes (id INTEGER PRIMARY KEY, body TEXT); "
            "ALTER TABLE chapters ADD COLUMN mood TEXT;"
        )
    out = run("info", str(fixture_sqlite))
    for python in ("DatabaseInfo", "PoolStatus", "()", "None", "<NA>", "NaN", "'"):
        assert python not in out, python
    lines = out.splitlines()
    assert lines[:7] == [
        f"database: sqlite: sqlite+aiosqlite:///{fixture_sqlite}",
        "generation: fusion",
        "known tables: 35 (382 rows)",
        "missing: table factions, novel_projects.initial_prompt",
        "extra: table my_notes, chapters.mood",
        "fork variants: none",
        "novelkit demo: no",
    ]
    header = next(line for line in lines if line.lstrip().startswith("table "))
    assert header.split() == ["table", "status", "rows", "missing", "columns", "extra", "columns"]
    table = {line.split()[0]: line for line in lines[lines.index(header) + 1 : -2]}
    assert len(table) == 37
    assert table["users"].split() == ["users", "known", "4"]
    assert table["novel_projects"].split() == ["novel_projects", "known", "6", "initial_prompt"]
    assert table["chapters"].split() == ["chapters", "known", "42", "mood"]
    assert table["factions"].split() == ["factions", "missing"]
    assert table["my_notes"].split() == ["my_notes", "extra", "0", "id,", "body"]
    # Each list stands under its own heading (cells align right), no line ends in blanks.
    end_of_missing = header.index("missing columns") + len("missing columns")
    assert table["novel_projects"].index("initial_prompt") + len("initial_prompt") == end_of_missing
    assert len(table["chapters"]) == len(header)
    assert all(line == line.rstrip() for line in lines)
    assert lines[-2:] == ["", "pool: NullPool, pre-ping off"]


@pytest.mark.mysql
def test_info_on_mariadb_gives_the_pool_figures_in_words(mysql_fixture_db: MySQLDatabase) -> None:
    out = run("info", mysql_fixture_db.ro_url.render_as_string(hide_password=False))
    assert "None" not in out
    assert out.splitlines()[0].startswith("database: mysql: mysql+asyncmy://")
    assert re.fullmatch(
        r"pool: AsyncAdaptedQueuePool, size \d+, checked in \d+, checked out \d+, "
        # (Not SQLAlchemy's raw figure, negative while the pool has free places.)
        r"overflow \d+, max overflow \d+, timeout [\d.]+ s, recycle \d+ s, pre-ping on",
        out.splitlines()[-1],
    )


def test_json_output_does_not_escape_slashes(fixture_sqlite: Path) -> None:
    r"""Was: ``"storage\/arboris.db"``. A backslash before a slash in the data stays."""
    sql = r"SELECT 'storage/arboris.db' AS path, 'a\/b' AS odd, 'end\' AS tail"
    out = run("sql", sql, str(fixture_sqlite), "--format", "json")
    assert out == '[{"path":"storage/arboris.db","odd":"a\\\\/b","tail":"end\\\\"}]\n'
    assert json.loads(out) == [{"path": "storage/arboris.db", "odd": "a\\/b", "tail": "end\\"}]


def test_bytes_come_out_as_base64_in_json_and_csv(fixture_sqlite: Path) -> None:
    """Was a UnicodeDecodeError traceback: pandas decoded the bytes as UTF-8."""
    sql = "SELECT x'00ff' AS b, 'x' AS t, x'' AS empty"
    as_json = json.loads(run("sql", sql, str(fixture_sqlite), "--format", "json"))
    assert as_json == [{"b": "AP8=", "t": "x", "empty": ""}]
    assert base64.b64decode(as_json[0]["b"]) == b"\x00\xff"
    as_csv = list(
        csv.DictReader(io.StringIO(run("sql", sql, str(fixture_sqlite), "--format", "csv")))
    )
    assert as_csv == [{"b": "AP8=", "t": "x", "empty": ""}]
    # The table shows them as Python does, as before.
    assert "b'\\x00\\xff'" in run("sql", sql, str(fixture_sqlite))


def test_portable_keeps_bytes_as_base64_text_or_as_binary() -> None:
    frame = pd.DataFrame({"b": [b"\x00\xff", None, "é"], "t": ["a", b"\xff", None]})
    text = portable(frame)
    assert text["b"].tolist() == ["AP8=", pd.NA, "é"]
    assert text["t"].tolist() == ["a", "/w==", pd.NA]
    table = pa.Table.from_pandas(portable(frame, binary=["b"]), preserve_index=False)
    assert table.schema.field("b").type == pa.binary()
    assert table.column("b").to_pylist() == [b"\x00\xff", None, "é".encode()]


async def test_export_writes_a_blob_column_as_parquet_binary(tmp_path: Path) -> None:
    """Was text (large_string). The first chunk holds only a NULL: the column is binary all
    the same."""
    path = tmp_path / "blob.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE fork_b (id INTEGER PRIMARY KEY, b BLOB)")
        conn.executemany("INSERT INTO fork_b VALUES (?, ?)", [(1, None), (2, "é".encode())])
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await export_tables(engine, tmp_path / "out", tables=["fork_b"], chunksize=1)
    finally:
        await engine.dispose()
    table = pq.read_table(tmp_path / "out" / "fork_b.parquet")
    assert table.schema.field("b").type == pa.binary()
    assert table.column("b").to_pylist() == [None, "é".encode()]


def test_json_times_keep_their_microseconds(fixture_sqlite: Path) -> None:
    """Was cut to milliseconds: 05:44:41.882095 came out 05:44:41.882Z."""
    rows = json.loads(run("novels", str(fixture_sqlite), "--format", "json"))
    with closing(sqlite3.connect(fixture_sqlite)) as conn:
        stored = dict(conn.execute("SELECT id, updated_at FROM novel_projects"))
    assert any("." in value for value in stored.values())
    for row in rows:
        shown = pd.Timestamp(row["updated_at"]).tz_localize(None)
        assert shown == pd.Timestamp(stored[row["project_id"]]), row["project_id"]


def test_an_empty_table_shows_its_column_names_and_no_rows(fixture_sqlite: Path) -> None:
    """Was pandas' internals: "Empty DataFrame / Columns: [...] / Index: []"."""
    out = run("sql", "SELECT title, status FROM novel_projects WHERE 0", str(fixture_sqlite))
    assert out == "title  status\n(no rows)\n"
    without_outlines = first_value(
        fixture_sqlite,
        "SELECT id FROM novel_projects p WHERE NOT EXISTS "
        "(SELECT 1 FROM chapter_outlines o WHERE o.project_id = p.id)",
    )
    assert without_outlines is not None
    out = run("outlines", without_outlines, str(fixture_sqlite))
    assert out == "chapter_number  title  summary\n(no rows)\n"


def test_novelkit_warnings_print_as_one_line(fixture_sqlite: Path, tmp_path: Path) -> None:
    """Was Python's format: the source file and line of novelkit that warned, and that line
    of code. A subprocess: the test run makes warnings errors."""
    with closing(sqlite3.connect(fixture_sqlite)) as conn, conn:
        conn.execute(
            "UPDATE novel_projects SET created_at = 'not a date' "
            "WHERE rowid = (SELECT MIN(rowid) FROM novel_projects)"
        )
    done = subprocess.run(
        [
            *(sys.executable, "-m", "novelkit", "export", str(fixture_sqlite)),
            *("--tables", "novel_projects", "--format", "csv", "--out", str(tmp_path / "out")),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stderr == (
        "warning: novel_projects.created_at: 1 stored value(s) could not be read as a "
        "date/time and are missing (NaT) in the frame; the database still holds them as "
        "stored.\n"
    )
    assert done.stdout.startswith("Wrote 1 table to ")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_of_an_empty_table_names_its_columns(tmp_path: Path, fmt: str) -> None:
    """Was a file without columns (an empty CSV, a Parquet file of no columns): pandas'
    read_csv raised EmptyDataError on it, and the table's shape was lost."""
    path = tmp_path / "fork.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE fork_tags (id INTEGER PRIMARY KEY, project_id TEXT)")
    out_dir = tmp_path / "out"
    run("export", str(path), "--tables", "fork_tags", "--format", fmt, "--out", str(out_dir))
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    frame = read(out_dir / f"fork_tags.{fmt}")
    assert list(frame.columns) == ["id", "project_id"]
    assert len(frame) == 0
    if fmt == "parquet":
        schema = pq.read_schema(out_dir / "fork_tags.parquet")
        assert schema.field("id").type == pa.int64()


async def test_an_interrupted_export_leaves_no_partial_file(
    fixture_sqlite: Path, tmp_path: Path
) -> None:
    """Was a file of the rows written so far under the table's own name: after Ctrl-C in
    `novelkit export` on the large demo, chapter_outlines.csv held 140,000 of 244,009 rows
    and read as a complete table."""
    path = fixture_sqlite  # an Arboris database, given a fork's table
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE fork_many (id INTEGER PRIMARY KEY, note TEXT)")
        conn.executemany(
            "INSERT INTO fork_many VALUES (?, ?)", ((i, "x" * 50) for i in range(5000))
        )
    out_dir = tmp_path / "out"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        task = asyncio.ensure_future(
            export_tables(engine, out_dir, fmt="csv", tables=["fork_many"], chunksize=10)
        )
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        # Until the first chunk is written (bounded: an export that ends or fails first
        # must fail the test, not hang it).
        while not (out_dir.exists() and any(out_dir.iterdir())):
            assert not task.done(), task.exception()
            assert time.monotonic() < deadline, "no chunk written"
            await asyncio.sleep(0.001)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await engine.dispose()
    assert list(out_dir.iterdir()) == []


def test_info_on_a_demo_copy_without_its_marker_row(tmp_path: Path) -> None:
    """A fork-shaped copy of the demo (benchmarks/fork_shape.py drops system_configs) keeps
    the demo's application id: info said "generator_version=None, scale=None, ..."."""
    path = tmp_path / "copy.db"
    run("demo", str(path), "--scale", "tiny")
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE system_configs")
    out = run("info", str(path))
    assert "None" not in out
    assert "novelkit demo: yes, without its marker row in system_configs" in out.splitlines()
