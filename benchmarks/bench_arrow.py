"""The Arrow path against the Arrow-native readers, the raw driver and pandas.read_sql.

For each call (``load_outlines``, ``load_novels``, ``load_versions(content=True)``)
the statements novelkit sends to its Arrow reader are recorded once, then every
method runs those same statements, one whole call each (connection or engine
opened and closed inside the timing), interleaved, median of ``--repeat`` runs
after one untimed warm-up each:

- ``novelkit_fast``: the call as a user makes it (Arrow path, pandas out);
- ``novelkit_polars``: the same with ``to="polars"``;
- ``novelkit_driver``: the same with ``fast=False`` (the async driver);
- ``adbc`` (SQLite): ADBC's SQLite driver into Arrow tables;
- ``connectorx``: connectorx into Arrow tables, partitioned on the key where
  novelkit partitions (MariaDB, two partitions);
- ``polars_read_database_uri``: polars' own reader (connectorx) into polars;
- ``raw_driver``: aiosqlite/asyncmy ``fetchall()`` into DataFrames;
- ``pandas_read_sql``: ``pandas.read_sql`` on a sync engine.

The SQLite demo is read from a rollback-journal copy (the app's default journal;
novelkit's demos are WAL, where the Arrow path is not taken).

Memory: each call runs once more in a fresh process, whose peak resident size
above its size just before the call is compared with the final frame's size
(``memory_usage(deep=True)``, plus the parsed JSON's nested objects, which pandas does
not count). Written to ``benchmarks/results_arrow.json``.

    python benchmarks/bench_arrow.py --sqlite benchmarks/data/large.db \
        [--mysql mysql://user:pw@127.0.0.1:3306/nktest_bench_large] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import bench_loaders  # run as a script: its own folder is on sys.path
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite

import novelkit
from novelkit.arrow._choice import ArrowPath

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results_arrow.json"

#: case -> (loader, keywords).
CASES: dict[str, tuple[Callable[..., Awaitable[Any]], dict[str, Any]]] = {
    "outlines": (novelkit.load_outlines, {}),
    "novels": (novelkit.load_novels, {}),
    "versions_content": (novelkit.load_versions, {"content": True}),
}

Measure = Callable[[], Awaitable[Any]]
#: A statement novelkit sent to its Arrow reader, with the key it partitioned on.
Recorded = tuple[sa.Executable, str | None]


def sqlite_url(path: str) -> str:
    return f"sqlite+aiosqlite:///{Path(path).resolve()}"


def backend_of(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


async def record_statements(url: str, case: str) -> list[Recorded]:
    """The statements one call sends to the Arrow reader (instrumenting ArrowPath.read)."""
    loader, keywords = CASES[case]
    seen: list[Recorded] = []
    original = ArrowPath.read

    async def recording(self: ArrowPath, statement: Any, **kw: Any) -> Any:
        seen.append((statement, kw.get("partition_on")))
        return await original(self, statement, **kw)

    ArrowPath.read = recording  # type: ignore[method-assign]
    try:
        await novelkit_call(url, loader, keywords, fast=True)()
    finally:
        ArrowPath.read = original  # type: ignore[method-assign]
    return seen


def literal_sql(statement: sa.Executable, backend: str) -> str:
    dialect = sqlite.dialect() if backend == "sqlite" else mysql.dialect(paramstyle="named")
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=dialect, compile_kwargs={"literal_binds": True, "render_postcompile": True}
    )
    return str(compiled)


# -- the methods -------------------------------------------------------------------------


def novelkit_call(
    url: str, loader: Callable[..., Awaitable[Any]], keywords: dict[str, Any], **options: Any
) -> Measure:
    async def run() -> Any:
        engine = novelkit.create_engine(url)
        try:
            async with novelkit.open_session(engine) as session:
                return await loader(session, **keywords, **options)
        finally:
            await engine.dispose()

    return run


def adbc(path: str, statements: list[str]) -> Measure:
    import adbc_driver_sqlite.dbapi as dbapi

    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"

    async def run() -> Any:
        tables = []
        for sql in statements:
            with dbapi.connect(uri=uri) as conn, conn.cursor() as cursor:
                cursor.execute(sql)
                tables.append(cursor.fetch_arrow_table())
        return tables[0]

    return run


def cx_uri(url: str) -> str:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite://{Path(parsed.database or '').resolve()}"
    return parsed.set(drivername="mysql", query={}).render_as_string(hide_password=False)


def connectorx(url: str, statements: list[tuple[str, str | None]]) -> Measure:
    import connectorx as cx

    uri = cx_uri(url)

    async def run() -> Any:
        tables = []
        for sql, key in statements:
            options: dict[str, Any] = {"return_type": "arrow"}
            if key is not None:
                options.update(partition_on=key, partition_num=2)
            tables.append(cx.read_sql(uri, sql, **options))
        return tables[0]

    return run


def polars_reader(url: str, statements: list[tuple[str, str | None]]) -> Measure:
    import polars as pl

    uri = cx_uri(url)

    async def run() -> Any:
        frames = []
        for sql, key in statements:
            options: dict[str, Any] = {}
            if key is not None:
                options.update(partition_on=key, partition_num=2)
            frames.append(pl.read_database_uri(sql, uri, **options))
        return frames[0]

    return run


def pandas_read_sql(url: str, statements: list[str]) -> Measure:
    parsed = sa.engine.make_url(url)
    sync_url = parsed.set(
        drivername="sqlite" if parsed.get_backend_name() == "sqlite" else "mysql+pymysql"
    )

    async def run() -> pd.DataFrame:
        engine = sa.create_engine(sync_url)
        try:
            with engine.connect() as conn:
                frames = [
                    pd.read_sql_query(sa.text(sql.replace(":", r"\:")), conn) for sql in statements
                ]
        finally:
            engine.dispose()
        return frames[0]

    return run


# -- measuring ---------------------------------------------------------------------------


def _rows(result: Any) -> int:
    return int(result.num_rows if hasattr(result, "num_rows") else len(result))


async def bench_case(url: str, case: str, repeat: int) -> dict[str, Any]:
    backend = backend_of(url)
    recorded = await record_statements(url, case)
    sql = [literal_sql(statement, backend) for statement, _key in recorded]
    keyed = [(s, key) for s, (_statement, key) in zip(sql, recorded, strict=True)]
    loader, keywords = CASES[case]
    methods: dict[str, Measure] = {
        "novelkit_fast": novelkit_call(url, loader, keywords, fast=True),
        "novelkit_polars": novelkit_call(url, loader, keywords, fast=True, to="polars"),
        "novelkit_driver": novelkit_call(url, loader, keywords, fast=False),
        "connectorx": connectorx(url, keyed),
        "polars_read_database_uri": polars_reader(url, keyed),
        # bench_loaders' reference: the statements fetched into DataFrames, first returned.
        "raw_driver": bench_loaders.raw_driver(url, tuple(sql)),
        "pandas_read_sql": pandas_read_sql(url, sql),
    }
    if backend == "sqlite":
        methods["adbc"] = adbc(sa.engine.make_url(url).database or "", sql)
    rows: dict[str, int] = {}
    failed: dict[str, str] = {}
    for name, measure in list(methods.items()):
        try:
            rows[name] = _rows(await measure())  # warm-up, untimed
        except (RuntimeError, ValueError) as exc:
            # e.g. connectorx on SQLite: "Cannot infer type from null": it cannot read
            # these statements at all; reported, not timed.
            failed[name] = f"{type(exc).__name__}: {str(exc)[:200]}"
            del methods[name]
    seconds: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeat):
        for name, measure in methods.items():  # interleaved: drift hits every method alike
            gc.collect()
            start = time.perf_counter()
            result = await measure()
            seconds[name].append(time.perf_counter() - start)
            del result
    reference = "adbc" if backend == "sqlite" else "connectorx"
    medians = {name: statistics.median(runs) for name, runs in seconds.items()}
    out: dict[str, Any] = {
        "statements": len(sql),
        "reference": reference,
        "methods": {},
        "failed": failed,
    }
    for name, runs in seconds.items():
        out["methods"][name] = {
            "median_s": medians[name],
            "runs_s": runs,
            "rows": rows[name],
            "ratio_to_reference": medians[name] / medians[reference],
        }
    if "polars_read_database_uri" in medians:
        polars_median = medians["polars_read_database_uri"]
        out["polars_ratio"] = medians["novelkit_polars"] / polars_median
    else:
        out["polars_ratio"] = None
    return out


def _status_kib(field: str) -> int:
    """A field of /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def memory_child(url: str, case: str) -> dict[str, Any]:
    """Run in a fresh process: peak resident growth of one Arrow-path call, frame size."""
    loader, keywords = CASES[case]

    async def main() -> dict[str, Any]:
        engine = novelkit.create_engine(url)
        try:
            async with novelkit.open_session(engine) as session:
                await novelkit.load_table(session, "novel_projects", fast=True)  # imports, caches
                gc.collect()
                # The peak resident size is reset here (Linux: clear_refs 5); ru_maxrss
                # would not do, it carries the parent's peak across fork and exec.
                Path("/proc/self/clear_refs").write_text("5")
                before = _status_kib("VmRSS")
                frame = await loader(session, **keywords, fast=True)
                peak = _status_kib("VmHWM")
        finally:
            await engine.dispose()
        pandas_size = int(frame.memory_usage(deep=True).sum())
        size = pandas_size + parsed_json_bytes(frame)
        growth = (peak - before) * 1024
        return {
            "peak_growth_bytes": growth,
            "frame_bytes": size,
            "pandas_deep_bytes": pandas_size,
            "ratio": growth / size,
        }

    return asyncio.run(main())


