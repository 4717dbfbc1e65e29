"""The README and the CLI stay in step: commands, help, and the CI test command."""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import textwrap
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
from click.testing import CliRunner

from novelkit.cli import main
from novelkit.db import create_engine, open_session

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


def _cell_figures(cell: str) -> tuple[float | None, float | None]:
    seconds = re.search(r"([\d.]+) s", cell)
    ratio = re.search(r"×([\d.]+)", cell)
    return (
        float(seconds.group(1)) if seconds else None,
        float(ratio.group(1)) if ratio else None,
    )


def _readme_tables() -> ModuleType:
    """``benchmarks/readme_tables.py``, imported by path (benchmarks is not a package)."""
    path = ROOT / "benchmarks" / "readme_tables.py"
    spec = importlib.util.spec_from_file_location("readme_tables", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_speed_table_quotes_results_json() -> None:
    readme_tables = _readme_tables()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    # Every loader measured on both backends, novelkit beside the raw driver.
    for backend in ("sqlite", "mysql"):
        measured = results["results"][backend]
        for case in readme_tables.CALLS:
            assert case in measured, (backend, case)
            for method in ("novelkit", "raw_driver"):
                assert measured[case][method]["median_s"] > 0, (backend, case, method)
                assert measured[case][method]["ratio_to_raw_driver"] > 0, (backend, case)
    # The README's table is exactly what readme_tables.py renders from them.
    assert readme_tables.BEGIN in README
    assert readme_tables.END in README
    assert readme_tables.render(README, results) == README, (
        "run .venv/bin/python benchmarks/readme_tables.py"
    )


def test_readme_arrow_table_quotes_results_arrow_json() -> None:
    readme_tables = _readme_tables()
    path = ROOT / "benchmarks" / "results_arrow.json"
    results = json.loads(path.read_text(encoding="utf-8"))
    for backend, reference in (("sqlite", "adbc"), ("mysql", "connectorx")):
        measured = results["results"][backend]
        assert set(measured) == set(readme_tables.ARROW_CALLS), backend
        for case in readme_tables.ARROW_CALLS:
            methods = measured[case]["methods"]
            assert measured[case]["reference"] == reference
            for method in ("novelkit_fast", "novelkit_polars", "novelkit_driver", reference):
                assert methods[method]["median_s"] > 0, (backend, case, method)
            assert measured[case]["memory"]["ratio"] > 0, (backend, case)
    assert readme_tables.ARROW_BEGIN in README
    assert readme_tables.render_arrow(README, results) == README, (
        "run .venv/bin/python benchmarks/readme_tables.py"
    )


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


async def test_readme_async_iter_sql_example_frees_the_file_as_it_breaks(
    fixture_sqlite: Path,
) -> None:
    """The README's ``aclosing`` example, run as written on the fixture (its first chunk of
    50 of 67 versions holds the word): once it breaks, the app can write at once. A bare
    ``async for`` left by ``break`` would keep SQLite's read lock until garbage collection.
    """
    blocks = [b for b in _python_blocks() if "aclosing(novelkit.iter_sql(" in b]
    assert len(blocks) == 1, "the README shows no async iter_sql loop in aclosing"
    block = blocks[0]
    # The block names the package `novelkit`, which this module's table test uses as a name.
    namespace: dict[str, Any] = {"novelkit": importlib.import_module("novelkit")}
    exec("async def example(session):\n" + textwrap.indent(block, "    "), namespace)
    engine = create_engine(fixture_sqlite)
    try:
        async with open_session(engine) as session:
            await namespace["example"](session)
            with closing(sqlite3.connect(fixture_sqlite, timeout=0, isolation_level=None)) as app:
                app.execute("UPDATE users SET username = username")
    finally:
        await engine.dispose()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.+?)\n```", README, flags=re.S)


@pytest.mark.parametrize("name", ["outlines", "export-text", "search"])
def test_help_says_a_novel_id_may_be_a_prefix(name: str) -> None:
    """The README says every command takes a unique prefix of 6+ characters; --help did
    not (outlines: "(its project id)"; export-text: nothing about NOVEL_ID)."""
    result = CliRunner().invoke(main, [name, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "prefix of 6" in " ".join(result.output.split())
