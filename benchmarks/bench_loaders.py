"""Speed and memory of novelkit's loaders, side by side with the plain alternatives.

Each measurement is one whole call: engine (or driver connection) creation,
session, load, dispose/close. Medians over several repetitions, reported as
ratios to the raw async driver, written to ``benchmarks/results.json``.

Every loader is also measured *kept*: novelkit through one engine kept across
calls (what ``db = novelkit.connect(...)`` does: its schema is read once), against
the raw driver through one connection kept across calls. On a small table, a new
engine's first connection and schema reading cost more than the read itself; the
kept pair compares what a notebook repeats.

    python benchmarks/bench_loaders.py --sqlite benchmarks/data/large.db \
        [--mysql mysql://user:pw@127.0.0.1:3306/nkbench_large] [--repeat 5]

``make bench`` builds the large demo databases first (see the Makefile).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

# Run as a script, so its own folder is on sys.path.
from fork_shape import OUTLINE_COLUMNS, make_fork
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import registry

import novelkit
from novelkit import loaders
from novelkit.schema.tables import build_metadata

OUTLINES_SQL = (
    "SELECT id, project_id, chapter_number, title, summary, metadata "
    "FROM chapter_outlines ORDER BY id"
)
NOVELS_SQL = """
SELECT p.id, p.title, u.username, p.status, b.genre, b.style, b.tone, b.target_audience,
       b.one_sentence_summary, p.created_at, p.updated_at, o.n, c.n, c.done, c.last, s.chars, v.last
FROM novel_projects p
LEFT JOIN users u ON u.id = p.user_id
LEFT JOIN novel_blueprints b ON b.project_id = p.id
LEFT JOIN (SELECT project_id, COUNT(*) n FROM chapter_outlines GROUP BY project_id) o
       ON o.project_id = p.id
LEFT JOIN (SELECT project_id, COUNT(*) n, COUNT(selected_version_id) done, MAX(updated_at) last
           FROM chapters GROUP BY project_id) c ON c.project_id = p.id
LEFT JOIN (SELECT ch.project_id, SUM({length}(v.content)) chars FROM chapters ch
           JOIN chapter_versions v ON v.id = ch.selected_version_id GROUP BY ch.project_id) s
       ON s.project_id = p.id
LEFT JOIN (SELECT ch.project_id, MAX(v.created_at) last FROM chapter_versions v
           JOIN chapters ch ON ch.id = v.chapter_id GROUP BY ch.project_id) v
       ON v.project_id = p.id
