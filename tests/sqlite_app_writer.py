"""Write to an Arboris SQLite database the way the app does, and report what happened.

Run as a separate process by ``tests/test_reliability_sqlite.py``::

    python tests/sqlite_app_writer.py DB --out result.json --stop STOPFILE

Like the app (SQLAlchemy on aiosqlite with ``NullPool`` and no PRAGMAs): a new
connection per unit of work, the sqlite3 module's own transactions (a deferred
``BEGIN`` before the first write), the journal mode the file already has, and a
busy timeout of 5 s unless ``--busy-timeout`` says otherwise. Each transaction
touches a project (``novel_projects.updated_at``, as ``_touch_project`` does),
adds a chapter version and counts a request in ``usage_metrics``, and is
committed at once. Failures are counted, rolled back and the loop goes on.

The JSON report holds the commits, the failures (with their messages), what
every committed transaction wrote (so the caller can look for each write in the
file afterwards) and latency figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path

LABEL_PREFIX = "app-writer"


def _ids(conn: sqlite3.Connection) -> tuple[list[str], list[int]]:
    projects = [r[0] for r in conn.execute("SELECT id FROM novel_projects ORDER BY id")]
    chapters = [r[0] for r in conn.execute("SELECT id FROM chapters ORDER BY id")]
    if not projects or not chapters:
        raise SystemExit("the database has no projects or no chapters to write to")
    return projects, chapters


def _one_transaction(
    db: Path, busy_timeout: float, n: int, project: str, chapter: int
) -> tuple[int, str]:
    """One unit of work on a fresh connection, committed at once; (version id, stamp)."""
    conn = sqlite3.connect(db, timeout=busy_timeout)
    try:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        # Read first, outside any transaction, as the ORM loads the project.
        conn.execute("SELECT id, updated_at FROM novel_projects WHERE id = ?", (project,))
        conn.execute("UPDATE novel_projects SET updated_at = ? WHERE id = ?", (stamp, project))
        cursor = conn.execute(
            "INSERT INTO chapter_versions (chapter_id, version_label, provider, content, "
            "metadata, created_at) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP)",
            (
                chapter,
                f"{LABEL_PREFIX}-{n}",
                "soak",
                f"第{n}版 " + "文字" * 200,
                json.dumps({"n": n}),
            ),
        )
        version_id = cursor.lastrowid
        conn.execute("UPDATE usage_metrics SET value = value + 1 WHERE key = 'api_request_count'")
        conn.commit()
        assert version_id is not None
        return version_id, stamp
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON report")
    parser.add_argument("--stop", type=Path, help="stop when this file exists")
    parser.add_argument("--ready", type=Path, help="created after the first attempt")
    parser.add_argument("--busy-timeout", type=float, default=5.0)
    parser.add_argument("--pause", type=float, default=0.005, help="seconds between commits")
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--max-transactions", type=int, default=0, help="0: no limit")
    args = parser.parse_args(argv)

    setup = sqlite3.connect(args.db, timeout=args.busy_timeout)
    try:
        projects, chapters = _ids(setup)
        journal_mode = setup.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        setup.close()

    commits = 0
    failures: list[dict[str, object]] = []
    written: list[dict[str, object]] = []
    latencies: list[float] = []
    started = time.monotonic()
    n = 0
    while True:
        if args.stop is not None and args.stop.exists():
            break
        if time.monotonic() - started > args.max_seconds:
            break
        if args.max_transactions and n >= args.max_transactions:
            break
        n += 1
        project, chapter = projects[n % len(projects)], chapters[n % len(chapters)]
        t0 = time.monotonic()
        try:
            version_id, stamp = _one_transaction(args.db, args.busy_timeout, n, project, chapter)
        except sqlite3.Error as exc:
            failures.append(
                {"n": n, "error": str(exc), "after_seconds": round(time.monotonic() - t0, 3)}
            )
        else:
            commits += 1
            latencies.append(time.monotonic() - t0)
            written.append({"n": n, "version_id": version_id, "project": project, "stamp": stamp})
        if n == 1 and args.ready is not None:
            args.ready.touch()
        time.sleep(args.pause)

    latencies.sort()
    report = {
        "journal_mode": journal_mode,
        "busy_timeout": args.busy_timeout,
        "attempts": n,
        "commits": commits,
        "failures": failures,
        "written": written,
        "seconds": round(time.monotonic() - started, 3),
        "latency_max": round(latencies[-1], 4) if latencies else None,
        "latency_p99": round(latencies[int(len(latencies) * 0.99)], 4) if latencies else None,
    }
    args.out.write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
