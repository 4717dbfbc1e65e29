"""Speed and memory of your own SQL through novelkit, beside the raw driver and pandas.read_sql.

Whole calls, as in ``bench_loaders.py`` (whose measuring functions this script
uses): engine or connection creation, the query, dispose/close; medians of
interleaved runs after one untimed warm-up call each, as ratios to the raw
async driver and to ``pandas.read_sql`` on a sync engine. Written to
``benchmarks/results_sql.json``.

    python benchmarks/bench_sql.py --sqlite benchmarks/data/large.db \
        [--mysql mysql://user:pw@127.0.0.1:3306/nktest_bench_large] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

# Run as a script, so its own folder is on sys.path.
from bench_loaders import Measure, add_mysql_argument, bench_speed, pandas_read_sql, raw_driver

import novelkit

OUTLINES_SQL = "SELECT * FROM chapter_outlines"
GROUPED_SQL = (
    "SELECT c.project_id, COUNT(*) AS chapters, AVG({length}(v.content)) AS mean_selected_length "
    "FROM chapters c LEFT JOIN chapter_versions v ON v.id = c.selected_version_id "
    "GROUP BY c.project_id ORDER BY c.project_id"
)
VERSIONS_SQL = "SELECT id, chapter_id, content FROM chapter_versions"


def facade_sql(url: str, sql: str) -> Measure:
    """``db = novelkit.connect(url); db.sql(sql); db.close()``, run in a worker thread."""

    def call() -> pd.DataFrame:
        db = novelkit.connect(url, fast=False)
        try:
            return db.sql(sql)
        finally:
            db.close()

    async def run() -> pd.DataFrame:
        return await asyncio.to_thread(call)

    return run


def load_sql_call(url: str, sql: str) -> Measure:
    async def run() -> pd.DataFrame:
        engine = novelkit.create_engine(url, fast=False)
        try:
            async with novelkit.open_session(engine) as session:
                return await novelkit.load_sql(session, sql)
        finally:
            await engine.dispose()

    return run


def cases(url: str) -> dict[str, dict[str, Measure]]:
    backend = sa.engine.make_url(url).get_backend_name()
    grouped = GROUPED_SQL.format(length="LENGTH" if backend == "sqlite" else "CHAR_LENGTH")
    return {
        name: {
            "db_sql": facade_sql(url, sql),
            "load_sql": load_sql_call(url, sql),
            "raw_driver": raw_driver(url, sql),
            "pandas_read_sql": pandas_read_sql(url, sql),
        }
        for name, sql in (("select_star_outlines", OUTLINES_SQL), ("grouped_join", grouped))
    }


async def iter_sql_peak(url: str, chunksize: int) -> dict[str, Any]:
    """Peak traced memory while streaming every version text, against one chunk's size."""
    engine = novelkit.create_engine(url, fast=False)
    try:
        async with novelkit.open_session(engine) as session:
            gc.collect()
            tracemalloc.start()
            largest = rows = 0
            async for chunk in novelkit.iter_sql(
                session, VERSIONS_SQL, chunksize=chunksize, progress=False
            ):
                rows += len(chunk)
                largest = max(largest, int(chunk.memory_usage(deep=True).sum()))
                del chunk
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await engine.dispose()
    return {
        "rows": rows,
        "chunksize": chunksize,
        "peak_bytes": peak,
        "largest_chunk_bytes": largest,
        "peak_over_chunk": peak / largest if largest else None,
    }


async def bench_backend(url: str, repeat: int) -> dict[str, Any]:
    backend = sa.engine.make_url(url).get_backend_name()
    out = await bench_speed(f"{backend} sql", cases(url), repeat)
    for methods in out.values():
        base = methods["pandas_read_sql"]["median_s"]
        for result in methods.values():
            result["ratio_to_pandas_read_sql"] = result["median_s"] / base
    out["iter_sql_memory"] = await iter_sql_peak(url, chunksize=1000)
    print(f"[{backend}] iter_sql memory: {out['iter_sql_memory']}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", help="path of a large demo SQLite database")
    add_mysql_argument(parser)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per method")
    parser.add_argument(
        "--out", default=str(Path(__file__).with_name("results_sql.json")), help="results file"
    )
    args = parser.parse_args(argv)
    if not args.sqlite and not args.mysql:
        parser.error("give --sqlite and/or --mysql")
    report: dict[str, Any] = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
        "versions": {
            "novelkit": novelkit.__version__,
            "pandas": pd.__version__,
            "sqlalchemy": sa.__version__,
        },
        "repeat": args.repeat,
        "results": {},
    }
    for backend, given in (("sqlite", args.sqlite), ("mysql", args.mysql)):
        if given:
            url = novelkit.resolve_url(given).render_as_string(hide_password=False)
            report["results"][backend] = asyncio.run(bench_backend(url, args.repeat))
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