ORDER BY p.id
"""

#: Every other loader: its call, and the statements the raw driver runs to fetch the
#: same columns (each into a DataFrame). ``{length}`` is SQLite's length or MySQL's
#: char_length, ``{key}`` the quoted column name ``key``.
_LINKS = "SELECT id, project_id, chapter_number, selected_version_id FROM chapters"
_PROJECT_IDS = "SELECT id FROM novel_projects"
LOADER_CASES: dict[str, tuple[Callable[..., Awaitable[pd.DataFrame]], tuple[str, ...]]] = {
    "chapters": (
        loaders.load_chapters,
        (
            "SELECT * FROM chapters ORDER BY id",
            _PROJECT_IDS,
            # Every outline's title (novelkit keeps the lowest id's per chapter).
            "SELECT id, project_id, chapter_number, title FROM chapter_outlines ORDER BY id",
            "SELECT c.id, v.content, vc.n FROM chapters c "
            "LEFT JOIN chapter_versions v ON v.id = c.selected_version_id "
            "LEFT JOIN (SELECT chapter_id, COUNT(*) n FROM chapter_versions GROUP BY chapter_id)"
            " vc ON vc.chapter_id = c.id ORDER BY c.id",
        ),
    ),
    "versions": (
        loaders.load_versions,
        (
            "SELECT id, chapter_id, version_label, provider, created_at "
            "FROM chapter_versions ORDER BY id",
            _LINKS,
        ),
    ),
    "versions_content": (
        functools.partial(loaders.load_versions, content=True),
        (
            "SELECT id, chapter_id, content, version_label, provider, created_at "
            "FROM chapter_versions ORDER BY id",
            _LINKS,
        ),
    ),
    "evaluations": (
        loaders.load_evaluations,
        ("SELECT * FROM chapter_evaluations ORDER BY id", _LINKS),
    ),
    "characters": (
        loaders.load_characters,
        ("SELECT * FROM blueprint_characters ORDER BY id", _PROJECT_IDS),
    ),
    "relationships": (
        loaders.load_relationships,
        ("SELECT * FROM blueprint_relationships ORDER BY id", _PROJECT_IDS),
    ),
    "conversations": (
        loaders.load_conversations,
        ("SELECT * FROM novel_conversations ORDER BY id", _PROJECT_IDS),
    ),
    "foreshadowings": (
        loaders.load_foreshadowings,
        ("SELECT * FROM foreshadowings ORDER BY id", _PROJECT_IDS),
    ),
    "users": (
        loaders.load_users,
        (
            "SELECT id, username, email, external_id, is_admin, is_active, created_at, "
            "updated_at FROM users ORDER BY id",
            "SELECT user_id FROM llm_configs WHERE llm_provider_api_key IS NOT NULL "
            "AND llm_provider_api_key != ''",
        ),
    ),
    "usage": (
        loaders.load_usage,
        (
            "SELECT value FROM usage_metrics WHERE {key} = 'api_request_count'",
            "SELECT d.user_id, d.request_date, d.request_count, u.username "
            "FROM user_daily_requests d LEFT JOIN users u ON u.id = d.user_id "
            "ORDER BY d.request_date, d.user_id",
        ),
    ),
    "admin_stats": (
        loaders.load_admin_stats,
        (
            "SELECT (SELECT COUNT(*) FROM novel_projects), (SELECT COUNT(*) FROM users)",
            "SELECT value FROM usage_metrics WHERE {key} = 'api_request_count'",
        ),
    ),
    "activity": (
        loaders.load_activity,
        (
            "SELECT id, project_id, chapter_number, status, word_count, created_at, updated_at "
            "FROM chapters",
            "SELECT v.id, c.project_id, c.chapter_number, v.version_label, {length}(v.content), "
            "v.created_at FROM chapter_versions v JOIN chapters c ON c.id = v.chapter_id",
            "SELECT id, project_id, role, {length}(content), created_at FROM novel_conversations",
        ),
    ),
    "table": (
        functools.partial(loaders.load_table, name="chapter_outlines"),
        ("SELECT * FROM chapter_outlines ORDER BY id",),
    ),
}

Measure = Callable[[], Awaitable[pd.DataFrame]]


# -- the alternatives -----------------------------------------------------------------


def novelkit_call(
    url: str, loader: Callable[..., Awaitable[pd.DataFrame]], *, fast: bool | None = False
) -> Measure:
    """The loader on the async driver (``fast=False``), or on the path novelkit takes
    by default (``fast=None``: the Arrow path where it applies, when installed)."""

    async def run() -> pd.DataFrame:
        engine = novelkit.create_engine(url, fast=fast)
        try:
            async with novelkit.open_session(engine) as session:
                return await loader(session)
        finally:
            await engine.dispose()

    return run


class KeptEngine:
    """The loader through one engine kept across calls (as ``db`` keeps one): a new
    session per call, the engine's schema cache warm after the first."""

    def __init__(self, url: str, loader: Callable[..., Awaitable[pd.DataFrame]]) -> None:
        self.url, self.loader = url, loader
        self.engine: Any = None

    async def __call__(self) -> pd.DataFrame:
        if self.engine is None:
            self.engine = novelkit.create_engine(self.url, fast=False)
        async with novelkit.open_session(self.engine) as session:
            return await self.loader(session)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None


