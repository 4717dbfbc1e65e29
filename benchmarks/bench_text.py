"""Speed and memory of the text queries against the text transfer they cannot avoid.

Each measurement is one whole call (engine, session, query, dispose) over every
version of the large demo (25,470 texts, about 230 MB of UTF-8). Compared with:

- the floor: ``iter_frames(session, "chapter_versions", columns=["id", "content"],
  content=True)`` over the same texts, consumed and dropped (the text transfer);
- for ``mentions``: every text loaded into one pandas Series (the same
  ``iter_frames`` pages, concatenated) and ``Series.str.count`` once per name.

Medians of ``--repeat`` interleaved runs after one untimed warm-up call each, as
ratios to the floor, written to ``benchmarks/results_text.json``. Peak memory of one
call of each, by ``tracemalloc``: the Python allocations (str, lists, numpy and
pandas buffers); it does not see SQLite's page cache, the MariaDB client's C buffers
or pyarrow's own allocator, which are bounded by a page too but not measured here.

    python benchmarks/bench_text.py --sqlite benchmarks/data/large.db \
        [--mysql mysql://user:pw@127.0.0.1:3306/nktest_bench_large] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

# Run as a script, so its own folder is on sys.path.
from bench_loaders import add_mysql_argument
from sqlalchemy.ext.asyncio import AsyncSession

import novelkit

Work = Callable[[AsyncSession], Awaitable[int]]


async def whole_call(url: str, work: Work) -> int:
    """Engine, session, the work, dispose: what a user's call costs."""
    engine = novelkit.create_engine(url, fast=False)
    try:
        async with novelkit.open_session(engine) as session:
            return await work(session)
    finally:
        await engine.dispose()


async def text_pages(session: AsyncSession) -> Any:
    async for chunk in novelkit.iter_frames(
        session,
        "chapter_versions",
        columns=["id", "content"],
        content=True,
        chunksize=1000,
        progress=False,
    ):
        yield chunk


async def floor(session: AsyncSession) -> int:
    rows = 0
    async for chunk in text_pages(session):
        rows += len(chunk)
    return rows


def search(name: str) -> Work:
    async def work(session: AsyncSession) -> int:
        return len(await novelkit.search_text(session, name, versions="all", progress=False))

    return work


def mentions(names: list[str]) -> Work:
    async def work(session: AsyncSession) -> int:
        frame = await novelkit.mentions(session, names, versions="all", progress=False)
        return int(frame["count"].sum())

    return work


def pandas_count(names: list[str]) -> Work:
    """Every text in one Series, then ``str.count`` per name (plain counts, no overlaps)."""

    async def work(session: AsyncSession) -> int:
        texts = pd.concat([chunk["content"] async for chunk in text_pages(session)])
        return int(sum(texts.str.count(re.escape(name)).sum() for name in names))

    return work


async def pick_names(url: str) -> tuple[str, list[str]]:
    """The most common two-character character name, and the 20 most common names."""
    engine = novelkit.create_engine(url, fast=False)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.text(
                        "SELECT name, COUNT(*) AS n FROM blueprint_characters "
                        "GROUP BY name ORDER BY n DESC, name"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    names = [str(name) for name, _ in rows if str(name).strip()]
    two = next(name for name in names if len(name) == 2)
    return two, names[:20]


async def timed(url: str, work: Work) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    result = await whole_call(url, work)
    return time.perf_counter() - start, result


async def peak(url: str, work: Work) -> float:
    """Peak traced Python memory of one call, in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        await whole_call(url, work)
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return top / 1e6


async def bench_backend(label: str, url: str, repeat: int) -> dict[str, Any]:
    two, twenty = await pick_names(url)
    cases: dict[str, Work] = {
        "floor_iter_frames": floor,
        "search_text": search(two),
        "mentions": mentions(twenty),
        "pandas_str_count": pandas_count(twenty),
    }
    results: dict[str, dict[str, Any]] = {name: {"runs_s": []} for name in cases}
    for name, work in cases.items():
        results[name]["warmup_s"], results[name]["result"] = await timed(url, work)
    for _ in range(repeat):
        for name, work in cases.items():
            seconds, _ = await timed(url, work)
            results[name]["runs_s"].append(seconds)
    base = statistics.median(results["floor_iter_frames"]["runs_s"])
    for result in results.values():
        result["median_s"] = statistics.median(result["runs_s"])
        result["ratio_to_floor"] = result["median_s"] / base
    for name in ("floor_iter_frames", "search_text", "mentions", "pandas_str_count"):
        results[name]["peak_mb"] = await peak(url, cases[name])
    print(f"[{label}] search {two!r}, mentions of {len(twenty)} names", flush=True)
    for name, result in results.items():
        print(
            f"  {name:20s} median {result['median_s']:.2f}s  x{result['ratio_to_floor']:.2f} "
            f"of the floor  peak {result['peak_mb']:.0f} MB",
            flush=True,
        )
    return {"search_name": two, "mention_names": twenty, "methods": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", required=True, help="the large demo as a SQLite file")
    add_mysql_argument(parser)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", default=str(Path(__file__).with_name("results_text.json")), help="results file"
    )
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    results["sqlite"] = asyncio.run(bench_backend("sqlite", args.sqlite, args.repeat))
    if args.mysql:
        results["mysql"] = asyncio.run(bench_backend("mysql", args.mysql, args.repeat))
    document = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "pandas": pd.__version__,
        "repeat": args.repeat,
        "results": results,
    }
    Path(args.out).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
