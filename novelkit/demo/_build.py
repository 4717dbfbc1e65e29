"""Building a demo database on SQLite (atomically, under a file lock) or MySQL.

SQLite: the database is built in a temporary file in the target's folder,
marked (``PRAGMA application_id``), switched to WAL, and moved into place with
``os.replace`` while ``<path>.lock`` is held (``fcntl.flock``), so notebook
kernels building at the same time do not race and readers never see a
half-built file. MySQL: the database must exist; the known Arboris tables are
dropped (with ``FOREIGN_KEY_CHECKS=0`` for that session) and created again, while
the connection holds a server-side named lock (``GET_LOCK``) on the database, so
two builds into one database take turns instead of interleaving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from .._progress import progress_bar
from .._redact import mask_url
from ..db import create_engine, is_sqlite, sqlite_path
from ..errors import ConfigurationError, LockTimeoutError, NovelkitError
from ..schema.tables import CLASSIC_TABLES, FUSION_TABLES, Generation, build_metadata
from ._fusion import add_fusion_rows
from ._marker import APPLICATION_ID, DEMO_MARKER_KEY, FileState, read_demo_marker, read_sqlite_state
from ._plan import Scale, plan_projects
from ._project import Ids
from ._rows import ProjectBuilder
from ._system import orphan_rows, system_rows, usage_rows
from ._write import RowWriter

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl
    fcntl = None  # type: ignore[assignment]

__all__ = ["DemoSummary", "build_mysql", "build_sqlite", "file_lock"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`novelkit.build_demo` wrote.

    Attributes
    ----------
    url
        The database, password masked.
    scale, seed, generation
        The build's parameters.
    counts
        Rows per table (every table of the generation, empty ones included).
    seconds
        Wall time of the build.
    """

    url: str
    scale: str
    seed: int
    generation: Generation
    counts: dict[str, int] = field(repr=False)
    seconds: float

    @property
    def total_rows(self) -> int:
        """Rows in all tables."""
        return sum(self.counts.values())

    def __repr__(self) -> str:
        main = ", ".join(
            f"{name}={self.counts.get(name, 0):,}"
            for name in ("novel_projects", "chapter_outlines", "chapters", "chapter_versions")
        )
        return (
            f"<DemoSummary {self.generation} scale={self.scale!r} seed={self.seed}: "
            f"{len(self.counts)} tables, {self.total_rows:,} rows ({main}) "
            f"in {self.seconds:.1f} s at {self.url}>"
        )


async def _populate(
    conn: AsyncConnection,
    *,
    scale: Scale,
    seed: int,
    generation: Generation,
    sqlite: bool,
    progress: bool | None,
) -> dict[str, int]:
    metadata = build_metadata(generation)
    writer = RowWriter(conn, metadata, sqlite=sqlite, commit_batches=not sqlite)
    ids = Ids()
    await writer.add(system_rows(scale, seed, generation))
    specs = plan_projects(scale, seed)
    bar = progress_bar(
        progress,
        in_notebook=True,
        total=len(specs),
        desc=f"novelkit demo ({scale.name})",
        unit="project",
    )
    evaluated_chapter = 1
    try:
        for spec in specs:
            builder = ProjectBuilder(spec, seed=seed, scale=scale, generation=generation, ids=ids)
            rows = builder.build()
            every = scale.foreshadowing_every
            extras = spec.showcase in ("saga", "flagship") or (
                spec.showcase is None and every and spec.index % every == 0
            )
            if generation == "fusion" and extras:
                add_fusion_rows(builder, memory_layer=not sqlite and spec.showcase == "saga")
            if spec.showcase == "flagship":
                evaluated_chapter = builder.chapter_ids[1]
            await writer.add(rows)
            bar.update(1)
        await writer.flush()
    finally:
        bar.close()
    # Regeneration deleted two versions: a gap in the ids, and an evaluation naming one.
    dangling = ids.take("chapter_versions")
    ids.take("chapter_versions")
    orphans = orphan_rows(
        ids,
        seed,
        evaluated_chapter=evaluated_chapter,
        dangling_version=dangling,
        outline_metadata=generation == "fusion",
    )
    if not sqlite:
        # InnoDB enforces foreign keys: orphans exist only if written with checks off.
        await conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
    await writer.add(orphans)
    await writer.flush()
    if not sqlite:
        await conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1")
    await writer.add(usage_rows(writer.counts))
    await writer.flush()
    await conn.commit()
    return writer.counts