class KeptConnection:
    """The raw driver's statements through one connection: opened on the first call, kept
    until :meth:`close` (a whole call each, when made and closed around one call)."""

    def __init__(self, url: str, sql: tuple[str, ...]) -> None:
        self.parsed = sa.engine.make_url(url)
        self.statements = sql
        self.conn: Any = None

    async def _connect(self) -> Any:
        if self.parsed.get_backend_name() == "sqlite":
            import aiosqlite

            return await aiosqlite.connect(self.parsed.database)
        import asyncmy

        return await asyncmy.connect(**_mysql_arguments(self.parsed))

    async def __call__(self) -> pd.DataFrame:
        if self.conn is None:
            self.conn = await self._connect()
        frames = []
        for statement in self.statements:
            cursor = self.conn.cursor()
            if self.parsed.get_backend_name() == "sqlite":
                cursor = await cursor
            await cursor.execute(statement)
            rows = await cursor.fetchall()
            columns = [d[0] for d in cursor.description]
            await cursor.close()
            frames.append(pd.DataFrame(rows, columns=columns))
        return frames[0]

    async def close(self) -> None:
        if self.conn is None:
            return
        if self.parsed.get_backend_name() == "sqlite":
            await self.conn.close()
        else:
            self.conn.close()
            await self.conn.ensure_closed()
        self.conn = None


def _mysql_arguments(parsed: sa.engine.URL) -> dict[str, Any]:
    return {
        "host": parsed.host,
        "port": parsed.port or 3306,
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
        "charset": "utf8mb4",
    }


def raw_driver(url: str, sql: str | tuple[str, ...]) -> Measure:
    """The statements run with the bare async driver, each fetched into a DataFrame.

    Returns the first statement's frame (the others are what a loader joins in).
    """
    statements = (sql,) if isinstance(sql, str) else sql

    async def run() -> pd.DataFrame:
        # A connection of its own for this one call: opened, used, closed.
        connection = KeptConnection(url, statements)
        try:
            return await connection()
        finally:
            await connection.close()

    return run


def pandas_read_sql(url: str, sql: str) -> Measure:
    parsed = sa.engine.make_url(url)
    sync_url = parsed.set(
        drivername="sqlite" if parsed.get_backend_name() == "sqlite" else "mysql+pymysql"
    )

    async def run() -> pd.DataFrame:
        engine = sa.create_engine(sync_url)
        try:
            return pd.read_sql(sa.text(sql), engine)
        finally:
            engine.dispose()

    return run


class Outline:
    pass


class Project:
    pass


class Chapter:
    pass


class Version:
    pass


_mapped = False


def _map_models() -> None:
    global _mapped
    if _mapped:
        return
    metadata = build_metadata("fusion")
    mapper = registry()
    mapper.map_imperatively(Outline, metadata.tables["chapter_outlines"])
    mapper.map_imperatively(Project, metadata.tables["novel_projects"])
    mapper.map_imperatively(Chapter, metadata.tables["chapters"])
    mapper.map_imperatively(Version, metadata.tables["chapter_versions"])
    _mapped = True


def naive_orm_outlines(url: str) -> Measure:
    _map_models()
    columns = ["id", "project_id", "chapter_number", "title", "summary", "metadata"]

    async def run() -> pd.DataFrame:
        engine = novelkit.create_engine(url)
        try:
            async with AsyncSession(engine) as session:
                objects = (await session.scalars(sa.select(Outline))).all()
                return pd.DataFrame(
                    [[getattr(o, c) for c in columns] for o in objects], columns=columns
                )
        finally:
            await engine.dispose()

    return run


def naive_orm_novels(url: str) -> Measure:
    """Load the four tables as objects and count in pandas: what a first attempt does."""
    _map_models()

    async def run() -> pd.DataFrame:
        engine = novelkit.create_engine(url)
        try:
            async with AsyncSession(engine) as session:
                projects = (await session.scalars(sa.select(Project))).all()
                outlines = (await session.scalars(sa.select(Outline))).all()
                chapters = (await session.scalars(sa.select(Chapter))).all()
                versions = (await session.scalars(sa.select(Version))).all()
        finally:
            await engine.dispose()
        length = {v.id: len(v.content) for v in versions}
        per_outline = pd.Series([o.project_id for o in outlines]).value_counts()
        frame = pd.DataFrame(
            {"project_id": [p.id for p in projects], "title": [p.title for p in projects]}
        )
        chapter_frame = pd.DataFrame(
            {
                "project_id": [c.project_id for c in chapters],
                "done": [c.selected_version_id is not None for c in chapters],
                "chars": [length.get(c.selected_version_id, 0) for c in chapters],
            }
        )
        grouped = chapter_frame.groupby("project_id").agg(
            chapters=("done", "size"), completed=("done", "sum"), chars=("chars", "sum")
        )
        frame = frame.join(grouped, on="project_id")
        frame["outlines"] = frame["project_id"].map(per_outline).fillna(0)
        return frame

    return run


