"""The text benchmark runs end to end on a tiny demo; no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import novelkit

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_text.py"


@pytest.mark.slow
def test_bench_text_writes_every_figure(tmp_path: Path) -> None:
    database = tmp_path / "tiny.db"
    novelkit.build_demo(str(database), scale="tiny", progress=False)
    out = tmp_path / "results_text.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sqlite", str(database), "--repeat", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(out.read_text(encoding="utf-8"))["results"]["sqlite"]
    assert len(measured["search_name"]) == 2
    assert len(measured["mention_names"]) <= 20
    methods = measured["methods"]
    assert set(methods) == {"floor_iter_frames", "search_text", "mentions", "pandas_str_count"}
    for figures in methods.values():
        assert figures["median_s"] > 0
        assert figures["peak_mb"] > 0
    assert methods["floor_iter_frames"]["result"] == 98  # every version of the tiny demo
    assert methods["search_text"]["result"] > 0
    # Leftmost-longest counting never finds more than plain counts per name.
    assert 0 < methods["mentions"]["result"] <= methods["pandas_str_count"]["result"]