@contextlib.asynccontextmanager
async def file_lock(path: Path) -> AsyncIterator[None]:
    """Hold an exclusive ``fcntl.flock`` on ``<path>.lock`` (waiting in a thread)."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _refusal(target: str, detail: str) -> ConfigurationError:
    return ConfigurationError(
        f"{target} is not a novelkit demo database ({detail}); build_demo will not overwrite "
        "it. Choose another path or database, or pass force=True (--force) to replace it."
    )


def _finish_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


async def build_sqlite(
    path: Path,
    *,
    scale: Scale,
    seed: int,
    generation: Generation,
    force: bool,
    progress: bool | None,
    skip_if: Callable[[FileState], bool] | None = None,
    replace_corrupt: bool = False,
) -> dict[str, int] | None:
    """Build into a temporary file next to ``path`` and move it into place, under the lock.

    For :func:`ensure_default_demo`: when ``skip_if`` accepts what is at ``path``
    once the lock is held (another kernel built it meanwhile), nothing is built
    and None is returned; ``replace_corrupt`` overwrites an unreadable file.
    """
    path = path.expanduser().resolve()

    def refuse_unless_allowed(state: FileState) -> None:
        allowed = force or (replace_corrupt and state.kind == "corrupt")
        if state.kind in ("foreign", "corrupt") and not allowed:
            raise _refusal(str(path), state.detail or state.kind)

    # A database that is not a demo is refused before the lock file is made: the app's
    # own folder keeps no <path>.lock from a build that never ran. Under the lock the
    # file is read again, as another build may have replaced it meanwhile.
    if path.exists():
        refuse_unless_allowed(await asyncio.to_thread(read_sqlite_state, path))
    path.parent.mkdir(parents=True, exist_ok=True)
    async with file_lock(path):
        state = await asyncio.to_thread(read_sqlite_state, path)
        if skip_if is not None and skip_if(state):
            return None
        refuse_unless_allowed(state)
        # Not mkstemp: sqlite creates the file, so it gets the usual (umask) permissions.
        temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.building")
        try:
            engine = create_engine(
                URL.create("sqlite+aiosqlite", database=str(temp)), read_only=False, create=True
            )
            try:
                async with engine.connect() as conn:
                    await conn.exec_driver_sql("PRAGMA journal_mode = MEMORY")
                    await conn.exec_driver_sql("PRAGMA synchronous = OFF")
                    metadata = build_metadata(generation)
                    await conn.run_sync(metadata.create_all)
                    counts = await _populate(
                        conn,
                        scale=scale,
                        seed=seed,
                        generation=generation,
                        sqlite=True,
                        progress=progress,
                    )
            finally:
                await engine.dispose()
            await asyncio.to_thread(_finish_sqlite, temp)
            os.replace(temp, path)
        finally:
            _remove(temp)
    return counts


#: How long a MySQL build waits for another build into the same database (a large
#: build took about 4 minutes on the shared test machine).
MYSQL_BUILD_LOCK_SECONDS = 900


@contextlib.asynccontextmanager
async def _mysql_build_lock(conn: AsyncConnection, database: str) -> AsyncIterator[None]:
    """Hold the server's named lock for ``database`` on ``conn`` (session-wide)."""
    # Lock names are at most 64 characters; a shared prefix only serialises two builds.
    name = f"novelkit_demo.{database}"[:64]
    got = (
        await conn.exec_driver_sql("SELECT GET_LOCK(%s, %s)", (name, MYSQL_BUILD_LOCK_SECONDS))
    ).scalar()
    if got is None:
        # NULL: the server failed to take it (out of memory, the wait was killed).
        raise LockTimeoutError(
            f"The MySQL server could not take the demo build lock for {database!r}. "
            "Build again; if it keeps failing, check the server's error log."
        )
    if got != 1:
        raise LockTimeoutError(
            f"Another novelkit demo build into the MySQL database {database!r} has been "
            f"running for more than {MYSQL_BUILD_LOCK_SECONDS} s. Wait for it to finish "
            "(or stop it), then build again."
        )
    yield
    # Only after success: after a failure the connection may be broken, and a release
    # attempted then would hide the original error. The lock belongs to the server
    # session either way, which ends when build_mysql disposes its engine.
    try:
        await conn.exec_driver_sql("SELECT RELEASE_LOCK(%s)", (name,))
    except (NovelkitError, DBAPIError) as exc:
        log.debug("demo build lock not released early (the dispose frees it): %s", exc)


async def build_mysql(
    url: URL, *, scale: Scale, seed: int, generation: Generation, force: bool, progress: bool | None
) -> dict[str, int]:
    """Drop the known Arboris tables of an existing database, create them and fill them."""
    engine = create_engine(url, read_only=False)
    try:
        async with (
            engine.connect() as conn,
            _mysql_build_lock(conn, url.database or ""),
        ):
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            marker = await read_demo_marker(conn) if "system_configs" in names else None
            await conn.commit()
            if names and marker is None and not force:
                raise _refusal(
                    f"The MySQL database {url.database!r}",
                    f"{len(names)} table{'' if len(names) == 1 else 's'} and no "
                    f"{DEMO_MARKER_KEY!r} row in system_configs",
                )
            known = [n for n in (*CLASSIC_TABLES, *FUSION_TABLES) if n in names]
            if known:
                await conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
                for name in known:
                    await conn.exec_driver_sql(f"DROP TABLE IF EXISTS `{name}`")
                await conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1")
            metadata = build_metadata(generation)
            await conn.run_sync(metadata.create_all)
            await conn.commit()
            return await _populate(
                conn, scale=scale, seed=seed, generation=generation, sqlite=False, progress=progress
            )
    finally:
        await engine.dispose()


async def build_at(
    url: URL, *, scale: Scale, seed: int, generation: Generation, force: bool, progress: bool | None
) -> DemoSummary:
    """Build at ``url`` (SQLite path or MySQL database) and summarise."""
    started = time.perf_counter()
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is None:
            raise ConfigurationError(
                "The demo database needs a file: give a path such as demo.db, not :memory:."
            )
        counts = (
            await build_sqlite(
                path, scale=scale, seed=seed, generation=generation, force=force, progress=progress
            )
            or {}
        )
    else:
        counts = await build_mysql(
            url, scale=scale, seed=seed, generation=generation, force=force, progress=progress
        )
    return DemoSummary(
        url=mask_url(url),
        scale=scale.name,
        seed=seed,
        generation=generation,
        counts=counts,
        seconds=round(time.perf_counter() - started, 3),
    )
