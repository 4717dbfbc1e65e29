"""Sessions as the Arboris app makes them, and the echo toggles of an engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ._engine import EchoLevel, check_echo

__all__ = ["echo", "get_session", "open_session", "session_factory", "set_echo"]


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """An ``async_sessionmaker`` bound to ``engine`` with ``expire_on_commit=False``."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def open_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """An ``AsyncSession`` on ``engine``, closed when the block ends.

    Examples
    --------
    >>> async with open_session(engine) as session:  # doctest: +SKIP
    ...     frame = await novelkit.load_outlines(session)
    """
    async with session_factory(engine)() as session:
        yield session


async def get_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """The app's ``get_session()`` shape: an async generator yielding one session.

    For FastAPI, close over the engine: ``Depends(lambda: get_session(engine))``.
    """
    async with session_factory(engine)() as session:
        yield session


def set_echo(engine: AsyncEngine, level: EchoLevel) -> None:
    """Turn SQL logging of ``engine`` on (``True``), to rows (``"debug"``) or off.

    SQLAlchemy reads the level when a connection is checked out: a session that
    is already inside a transaction keeps logging at its old level until it
    commits, rolls back or closes; new sessions follow the new level.
    """
    check_echo(level)
    engine.sync_engine.echo = level


@contextmanager
def echo(engine: AsyncEngine, level: EchoLevel = True) -> Iterator[None]:
    """Log ``engine``'s SQL inside the block, then restore the previous level.

    Examples
    --------
    >>> with echo(engine):                     # doctest: +SKIP
    ...     await novelkit.load_novels(session)
    """
    previous = engine.sync_engine.echo
    set_echo(engine, level)
    try:
        yield
    finally:
        engine.sync_engine.echo = previous
