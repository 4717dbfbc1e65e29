"""Every error a user can get from novelkit is a NovelkitError (errors.py's contract).

A table of mistakes across the public API, each with the novelkit class it must
raise; where Python's own type is what a caller would catch, it stays a base
(ConfigurationError is a ValueError, WrongTypeError a TypeError,
UnknownObjectError a LookupError).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import novelkit
from novelkit import (
    ConfigurationError,
    DatabaseNotFoundError,
    NovelkitError,
    UnknownObjectError,
    create_engine,
    open_session,
)
from novelkit.db import snapshot_sqlite
from novelkit.errors import WrongTypeError


async def _with_session(path: Path, work: Callable[[Any], Any]) -> None:
    engine = create_engine(path)
    try:
        async with open_session(engine) as session:
            result = work(session)
            if hasattr(result, "__anext__"):
                async for _chunk in result:
                    pass
            else:
                await result
    finally:
        await engine.dispose()


SESSION_MISTAKES: list[tuple[str, Callable[[Any], Any], type[NovelkitError], type[Exception]]] = [
    (
        "chunksize 0",
        lambda s: novelkit.iter_frames(s, "chapters", chunksize=0),
        ConfigurationError,
        ValueError,
    ),
    (
        "chunksize text",
        lambda s: novelkit.iter_frames(s, "chapters", chunksize="10"),
        ConfigurationError,
        ValueError,
    ),
    (
        "unknown table",
        lambda s: novelkit.load_table(s, "no_such_table"),
        UnknownObjectError,
        LookupError,
    ),
    (
        "unknown column",
        lambda s: novelkit.load_table(s, "chapters", ["nope"]),
        UnknownObjectError,
        LookupError,
    ),
    (
        "empty columns",
        lambda s: novelkit.load_table(s, "chapters", []),
        ConfigurationError,
        ValueError,
    ),
    (
        "unknown novel",
        lambda s: novelkit.load_outlines(s, "no-such-novel"),
        UnknownObjectError,
        LookupError,
    ),
    (
        "bad time zone",
        lambda s: novelkit.load_chapters(s, server_timezone="Mars/Olympus"),
        ConfigurationError,
        ValueError,
    ),
    (
        "table not linked to novels",
        lambda s: novelkit.load_table(s, "users", novel_id=[]),
        UnknownObjectError,
        LookupError,
    ),
]


@pytest.mark.parametrize(
    ("work", "expected", "python_base"),
    [case[1:] for case in SESSION_MISTAKES],
    ids=[case[0] for case in SESSION_MISTAKES],
)
async def test_loader_mistakes(
    fixture_sqlite: Path,
    work: Callable[[Any], Any],
    expected: type[NovelkitError],
    python_base: type[Exception],
) -> None:
    with pytest.raises(expected) as info:
        await _with_session(fixture_sqlite, work)
    assert isinstance(info.value, python_base)


async def test_a_loader_given_an_engine(fixture_sqlite: Path) -> None:
    engine = create_engine(fixture_sqlite)
    try:
        with pytest.raises(WrongTypeError, match="AsyncSession") as info:
            await novelkit.load_novels(engine)  # type: ignore[arg-type]
        assert isinstance(info.value, TypeError)
        assert isinstance(info.value, ConfigurationError)
    finally:
        await engine.dispose()


async def _settle(work: Callable[[Path], Any], path: Path) -> None:
    """Call ``work``; await what it returns, or close it (an engine or facade made by mistake)."""
    result = work(path)
    if hasattr(result, "__await__"):
        await result
    elif hasattr(result, "close"):
        result.close()


ENGINE_MISTAKES: list[tuple[str, Callable[[Path], Any], type[NovelkitError]]] = [
    ("echo", lambda p: create_engine(p, echo="loud"), ConfigurationError),
    (
        "statement_timeout text",
        lambda p: create_engine(p, statement_timeout="5"),
        ConfigurationError,
    ),
    (
        "statement_timeout negative",
        lambda p: create_engine(p, statement_timeout=-1),
        ConfigurationError,
    ),
    ("sqlite_begin", lambda p: create_engine(p, sqlite_begin="exclusive"), ConfigurationError),
    ("tls on sqlite", lambda p: create_engine(p, ssl_ca="ca.pem"), ConfigurationError),
    ("missing file", lambda p: create_engine(p.parent / "missing.db"), DatabaseNotFoundError),
    ("runner", lambda p: novelkit.connect(p, runner="trio"), ConfigurationError),
    (
        "snapshot on mysql",
        lambda p: novelkit.connect("mysql://u@h/db", snapshot=True),
        ConfigurationError,
    ),
    ("snapshot destination exists", lambda p: snapshot_sqlite(p, p), ConfigurationError),
    (
        "demo generation",
        lambda p: novelkit.build_demo(p.parent / "d.db", generation="modern"),
        ConfigurationError,
    ),
    ("demo seed", lambda p: novelkit.build_demo(p.parent / "d.db", seed=-1), ConfigurationError),
    (
        "demo scale",
        lambda p: novelkit.build_demo(p.parent / "d.db", scale="huge"),
        ConfigurationError,
    ),
    ("env file", lambda p: novelkit.resolve_url(env_file=p.parent / "no.env"), ConfigurationError),
    ("inspect an engine's name", lambda p: novelkit.inspect_database(str(p)), ConfigurationError),
]


@pytest.mark.parametrize(
    ("work", "expected"),
    [case[1:] for case in ENGINE_MISTAKES],
    ids=[case[0] for case in ENGINE_MISTAKES],
)
async def test_setup_mistakes(
    fixture_sqlite: Path, work: Callable[[Path], Any], expected: type[NovelkitError]
) -> None:
    with pytest.raises(expected):
        await _settle(work, fixture_sqlite)
