"""What the CLI prints: CSV cells, table alignment, export summaries (real files)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from novelkit.cli import main


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def novel_with_metadata(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT project_id FROM chapter_outlines WHERE metadata LIKE '{%' "
            "ORDER BY project_id LIMIT 1"
        ).fetchone()[0]


def test_outlines_csv_writes_json_text(fixture_sqlite: Path) -> None:
    novel = novel_with_metadata(fixture_sqlite)
    out = run("outlines", novel, str(fixture_sqlite), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    with sqlite3.connect(fixture_sqlite) as conn:
        stored = dict(
            conn.execute(
                "SELECT chapter_number, metadata FROM chapter_outlines WHERE project_id = ?",
                (novel,),
            )
        )
    with_metadata = [r for r in rows if r["metadata"]]
    assert with_metadata
    for row in with_metadata:
        assert not row["metadata"].startswith("{'")
        assert json.loads(row["metadata"]) == json.loads(stored[int(row["chapter_number"])])
    # Non-ASCII kept as it is, not \u-escaped.
    assert "\\u" not in out
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in r["metadata"]) for r in with_metadata)
    # The same values as --format json gives.
    as_json = json.loads(run("outlines", novel, str(fixture_sqlite), "--format", "json"))
    by_number = {r["chapter_number"]: r["metadata"] for r in as_json}
    for row in with_metadata:
        assert json.loads(row["metadata"]) == by_number[int(row["chapter_number"])]
