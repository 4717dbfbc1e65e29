"""benchmarks/bench_sql.py runs end to end on a tiny demo; no timing is asserted.

What its figures rest on: every method returns the same rows and columns, and
the iter_sql memory figure streamed every version.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import novelkit

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_sql.py"
METHODS = {"db_sql", "load_sql", "raw_driver", "pandas_read_sql"}


@pytest.mark.slow
def test_bench_sql_on_a_tiny_demo(tmp_path: Path) -> None:
    db = tmp_path / "tiny.db"
    novelkit.build_demo(str(db), scale="tiny", progress=False)
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sqlite", str(db), "--repeat", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))["results"]["sqlite"]
    conn = sqlite3.connect(db)
    outlines = conn.execute("SELECT COUNT(*) FROM chapter_outlines").fetchone()[0]
    novels = conn.execute("SELECT COUNT(DISTINCT project_id) FROM chapters").fetchone()[0]
    versions = conn.execute("SELECT COUNT(*) FROM chapter_versions").fetchone()[0]
    conn.close()
    for case, rows, columns in (("select_star_outlines", outlines, 6), ("grouped_join", novels, 3)):
        methods = results[case]
        assert set(methods) == METHODS
        assert {(m["rows"], m["columns"]) for m in methods.values()} == {(rows, columns)}
        assert methods["raw_driver"]["ratio_to_raw_driver"] == 1.0
        assert methods["pandas_read_sql"]["ratio_to_pandas_read_sql"] == 1.0
    assert results["iter_sql_memory"]["rows"] == versions