def rollback_copy(path: str) -> str:
    """A copy of the demo in rollback-journal mode (the Arboris app's default).

    novelkit's demos are in WAL mode, where the Arrow path is not taken (README);
    the app's own databases are not. Made once beside the demo, with SQLite's
    backup API, and reused while it is newer than the demo.
    """
    source = Path(path).resolve()
    target = source.with_name(f"{source.stem}-rollback.db")
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return str(target)
    import sqlite3

    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    partial.replace(target)
    return str(target)


# -- measuring -------------------------------------------------------------------------


async def timed(measure: Measure, repeat: int) -> dict[str, Any]:
    seconds = []
    rows = columns = 0
    path = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        frame = await measure()
        seconds.append(time.perf_counter() - start)
        rows, columns = frame.shape
        path = frame.attrs.get("novelkit_path")
        del frame
    return {
        "median_s": statistics.median(seconds),
        "runs_s": seconds,
        "rows": rows,
        "columns": columns,
        # Which path novelkit's call took (the raw references have none).
        "path": path,
    }


async def iter_frames_peak(url: str, chunksize: int) -> dict[str, Any]:
    """Peak traced memory while streaming every version text, vs one chunk's size."""
    engine = novelkit.create_engine(url, fast=False)
    try:
        async with novelkit.open_session(engine) as session:
            gc.collect()
            tracemalloc.start()
            largest_chunk = 0
            rows = 0
            async for chunk in loaders.iter_frames(
                session, "chapter_versions", content=True, chunksize=chunksize, progress=False
            ):
                rows += len(chunk)
                largest_chunk = max(largest_chunk, int(chunk.memory_usage(deep=True).sum()))
                del chunk
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await engine.dispose()
    return {
        "rows": rows,
        "chunksize": chunksize,
        "peak_bytes": peak,
        "largest_chunk_bytes": largest_chunk,
        "peak_over_chunk": peak / largest_chunk if largest_chunk else None,
    }


async def facade_overhead(url: str, repeat: int = 2000) -> dict[str, Any]:
    """Cost of a sync facade call over awaiting the same coroutine on the caller's loop."""

    async def noop() -> None:
        return None

    db = novelkit.connect(url, fast=False)
    try:
        start = time.perf_counter()
        for _ in range(repeat):
            await noop()
        direct = (time.perf_counter() - start) / repeat
        loop = asyncio.get_running_loop()

        def many() -> float:
            begin = time.perf_counter()
            for _ in range(repeat):
                db._run(noop())
            return (time.perf_counter() - begin) / repeat

        via_facade = await loop.run_in_executor(None, many)
    finally:
        db.close()

    # The floor any loop-in-a-thread design pays: one bare cross-thread round trip.
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()

    def bare() -> float:
        begin = time.perf_counter()
        for _ in range(repeat):
            asyncio.run_coroutine_threadsafe(noop(), other).result()
        return (time.perf_counter() - begin) / repeat

    try:
        round_trip = await loop.run_in_executor(None, bare)
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join()
        other.close()
    return {
        "direct_us": direct * 1e6,
        "facade_us": via_facade * 1e6,
        "overhead_us": (via_facade - direct) * 1e6,
        "bare_threadsafe_round_trip_us": round_trip * 1e6,
    }


#: The kept pair's names in results.json (see the module's docstring).
KEPT = "novelkit_engine_kept"
#: The loader as installed: ``fast`` left to novelkit (on SQLite, a rollback-journal
#: copy of the demo, the app's default mode, where the Arrow path applies).
DEFAULT_PATH = "novelkit_default_path"
RAW_KEPT = "raw_driver_connection_kept"


