"""The README and the CLI stay in step: commands, help, and the CI test command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from novelkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def test_ci_runs_the_readme_test_command_exactly() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"^TEST_COMMAND='(.+)'$", ci, flags=re.M)
    assert match, ".ci/run must define TEST_COMMAND"
    command = match.group(1)
    assert f"\n{command}\n" in README
    assert 'bash -c "$TEST_COMMAND"' in ci


def test_readme_has_exactly_two_fresh_machine_commands() -> None:
    section = README.split("## Two commands on a fresh machine", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)
    assert len(blocks) == 2
    assert blocks[0].endswith("novelkit lab")
    assert "pytest" in blocks[1]


def test_every_command_is_listed() -> None:
    assert set(COMMANDS) >= {
        "demo",
        "info",
        "novels",
        "outlines",
        "export",
        "export-text",
        "snapshot",
        "lab",
    }


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_a_readme_section(name: str) -> None:
    command = main.commands[name]
    assert isinstance(command, click.Command)
    assert command.help, f"{name} has no help"
    assert len(command.help.strip()) > 20, f"{name} has no real help"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert f"### `novelkit {name}`" in README, f"README has no section for {name}"


def test_top_level_help_and_version() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--help"]).exit_code == 0
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "novelkit" in result.output


# README speed table row -> (results.json backend, variant, case, method with a time).
SPEED_ROWS = {
    ("`load_outlines` (244,009 rows)", "SQLite"): ("sqlite", None, "outlines", "novelkit"),
    ("… with `parse_json=False`", "SQLite"): (
        "sqlite",
        None,
        "outlines",
        "novelkit_parse_json_off",
    ),
    ("`load_outlines`", "SQLite fork"): ("sqlite", "fork", "outlines", "novelkit"),
    ("`load_outlines`", "MariaDB"): ("mysql", None, "outlines", "novelkit"),
    ("… with `parse_json=False`", "MariaDB"): (
        "mysql",
        None,
        "outlines",
        "novelkit_parse_json_off",
    ),
    ("`load_outlines`", "MariaDB fork"): ("mysql", "fork", "outlines", "novelkit"),
    ("`load_novels` (2,000 novels)", "SQLite"): ("sqlite", None, "novels", "novelkit"),
    ("`load_novels`", "SQLite fork"): ("sqlite", "fork", "novels", "novelkit"),
    ("`load_novels`", "MariaDB"): ("mysql", None, "novels", "novelkit"),
    ("`load_novels`", "MariaDB fork"): ("mysql", "fork", "novels", "novelkit"),
}


def _cell_figures(cell: str) -> tuple[float | None, float | None]:
    seconds = re.search(r"([\d.]+) s", cell)
    ratio = re.search(r"×([\d.]+)", cell)
    return (
        float(seconds.group(1)) if seconds else None,
        float(ratio.group(1)) if ratio else None,
    )


def test_readme_speed_table_quotes_results_json() -> None:
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    section = README.split("## Speed\n", 1)[1].split("\n## ", 1)[0]
    section = section.split("\n### ", 1)[0]  # the loaders' table; the text queries' below
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| `") or line.startswith("| …")
    ]
    assert {(r[0], r[1]) for r in rows} == set(SPEED_ROWS)
    for label, database, novelkit, raw, read_sql, orm in rows:
        backend, variant, case, method = SPEED_ROWS[(label, database)]
        measured = results["results"][backend]
        methods = (measured[variant] if variant else measured)[case]
        seconds, ratio = _cell_figures(novelkit)
        assert seconds == round(methods[method]["median_s"], 2), (label, database)
        assert ratio == round(methods[method]["ratio_to_raw_driver"], 2), (label, database)
        if method == "novelkit":
            assert _cell_figures(raw)[0] == round(methods["raw_driver"]["median_s"], 2)
            for cell, other in ((read_sql, "pandas_read_sql"), (orm, "naive_orm")):
                quoted = _cell_figures(cell)[1]
                assert quoted == round(methods[other]["ratio_to_raw_driver"], 2), (cell, other)


# README text-query speed row -> (results_text.json backend, method).
TEXT_SPEED_ROWS = {
    ("`search_text` (a two-character name)", "SQLite"): ("sqlite", "search_text"),
    ("`mentions` (20 names)", "SQLite"): ("sqlite", "mentions"),
    ("`search_text` (a two-character name)", "MariaDB"): ("mysql", "search_text"),
    ("`mentions` (20 names)", "MariaDB"): ("mysql", "mentions"),
}


def test_readme_text_speed_table_quotes_results_text_json() -> None:
    path = ROOT / "benchmarks" / "results_text.json"
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    section = README.split("### Text queries\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    assert {(r[0], r[1]) for r in rows} == set(TEXT_SPEED_ROWS)
    for label, database, novelkit, floor, pandas, peak in rows:
        backend, method = TEXT_SPEED_ROWS[(label, database)]
        methods = results[backend]["methods"]
        seconds, ratio = _cell_figures(novelkit)
        assert seconds == round(methods[method]["median_s"], 2), (label, database)
        assert ratio == round(methods[method]["ratio_to_floor"], 2), (label, database)
        assert _cell_figures(floor)[0] == round(methods["floor_iter_frames"]["median_s"], 2)
        if method == "mentions":
            quoted = _cell_figures(pandas)[1]
            assert quoted == round(methods["pandas_str_count"]["ratio_to_floor"], 2)
        assert f"{methods[method]['peak_mb']:.0f} MB" == peak
