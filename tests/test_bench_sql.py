"""benchmarks/bench_sql.py runs end to end on a tiny demo; no timing is asserted.

What its figures rest on: every method returns the same rows and columns, and
the iter_sql memory figure streamed every version.
"""

from __future__ import annotations

import json
import re
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


ROOT = Path(__file__).resolve().parents[1]
# README row -> (backend, case, ratio the novelkit cells quote)
SQL_ROWS = {
    ("`SELECT * FROM chapter_outlines` (244,009 rows)", "SQLite"): (
        "sqlite",
        "select_star_outlines",
        "ratio_to_raw_driver",
    ),
    ("`SELECT * FROM chapter_outlines` (244,009 rows)", "MariaDB"): (
        "mysql",
        "select_star_outlines",
        "ratio_to_raw_driver",
    ),
    ("grouped join (1,867 novels), against `pandas.read_sql`", "SQLite"): (
        "sqlite",
        "grouped_join",
        "ratio_to_pandas_read_sql",
    ),
    ("grouped join (1,867 novels), against `pandas.read_sql`", "MariaDB"): (
        "mysql",
        "grouped_join",
        "ratio_to_pandas_read_sql",
    ),
}


def _figures(cell: str) -> tuple[float | None, float | None]:
    seconds = re.search(r"([\d.]+) s", cell)
    ratio = re.search(r"×([\d.]+)", cell)
    return (
        float(seconds.group(1)) if seconds else None,
        float(ratio.group(1)) if ratio else None,
    )


def test_readme_sql_speed_table_quotes_results_sql_json() -> None:
    results = json.loads((ROOT / "benchmarks" / "results_sql.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Speed\n", 1)[1].split("\n## ", 1)[0]
    section = section.split("\n### Your own SQL\n", 1)[1].split("\n### ", 1)[0]
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| `") or line.startswith("| grouped")
    ]
    assert {(r[0], r[1]) for r in rows} == set(SQL_ROWS)
    for label, database, db_sql, load_sql, raw, read_sql in rows:
        backend, case, ratio = SQL_ROWS[(label, database)]
        methods = results["results"][backend][case]
        for cell, method in ((db_sql, "db_sql"), (load_sql, "load_sql")):
            assert _figures(cell) == (
                round(methods[method]["median_s"], 2),
                round(methods[method][ratio], 2),
            ), (label, database, method)
        if ratio == "ratio_to_raw_driver":
            assert _figures(raw)[0] == round(methods["raw_driver"]["median_s"], 2)
            assert _figures(read_sql)[1] == round(methods["pandas_read_sql"][ratio], 2)
        else:
            assert _figures(read_sql)[0] == round(methods["pandas_read_sql"]["median_s"], 2)
            assert _figures(raw)[1] == round(methods["raw_driver"][ratio], 2)
