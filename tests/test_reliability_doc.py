"""RELIABILITY.md states the figures the reliability tests assert, and no others."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parent.parent / "RELIABILITY.md").read_text(encoding="utf-8")


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value >= 1000:
        return f"{value:,}"
    return str(value)


# (module, phrase with {CONSTANT} placeholders that must appear in RELIABILITY.md)
PHRASES = [
    ("test_reliability_mysql", "| KILL of every connection | {KILLED_CONNECTIONS} pooled"),
    ("test_reliability_mysql", "`wait_timeout` {IDLE_WAIT_TIMEOUT} s, then a {IDLE_PAUSE} s pause"),
    ("test_reliability_mysql", "`connect_timeout` {CONNECT_TIMEOUT} s, margin {TIME_MARGIN} s"),
    ("test_reliability_mysql", "{MID_READ_ROWS} slow rows, killed after {MID_READ_KILL_AFTER} s"),
    (
        "test_reliability_mysql",
        "| `statement_timeout` | {STATEMENT_TIMEOUT} s on `SELECT SLEEP(30)`",
    ),
    ("test_reliability_mysql", "cancel after {CANCEL_AFTER} s; gone within {CANCEL_STOP_WITHIN} s"),
    ("test_reliability_mysql", "| no leaks | {LEAK_OPERATIONS} operations"),
    (
        "test_reliability_mysql",
        "on {LEAK_CONCURRENCY} workers, pool {LEAK_POOL_SIZE} + {LEAK_MAX_OVERFLOW}",
    ),
    (
        "test_reliability_sqlite",
        "busy timeout {APP_BUSY_TIMEOUT} s, a pause of {WRITER_PAUSE_SECONDS} s",
    ),
    ("test_reliability_sqlite", "for `NOVELKIT_SOAK_SECONDS` ({SOAK_SECONDS_DEFAULT} s in CI"),
    ("test_reliability_sqlite", "in pages of {SOAK_CHUNKSIZE} rows"),
    (
        "test_reliability_sqlite",
        "| {MAX_WRITER_FAILURES} writer failures, {MAX_LOST_WRITES} lost writes",
    ),
    (
        "test_reliability_sqlite",
        "one read transaction held {CONTROL_HOLD_SECONDS} s, past the writer's busy timeout of {CONTROL_WRITER_BUSY_TIMEOUT} s",
    ),
    (
        "test_reliability_sqlite",
        "{WRITERS} writer coroutines × {TRANSACTIONS_PER_WRITER} read-modify-write",
    ),
    ("test_reliability_sqlite", "+ {READERS} reader coroutines"),
    ("test_reliability_sqlite", "| {MAX_LOCK_ERRORS} lock errors"),
    ("test_reliability_sqlite", "fails at once (< {AT_ONCE_SECONDS} s)"),
    (
        "test_reliability_sqlite",
        "busy timeout {LOCK_BUSY_TIMEOUT} s | `LockTimeoutError` after {LOCK_ELAPSED_MIN} s to 1 + {LOCK_ELAPSED_MARGIN} s",
    ),
    (
        "test_reliability_sqlite",
        "| `statement_timeout` | {STATEMENT_TIMEOUT} s on an endless recursive CTE | `QueryTimeoutError` within {STATEMENT_TIMEOUT} + {TIMEOUT_MARGIN} s",
    ),
    (
        "test_reliability_sqlite",
        "cancelled after {CANCEL_AFTER_SECONDS} s | the task ends within {CANCEL_STOP_MARGIN} s",
    ),
    (
        "test_reliability_sqlite",
        "| no leaks | {MIXED_OPERATIONS} operations, {MIXED_CONCURRENCY} at a time",
    ),
    ("test_injection", "a `canary` table with {CANARY_ROWS} row"),
    ("test_injection", "values up to {LONGEST_VALUE} characters"),
]


@pytest.mark.parametrize(("module", "phrase"), PHRASES)
def test_doc_states_the_tested_figure(module: str, phrase: str) -> None:
    tests = importlib.import_module(module)
    names = [part.split("}")[0] for part in phrase.split("{")[1:]]
    rendered = phrase.format(**{name: _fmt(getattr(tests, name)) for name in names})
    assert rendered in DOC, f"RELIABILITY.md should say: {rendered!r}"


def test_injection_examples_per_property() -> None:
    tests = importlib.import_module("test_injection")
    rows = [line for line in DOC.splitlines() if line.startswith("| ") and line.endswith(" |")]
    counts = [line.rsplit("|", 2)[1].strip() for line in rows if "inputs tried" not in line]
    assert counts.count(str(tests.MAX_EXAMPLES)) == len(tests.PROPERTIES)


def test_no_placeholder_left() -> None:
    assert "SECTION" not in DOC
