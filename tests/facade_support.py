"""Helpers shared by the facade tests: backends, reference frames, loop-error checks."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterable

import pandas as pd
import pytest

import novelkit
from novelkit import loaders

# What a connection or future used on the wrong loop says (asyncio, asyncmy, aiosqlite).
LOOP_ERRORS = (
    "attached to a different loop",
    "bound to a different event loop",
    "Event loop is closed",
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


def url_for(request: pytest.FixtureRequest, backend: str) -> str:
    """The plain-text URL of the fusion fixture on ``backend`` (SQLite: a private copy)."""
    if backend == "sqlite":
        return str(request.getfixturevalue("fixture_sqlite"))
    db = request.getfixturevalue("mysql_fixture_db")
    return db.url.render_as_string(hide_password=False)


async def reference_frames(url: str) -> dict[str, pd.DataFrame]:
    """novels and outlines read with the async API on the caller's loop, own engine."""
    engine = novelkit.create_engine(url)
    try:
        async with novelkit.open_session(engine) as session:
            return {
                "novels": await loaders.load_novels(session),
                "outlines": await loaders.load_outlines(session),
            }
    finally:
        await engine.dispose()


def fingerprint(frame: pd.DataFrame) -> str:
    """A stable digest of a frame's columns, dtypes and values (compared across processes)."""
    text = frame.to_json(orient="split", date_format="iso", default_handler=str)
    dtypes = ",".join(f"{c}:{t}" for c, t in frame.dtypes.items())
    return hashlib.sha256((dtypes + text).encode()).hexdigest()


def assert_no_loop_errors(*texts: Iterable[str] | str) -> None:
    """None of the texts (results, warnings, log messages, stderr) names a loop error."""
    for group in texts:
        for text in [group] if isinstance(group, str) else group:
            for phrase in LOOP_ERRORS:
                assert phrase not in text, f"{phrase!r} in {text[:500]!r}"


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passed; the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def run(coro):
    return asyncio.run(coro)
