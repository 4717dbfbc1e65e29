"""The README and the CLI stay in step: commands, help, and the CI test command."""

from __future__ import annotations

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
