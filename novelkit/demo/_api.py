"""Public entry points: :func:`build_demo`, its async twin, :func:`ensure_default_demo`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import URL

from ..db import default_demo_path, resolve_url
from ..errors import ConfigurationError
from ..schema.tables import Generation, check_generation
from ._build import DemoSummary, build_at, build_sqlite
from ._marker import marker_value, read_sqlite_state
from ._plan import get_scale

__all__ = ["build_demo", "build_demo_async", "ensure_default_demo", "resolve_and_prepare"]

T = TypeVar("T")


def _run(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion, in a private thread and loop if one is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="novelkit-demo") as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _check(generation: str, seed: int) -> None:
    check_generation(generation)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigurationError(f"seed must be a non-negative integer, not {seed!r}.")


async def build_demo_async(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    scale: str = "default",
    seed: int = 0,
    generation: Generation = "fusion",
    force: bool = False,
    progress: bool | None = None,
) -> DemoSummary:
    """Build a demo Arboris database; the async twin of :func:`build_demo`.

    See :func:`build_demo` for the parameters. Use this one inside a running
    event loop when you can ``await``.
    """
    _check(generation, seed)
    resolved = resolve_url(default_demo_path() if url is None else url)
    return await build_at(
        resolved,
        scale=get_scale(scale),
        seed=seed,
        generation=generation,
        force=force,
        progress=progress,
    )


def build_demo(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    scale: str = "default",
    seed: int = 0,
    generation: Generation = "fusion",
    force: bool = False,
    progress: bool | None = None,
) -> DemoSummary:
    """Build a deterministic demo Arboris database with realistic data and quirks.

    The tables are the app's own DDL (classic, plus the fusion tables for
    ``generation="fusion"``); the rows are written as the app writes them:
    users (an admin, an OAuth user without e-mail, bcrypt-shaped hashes, dummy
    API keys), projects in every status, blueprints, characters, relationships
    by name, Chinese outlines and chapters with 1–3 versions of 2,000–6,000
    characters, evaluations, conversations, usage counters, and for fusion a
    few foreshadowings, factions and memories.

    Quirks real databases have are present at every scale. On both backends:
    a project without a blueprint, chapters without a selected version, a
    chapter stuck in ``generating``, a selected chapter still
    ``waiting_for_confirm``, duplicate (project, chapter_number) rows in
    ``chapters`` and ``chapter_outlines``, NULL and empty outline summaries,
    emoji and mixed-language titles, a chapter of about 20,000 characters, the
    JSON text ``null`` where SQL NULL might be expected (conversation metadata,
    an empty blueprint's ``world_setting``), and orphans: an outline and a
    chapter (with a version) of a project that does not exist, and an
    evaluation naming a deleted version. SQLite only: ``\\uXXXX``-escaped JSON
    text and timestamps with and without microseconds in one column
    (``novel_projects.updated_at``). On MySQL, InnoDB enforces foreign keys, so
    the orphan rows are inserted with ``SET FOREIGN_KEY_CHECKS=0`` for that
    session (and checks turned back on after); the memory-layer tables get a
    few rows there, while on SQLite they stay empty, as the app cannot write
    them (bare BIGINT keys).

    Parameters
    ----------
    url
        A SQLite file path or URL, or a MySQL URL of an existing database.
        None: the embedded default location (:func:`novelkit.config.default_demo_path`).
    scale
        ``"tiny"`` (9 projects, about a second), ``"default"`` (40 projects,
        about 2,000 outlines and 800 chapters) or ``"large"`` (2,000 projects,
        over 200,000 outlines and chapters; minutes, for benchmarks).
    seed
        The same seed always gives the same data.
    generation
        ``"fusion"`` (36 tables) or ``"classic"`` (17 tables).
    force
        Overwrite a database that is not a novelkit demo. An existing demo is
        always rebuilt.
    progress
        Show a tqdm progress bar; None shows one on a terminal or in Jupyter.

    Returns
    -------
    DemoSummary
        The masked URL, the parameters, row counts per table and the build time.

    Raises
    ------
    ConfigurationError
        Unknown scale or generation, or the target holds a database that is
        not a novelkit demo and ``force`` is False.

    Notes
    -----
    SQLite: built in a temporary file in the same folder, marked with
    ``PRAGMA application_id = 0x4E4B4954`` ("NKIT"), switched to WAL, then
    moved into place with ``os.replace`` under an ``fcntl`` lock on
    ``<path>.lock``. Both backends get a ``system_configs`` row
    ``novelkit.demo`` with the generator version, scale, seed and generation.
    Called inside a running event loop (a Jupyter cell), the build runs in a
    private thread with its own loop.

    Examples
    --------
    >>> summary = build_demo("demo.db", scale="tiny")  # doctest: +SKIP
    >>> summary.counts["novel_projects"]               # doctest: +SKIP
    9
    """
    return _run(
        lambda: build_demo_async(
            url, scale=scale, seed=seed, generation=generation, force=force, progress=progress
        )
    )


def ensure_default_demo() -> Path:
    """The embedded default demo database, built first if needed.

    Builds the ``default`` scale, fusion, seed 0 at :func:`default_demo_path`
    when the file is missing, empty, unreadable or a demo from another
    generator version, scale or seed; otherwise returns at once without
    touching the file. The build is atomic and locked (see :func:`build_demo`),
    prints nothing and works inside a running event loop.

    Returns
    -------
    Path
        The database file.

    Raises
    ------
    ConfigurationError
        A SQLite database that is not a novelkit demo sits at the default
        location (novelkit will not overwrite it; move it away).
    """
    path = default_demo_path().expanduser().resolve()
    wanted = marker_value(scale="default", seed=0, generation="fusion")
    state = read_sqlite_state(path)
    if state.kind == "demo" and state.marker == wanted:
        return path
    if state.kind == "foreign":
        raise ConfigurationError(
            f"{path} (novelkit's default demo location) holds a database that is not a "
            f"novelkit demo ({state.detail}). Move it away, or set NOVELKIT_HOME elsewhere."
        )

    async def build() -> None:
        await build_sqlite(
            path,
            scale=get_scale("default"),
            seed=0,
            generation="fusion",
            force=False,
            progress=False,
            replace_corrupt=True,
            skip_if=lambda current: current.kind == "demo" and current.marker == wanted,
        )

    _run(build)
    return path


def resolve_and_prepare(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
) -> URL:
    """:func:`~novelkit.resolve_url`, building the embedded demo first when it is the one used.

    Only a call without ``url`` can land on the embedded default; an explicit path
    to that same file is opened as it is.
    """
    resolved = resolve_url(url, env_file=env_file)
    database = resolved.database if resolved.get_backend_name() == "sqlite" else None
    if url is None and database and Path(database).resolve() == default_demo_path().resolve():
        ensure_default_demo()
    return resolved
