"""``novelkit.connect()``: opens a database for the sync facade (:class:`NovelDB`).

It resolves the URL as the app would, builds the demo on first use, takes the
snapshot copy when asked, and creates the engine and the runner the facade owns;
whatever fails on the way is cleaned up before the error goes on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from ..db import EchoLevel, create_engine, is_sqlite, snapshot_sqlite, sqlite_path
from ..db._facts import mark_snapshot
from ..demo import resolve_and_prepare
from ..errors import ConfigurationError
from ._noveldb import NovelDB
from ._runners import RunnerName, make_runner

__all__ = ["connect"]


def connect(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    read_only: bool = True,
    snapshot: bool = False,
    echo: EchoLevel = False,
    runner: RunnerName = "thread",
    statement_timeout: float | None = None,
    fast: bool | None = None,
    **engine_options: Any,
) -> NovelDB:
    """Open an Arboris database for plain (synchronous) notebook cells and scripts.

    Parameters
    ----------
    url, env_file
        As :func:`novelkit.resolve_url`; with neither (and no environment
        setting) the embedded demo database is used, built on first use.
    read_only
        Default True (see :func:`novelkit.create_engine`).
    snapshot
        SQLite: read from a consistent copy taken in one step with the backup
        API into a temporary file, removed on close.
    echo
        Log SQL (``True``) or SQL and rows (``"debug"``).
    runner
        ``"thread"`` (default): a private event loop in a daemon thread. Or
        ``"nest-asyncio"``: the caller's loop, patched re-entrant on first use.
    statement_timeout
        Seconds after which a statement is stopped with ``QueryTimeoutError``.
    fast
        The default of every call's ``fast=``: None (default) loads through the
        Arrow path (``pip install 'novelkit[fast]'``) wherever it gives the same
        frame, False never, True always (or a clear error).
    **engine_options
        Passed to :func:`novelkit.create_engine`.

    Examples
    --------
    >>> import novelkit
    >>> with novelkit.connect() as db:          # doctest: +SKIP
    ...     novels = db.novels()
    ...     outline = db.outlines(novel_id=novels.project_id[0])
    """
    resolved = resolve_and_prepare(url, env_file=env_file)
    if snapshot and not is_sqlite(resolved):
        raise ConfigurationError(
            "snapshot=True works only for SQLite files; on MySQL use a read-only account "
            "(or mysqldump) instead."
        )
    chosen = make_runner(runner)  # a bad runner name fails before any copy is made
    copy: Path | None = None
    try:
        if snapshot:
            path = sqlite_path(resolved)
            if path is None:
                raise ConfigurationError(
                    "snapshot=True needs a SQLite file, not an in-memory database."
                )
            copy = snapshot_sqlite(path)
            target: str | URL = str(copy)
        else:
            target = resolved
        if not chosen.uses_pool and not is_sqlite(resolved):
            engine_options.setdefault("poolclass", NullPool)
        if statement_timeout is not None:
            engine_options["statement_timeout"] = statement_timeout
        engine = create_engine(target, read_only=read_only, echo=echo, fast=fast, **engine_options)
        if copy is not None:
            mark_snapshot(engine)
    except BaseException:
        # Clean up, then let the error through unchanged.
        chosen.close()
        if copy is not None:
            copy.unlink(missing_ok=True)
        raise
    return NovelDB(engine, chosen, url=resolved, snapshot=copy)