def _contents_bytes(value: Any, seen: set[int]) -> int:
    """What a parsed JSON value holds beyond its own object (keys, items, nested ones),
    each object counted once (orjson shares the keys it has seen between dicts)."""
    if isinstance(value, dict):
        items: Any = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return 0
    total = 0
    for item in items:
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item) + _contents_bytes(item, seen)
    return total


def parsed_json_bytes(frame: pd.DataFrame) -> int:
    """The parsed JSON's nested objects, which ``memory_usage(deep=True)`` leaves out (it
    counts each cell's own object only: a dict's size, not its keys and values)."""
    seen: set[int] = set()
    return sum(
        _contents_bytes(value, seen)
        for name in frame.columns
        if frame[name].dtype == object
        for value in frame[name]
    )


def memory(url: str, case: str) -> dict[str, Any]:
    # The URL (and its password) goes by environment, not on a command line ps shows.
    done = subprocess.run(
        [sys.executable, __file__, "--memory-child", case],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "NOVELKIT_BENCH_URL": url},
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", help="path of a large demo SQLite database")
    bench_loaders.add_mysql_argument(parser)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per method")
    parser.add_argument("--out", default=str(RESULTS), help="results file")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(os.environ["NOVELKIT_BENCH_URL"], args.memory_child)))
        return 0
    targets = {}
    if args.sqlite:
        targets["sqlite"] = sqlite_url(bench_loaders.rollback_copy(args.sqlite))
    if args.mysql:
        targets["mysql"] = args.mysql
    if not targets:
        parser.error("give --sqlite and/or --mysql")
    results: dict[str, Any] = {}
    for backend, url in targets.items():
        results[backend] = {}
        for case in CASES:
            print(f"[{backend}] {case}", file=sys.stderr, flush=True)
            measured = asyncio.run(bench_case(url, case, args.repeat))
            measured["memory"] = memory(url, case)
            results[backend][case] = measured
            fast = measured["methods"]["novelkit_fast"]
            polars_ratio = measured["polars_ratio"]
            print(
                f"  novelkit x{fast['ratio_to_reference']:.2f} of {measured['reference']}, "
                f"to=polars x{polars_ratio or float('nan'):.2f} of polars.read_database_uri, "
                f"memory x{measured['memory']['ratio']:.2f} of the frame; "
                f"failed: {sorted(measured['failed']) or 'none'}",
                file=sys.stderr,
                flush=True,
            )
    import adbc_driver_sqlite
    import connectorx as cx
    import polars as pl
    import pyarrow as pa

    report = {
        "machine": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "pyarrow": pa.__version__,
            "polars": pl.__version__,
            "connectorx": cx.__version__,
            "adbc_driver_sqlite": adbc_driver_sqlite.__version__,
            "sqlalchemy": sa.__version__,
        },
        "repeat": args.repeat,
        "results": results,
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