def _filled(statements: tuple[str, ...], length: str, key: str) -> tuple[str, ...]:
    return tuple(sql.format(length=length, key=key) for sql in statements)


def speed_cases(
    url: str, outline_sql: str, *, every_loader: bool = True, default_url: str | None = None
) -> dict[str, dict[str, Measure]]:
    """Every method for the two main calls, and novelkit against the raw driver for the rest.

    ``default_url``: also measure each loader on the path novelkit takes by default,
    on that database (the same rows as ``url``'s).
    """
    backend = sa.engine.make_url(url).get_backend_name()
    length = "length" if backend == "sqlite" else "char_length"
    key = '"key"' if backend == "sqlite" else "`key`"
    novels_sql = NOVELS_SQL.format(length=length)
    others = {
        case: {
            "novelkit": novelkit_call(url, loader),
            "raw_driver": raw_driver(url, _filled(statements, length, key)),
            KEPT: KeptEngine(url, loader),
            RAW_KEPT: KeptConnection(url, _filled(statements, length, key)),
        }
        for case, (loader, statements) in LOADER_CASES.items()
    }
    main = {
        "outlines": {
            "novelkit": novelkit_call(url, loaders.load_outlines),
            KEPT: KeptEngine(url, loaders.load_outlines),
            RAW_KEPT: KeptConnection(url, (outline_sql,)),
            # The same without parsing the JSON column: what the parse costs.
            "novelkit_parse_json_off": novelkit_call(
                url, functools.partial(loaders.load_outlines, parse_json=False)
            ),
            "raw_driver": raw_driver(url, outline_sql),
            "pandas_read_sql": pandas_read_sql(url, outline_sql),
            "naive_orm": naive_orm_outlines(url),
        },
        "novels": {
            "novelkit": novelkit_call(url, loaders.load_novels),
            KEPT: KeptEngine(url, loaders.load_novels),
            RAW_KEPT: KeptConnection(url, (novels_sql,)),
            "raw_driver": raw_driver(url, novels_sql),
            "pandas_read_sql": pandas_read_sql(url, novels_sql),
            "naive_orm": naive_orm_novels(url),
        },
    }
    cases = main | (others if every_loader else {})
    if default_url is not None:
        calls = {"outlines": loaders.load_outlines, "novels": loaders.load_novels}
        for case, methods in cases.items():
            loader = calls.get(case) or LOADER_CASES[case][0]
            methods[DEFAULT_PATH] = novelkit_call(default_url, loader, fast=None)
    return cases


async def bench_speed(
    label: str, cases: dict[str, dict[str, Measure]], repeat: int
) -> dict[str, Any]:
    """Medians and ratios to the raw driver, the methods interleaved run by run."""
    out: dict[str, Any] = {}
    for case, methods in cases.items():
        # One untimed call per method first: imports, the dialect's first connect and
        # the process's first large allocations are not what a repeated load costs.
        results: dict[str, dict[str, Any]] = {name: {"runs_s": []} for name in methods}
        for name, measure in methods.items():
            results[name]["warmup_s"] = (await timed(measure, 1))["runs_s"][0]
        # Interleave the methods so that machine noise hits them alike.
        for _ in range(repeat):
            for name, measure in methods.items():
                one = await timed(measure, 1)
                results[name]["runs_s"] += one["runs_s"]
                results[name]["rows"] = one["rows"]
                results[name]["columns"] = one["columns"]
                results[name]["path"] = one["path"]
        for result in results.values():
            result["median_s"] = statistics.median(result["runs_s"])
        base = results["raw_driver"]["median_s"]
        for result in results.values():
            result["ratio_to_raw_driver"] = result["median_s"] / base
        if KEPT in results:
            kept = results[KEPT]
            kept["ratio_to_raw_driver_kept"] = kept["median_s"] / results[RAW_KEPT]["median_s"]
        for measure in methods.values():
            if isinstance(measure, KeptEngine | KeptConnection):
                await measure.close()
        out[case] = results
        print(f"[{label}] {case}", flush=True)
        for name, result in results.items():
            print(
                f"  {name:28s} median {result['median_s']:.4f}s  "
                f"x{result['ratio_to_raw_driver']:.2f} of raw driver  "
                f"({result['rows']} rows, {result['columns']} columns)",
                flush=True,
            )
        if KEPT in results:
            print(f"  kept pair: x{results[KEPT]['ratio_to_raw_driver_kept']:.2f}", flush=True)
    return out


