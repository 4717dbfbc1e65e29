"""What every reading command does around its work: find the database to open (building
the embedded demo first when it is the one in use) and run the work on an engine that
is disposed of afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from ..db import create_engine

__all__ = ["database_url", "run_on_engine"]


def database_url(url: str | None, env_file: Path | None) -> URL:
    """The URL to open; the embedded demo is built first when it is the one in use."""
    from ..demo import resolve_and_prepare

    return resolve_and_prepare(url, env_file=env_file)


async def run_on_engine(url: URL, work: Callable[[AsyncEngine], Awaitable[Any]]) -> Any:
    """``work`` on a fresh engine for ``url``, disposed of however the work ends."""
    engine = create_engine(url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()
