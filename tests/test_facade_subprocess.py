"""The facade in plain scripts: fresh interpreters, both runners, both backends.

nest-asyncio patches asyncio for the whole process, so its cases run here in
subprocesses and never leak into other tests. Each script prints one JSON line
of frame fingerprints; stderr must name no loop error (and stay empty).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from facade_support import (
    BACKENDS,
    assert_no_loop_errors,
    fingerprint,
    reference_frames,
    url_for,
    wait_until,
)

PRELUDE = """
import asyncio, json, os, sys, warnings
warnings.simplefilter("error")
import novelkit.facade as facade
sys.path.insert(0, os.environ["FACADE_TESTS"])
from facade_support import fingerprint
URL, RUNNER = os.environ["FACADE_URL"], os.environ["FACADE_RUNNER"]

def frames(db):
    return [fingerprint(db.novels()), fingerprint(db.outlines())]
"""

SCRIPTS = {
    # (a) repeated calls in a plain script
    "plain": """
with facade.connect(URL, runner=RUNNER) as db:
    out = [frames(db) for _ in range(5)]
""",
    # (b) the sync API inside a running loop, as in a Jupyter cell
    "in-loop": """
async def cell():
    with facade.connect(URL, runner=RUNNER) as db:
        return [frames(db) for _ in range(3)]
out = asyncio.run(cell())
""",
    # (d) after previous loops were closed; the facade was opened inside the first
    "after-closed-loops": """
async def first():
    global db
    db = facade.connect(URL, runner=RUNNER)
    return frames(db)
async def second():
    return frames(db)
out = [asyncio.run(first()), asyncio.run(second())]
out += [frames(db) for _ in range(3)]
db.close()
""",
    # close() never called: the interpreter must still exit, promptly, with 0
    "no-close": """
db = facade.connect(URL, runner=RUNNER)
out = [frames(db)]
""",
}


def run_script(name: str, url: str, runner: str, *, timeout: float = 120) -> list[list[str]]:
    script = PRELUDE + textwrap.dedent(SCRIPTS[name]) + "\nprint(json.dumps(out))\n"
    env = {
        **os.environ,
        "FACADE_URL": url,
        "FACADE_RUNNER": runner,
        "FACADE_TESTS": os.path.dirname(__file__),
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert_no_loop_errors(done.stdout, done.stderr)
    assert done.stderr == "", done.stderr
    assert time.monotonic() - started < timeout
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest) -> str:
    return url_for(request, request.param)


@pytest.fixture
def expected(url: str) -> list[str]:
    frames = asyncio.run(reference_frames(url))
    return [fingerprint(frames["novels"]), fingerprint(frames["outlines"])]


@pytest.mark.parametrize("runner", ["thread", "nest-asyncio"])
@pytest.mark.parametrize("script", ["plain", "in-loop", "after-closed-loops"])
def test_script_gets_the_same_frames_every_time(
    url: str, expected: list[str], runner: str, script: str
) -> None:
    results = run_script(script, url, runner)
    assert len(results) >= 3
    assert all(result == expected for result in results)


@pytest.mark.parametrize("runner", ["thread", "nest-asyncio"])
def test_script_that_never_closes_exits_promptly_with_status_0(
    request: pytest.FixtureRequest, url: str, expected: list[str], runner: str
) -> None:
    started = time.monotonic()
    assert run_script("no-close", url, runner, timeout=60) == [expected]
    assert time.monotonic() - started < 60
    if url.startswith("mysql"):
        fixture = request.getfixturevalue("mysql_fixture_db")

        def sessions() -> int:
            conn = fixture.connect(admin=True)
            with conn, conn.cursor() as cur:
                cur.execute(
                    "SELECT COUNT(*) FROM information_schema.processlist "
                    "WHERE user = %s AND db = %s",
                    (fixture.url.username, fixture.name),
                )
                return int(cur.fetchone()[0])

        assert wait_until(lambda: sessions() == 0, timeout=10)


KEYBOARD_INTERRUPT = """
import signal, threading, time
import sqlalchemy as sa
SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) "
    "SELECT count(*) FROM c"
) if URL.endswith(".db") else "SELECT BENCHMARK(2000000000, MD5(title)) FROM novel_projects"
db = facade.connect(URL, runner=RUNNER)
async def slow():
    async with db.engine.connect() as conn:
        return (await conn.execute(sa.text(SLOW))).scalar()
threading.Timer(1.0, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()
started = time.monotonic()
try:
    db._run(slow())
except KeyboardInterrupt:
    waited = time.monotonic() - started
out = [waited < 8, frames(db), frames(db)]
db.close()
"""


def test_keyboard_interrupt_with_nest_asyncio(url: str, expected: list[str]) -> None:
    SCRIPTS["interrupt"] = KEYBOARD_INTERRUPT
    prompt, *results = run_script("interrupt", url, "nest-asyncio", timeout=60)
    assert prompt is True
    assert results == [expected, expected]