def fork_location(url: str) -> str:
    """Where the fork-shaped copy of the demo at ``url`` lives: beside it."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        return str(path.with_name(f"{path.stem}-fork{path.suffix}"))
    return parsed.set(database=f"{parsed.database}_fork").render_as_string(hide_password=False)


async def bench_backend(url: str, repeat: int, *, fork: bool = True) -> dict[str, Any]:
    backend = sa.engine.make_url(url).get_backend_name()
    default_url = url
    if backend == "sqlite":
        # novelkit's demos are in WAL mode, where the Arrow path is not taken; the
        # app's own databases are in rollback-journal mode.
        path = sa.engine.make_url(url).database or ""
        default_url = f"sqlite+aiosqlite:///{Path(rollback_copy(path)).resolve()}"
    cases = speed_cases(url, OUTLINES_SQL, default_url=default_url)
    out = await bench_speed(backend, cases, repeat)
    if fork:
        target = fork_location(url)
        # A copy with 6 of the 36 tables, extra columns and a table of its own.
        if make_fork(url, target):
            print(f"[{backend}] made the fork-shaped copy", flush=True)
        fork_url = novelkit.resolve_url(target).render_as_string(hide_password=False)
        fork_sql = f"SELECT {', '.join(OUTLINE_COLUMNS)} FROM chapter_outlines ORDER BY id"
        # The fork keeps 6 tables: the two main calls, as the fork measures them.
        fork_cases = speed_cases(fork_url, fork_sql, every_loader=False)
        out["fork"] = await bench_speed(f"{backend} fork", fork_cases, repeat)
    out["iter_frames_memory"] = await iter_frames_peak(url, chunksize=1000)
    print(f"[{backend}] iter_frames memory: {out['iter_frames_memory']}", flush=True)
    if backend == "sqlite":
        # The same stream over a table 14x smaller: the peak must not follow the size.
        with tempfile.TemporaryDirectory() as folder:
            small = Path(folder) / "default.db"
            await novelkit.build_demo_async(small, scale="default", progress=False)
            out["iter_frames_memory_small_table"] = await iter_frames_peak(
                str(small), chunksize=1000
            )
        print(f"[{backend}] same, default demo: {out['iter_frames_memory_small_table']}")
    out["facade_overhead"] = await facade_overhead(url)
    print(f"[{backend}] facade overhead: {out['facade_overhead']}", flush=True)
    return out


#: Where the benchmarks read the MariaDB/MySQL URL from when ``--mysql`` is not given:
#: ``make bench`` sets it, so that the password stays out of the process list.
MYSQL_URL_VARIABLE = "NOVELKIT_BENCH_MYSQL_URL"


def add_mysql_argument(parser: argparse.ArgumentParser) -> None:
    """The benchmarks' ``--mysql`` option, defaulting to :data:`MYSQL_URL_VARIABLE`."""
    parser.add_argument(
        "--mysql",
        default=os.environ.get(MYSQL_URL_VARIABLE),
        help=f"URL of a large demo MariaDB/MySQL database (default: ${MYSQL_URL_VARIABLE}; "
        "a URL given here shows its password in the process list)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", help="path of a large demo SQLite database")
    add_mysql_argument(parser)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per method")
    parser.add_argument(
        "--no-fork", action="store_true", help="skip the fork-shaped copy of each database"
    )
    parser.add_argument(
        "--out", default=str(Path(__file__).with_name("results.json")), help="results file"
    )
    args = parser.parse_args(argv)
    if not args.sqlite and not args.mysql:
        parser.error("give --sqlite and/or --mysql")
    report: dict[str, Any] = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "processor": platform.machine(),
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
            report["results"][backend] = asyncio.run(
                bench_backend(url, args.repeat, fork=not args.no_fork)
            )
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
