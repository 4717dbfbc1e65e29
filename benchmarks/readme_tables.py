"""The README's speed tables, written from ``benchmarks/results.json`` and ``results_arrow.json``.

    python benchmarks/readme_tables.py            # rewrite the table in README.md
    python benchmarks/readme_tables.py --check    # exit 1 if README.md differs

``bench_loaders.py`` writes the results; this renders them, so that the README
quotes the measured figures exactly (``tests/test_docs.py`` checks it does).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
README = ROOT / "README.md"
BEGIN = "<!-- loaders-speed-table: begin (benchmarks/readme_tables.py writes it) -->"
END = "<!-- loaders-speed-table: end -->"

ARROW_RESULTS = ROOT / "benchmarks" / "results_arrow.json"
ARROW_BEGIN = "<!-- arrow-speed-table: begin (benchmarks/readme_tables.py writes it) -->"
ARROW_END = "<!-- arrow-speed-table: end -->"

BACKENDS = (("sqlite", "SQLite"), ("mysql", "MariaDB"))
#: case in results.json -> the call it measures.
CALLS = {
    "outlines": "`load_outlines`",
    "novels": "`load_novels`",
    "chapters": "`load_chapters`",
    "versions": "`load_versions`",
    "versions_content": "`load_versions(content=True)`",
    "evaluations": "`load_evaluations`",
    "characters": "`load_characters`",
    "relationships": "`load_relationships`",
    "conversations": "`load_conversations`",
    "foreshadowings": "`load_foreshadowings`",
    "users": "`load_users`",
    "usage": "`load_usage`",
    "admin_stats": "`load_admin_stats`",
    "activity": "`load_activity`",
    "table": '`load_table("chapter_outlines")`',
}


def _seconds(result: dict[str, Any]) -> str:
    return (
        f"{result['median_s']:.2f} s"
        if result["median_s"] >= 0.1
        else (f"{result['median_s'] * 1000:.0f} ms")
    )


def _row(call: str, database: str, methods: dict[str, Any]) -> str:
    novelkit = methods["novelkit"]
    cells = [
        call,
        database,
        f"{novelkit['rows']:,}",
        f"{_seconds(novelkit)} (×{novelkit['ratio_to_raw_driver']:.2f})",
        _default_path_cell(methods.get("novelkit_default_path")),
        _seconds(methods["raw_driver"]),
    ]
    for other in ("pandas_read_sql", "naive_orm"):
        cells.append(f"×{methods[other]['ratio_to_raw_driver']:.2f}" if other in methods else "")
    kept = methods.get("novelkit_engine_kept")
    cells.append(
        f"{_seconds(kept)} (×{kept['ratio_to_raw_driver_kept']:.2f})"
        if kept and "ratio_to_raw_driver_kept" in kept
        else ""
    )
    return "| " + " | ".join(cells) + " |"


def _default_path_cell(result: dict[str, Any] | None) -> str:
    """The call as installed: its time, ratio to the raw driver and the path it took."""
    if result is None:
        return ""
    path = "Arrow" if str(result.get("path") or "").startswith("arrow") else "driver"
    return f"{_seconds(result)} (×{result['ratio_to_raw_driver']:.2f}, {path})"


def loaders_table(report: dict[str, Any]) -> str:
    """The markdown table of every loader on every backend measured, fork rows included."""
    lines = [
        "| call | database | rows | novelkit (`fast=False`) | novelkit as installed (path) "
        "| raw driver | `pandas.read_sql` | naive ORM "
        "| novelkit `fast=False`, engine kept (÷ raw driver, connection kept) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, label in BACKENDS:
        results = report["results"].get(backend)
        if results is None:
            continue
        for case, call in CALLS.items():
            if case in results:
                lines.append(_row(call, label, results[case]))
            if case == "outlines" and "novelkit_parse_json_off" in results.get(case, {}):
                off = dict(results[case])
                off["novelkit"] = results[case]["novelkit_parse_json_off"]
                for other in (
                    "pandas_read_sql",
                    "naive_orm",
                    "novelkit_engine_kept",
                    "novelkit_default_path",
                ):
                    off.pop(other, None)
                lines.append(_row("… with `parse_json=False`", label, off))
            if case in ("outlines", "novels") and case in results.get("fork", {}):
                lines.append(_row(call, f"{label} fork", results["fork"][case]))
    return "\n".join(lines)


def render(readme: str, report: dict[str, Any]) -> str:
    """``readme`` with its marked table replaced by the one of ``report``."""
    return _replace(readme, BEGIN, END, loaders_table(report))


def _replace(readme: str, begin: str, end: str, table: str) -> str:
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{table}\n{end}{tail}"


#: results_arrow.json case -> the call it measures.
ARROW_CALLS = {
    "outlines": "`load_outlines`",
    "novels": "`load_novels`",
    "versions_content": "`load_versions(content=True)`",
}
REFERENCE_NAMES = {"adbc": "ADBC", "connectorx": "connectorx"}


def _method_cell(methods: dict[str, Any], name: str) -> str:
    return _seconds(methods[name]) if name in methods else "fails"


def arrow_table(report: dict[str, Any]) -> str:
    """The markdown table of the Arrow path against the native readers, both backends."""
    lines = [
        '| call | database | rows | novelkit (Arrow path) | `to="polars"` | `fast=False` '
        "| ADBC | connectorx | `polars.read_database_uri` | raw driver | `pandas.read_sql` "
        "| peak memory ÷ frame |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, label in BACKENDS:
        results = report["results"].get(backend)
        if results is None:
            continue
        for case, call in ARROW_CALLS.items():
            if case not in results:
                continue
            measured = results[case]
            methods = measured["methods"]
            fast = methods["novelkit_fast"]
            reference = REFERENCE_NAMES[measured["reference"]]
            polars_ratio = measured["polars_ratio"]
            polars_cell = _seconds(methods["novelkit_polars"])
            if polars_ratio is not None:
                polars_cell += f" (×{polars_ratio:.2f} of polars)"
            cells = [
                call,
                label,
                f"{fast['rows']:,}",
                f"{_seconds(fast)} (×{fast['ratio_to_reference']:.2f} of {reference})",
                polars_cell,
                _seconds(methods["novelkit_driver"]),
                _method_cell(methods, "adbc") if backend == "sqlite" else "",
                _method_cell(methods, "connectorx"),
                _method_cell(methods, "polars_read_database_uri"),
                _seconds(methods["raw_driver"]),
                _seconds(methods["pandas_read_sql"]),
                f"×{measured['memory']['ratio']:.2f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_arrow(readme: str, report: dict[str, Any]) -> str:
    """``readme`` with its marked Arrow-path table replaced by the one of ``report``."""
    return _replace(readme, ARROW_BEGIN, ARROW_END, arrow_table(report))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, exit 1 if stale")
    args = parser.parse_args(argv)
    report = json.loads(RESULTS.read_text(encoding="utf-8"))
    current = README.read_text(encoding="utf-8")
    wanted = render(current, report)
    if ARROW_RESULTS.exists():
        wanted = render_arrow(wanted, json.loads(ARROW_RESULTS.read_text(encoding="utf-8")))
    if args.check:
        return 0 if wanted == current else 1
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
