"""The example notebooks: committed executed, and runnable on other Arboris databases.

The exact comparison of their outputs is ``pytest --nbval notebooks/`` itself (the
options live in pyproject.toml; plain ``pytest`` runs it too). These tests check what
is committed, then run every notebook under ``--nbval-lax`` (cells must run, outputs
are not compared) on the app-created fixture, a classic demo and, when available,
MariaDB through ``NOVELKIT_MYSQL_URL``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import novelkit
import novelkit.plotting
from novelkit.db import DATABASE_VARIABLES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "01_quickstart.ipynb",
    "02_novels_and_outlines.ipynb",
    "03_writing_progress.ipynb",
    "04_engines_sessions_pools.ipynb",
    "05_characters_and_story_world.ipynb",
    "06_your_own_sql.ipynb",
    "07_story_text.ipynb",
]
PATHS = [NOTEBOOKS / name for name in EXPECTED]
FIXTURE_SQLITE = ROOT / "tests" / "data" / "arboris-fusion.sqlite"

# Settings that choose a database (and the engines notebook's MySQL URL); the
# subprocesses get only the ones a test sets.
DATABASE_SETTINGS = (*DATABASE_VARIABLES, "NOVELKIT_MYSQL_URL")
# scheme://user:password@ with a password that is not masked.
UNMASKED_PASSWORD = re.compile(r"\b[a-z][a-z0-9+]*://[^\s:/@'\"<>]+:(?!\*\*\*@)[^\s@'\"<>]+@")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _output_text(output: dict[str, Any]) -> str:
    parts: list[Any] = [output.get("text", ""), output.get("evalue", "")]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/"):
            parts.append(value)
    return "".join("".join(p) if isinstance(p, list) else str(p) for p in parts)


def test_the_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


def test_pytest_configuration_runs_them_exactly() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    options = options["ini_options"]
    assert "notebooks" in options["testpaths"]
    addopts = options["addopts"]
    assert "--nbval" in addopts
    assert "--nbval-current-env" in addopts
    sanitize = [a.split("=", 1)[1] for a in addopts if a.startswith("--nbval-sanitize-with=")]
    assert sanitize, "the sanitize file must be named in addopts"
    assert (ROOT / sanitize[0]).is_file()


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_committed_with_ids_and_outputs_and_no_error(path: Path) -> None:
    notebook = _load(path)
    assert (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5), "cell ids need 4.5"
    cells = notebook["cells"]
    ids = [cell.get("id") for cell in cells]
    assert all(ids), f"cells without an id: {[i for i, v in enumerate(ids) if not v]}"
    assert len(set(ids)) == len(ids), "duplicate cell ids"

    code = [cell for cell in cells if cell["cell_type"] == "code"]
    counts = [cell.get("execution_count") for cell in code]
    assert None not in counts, f"{path.name} has cells that were not run: run `make notebooks`"
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name} was not run top to bottom in one kernel: run `make notebooks`"
    )
    assert any(cell["outputs"] for cell in code), f"{path.name} is committed without outputs"
    errors = [
        (cell["id"], output.get("ename"))
        for cell in code
        for output in cell["outputs"]
        if output["output_type"] == "error"
    ]
    assert not errors, f"{path.name} has error outputs: {errors}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_outputs_show_no_password_or_local_install_path(path: Path) -> None:
    texts = [
        (cell["id"], _output_text(output))
        for cell in _load(path)["cells"]
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
    ]
    assert not [cid for cid, text in texts if UNMASKED_PASSWORD.search(text)]
    local = [p for p in {str(Path.home()), sys.prefix} if len(Path(p).parts) > 1]
    assert not [(cid, p) for cid, text in texts for p in local if p in text]


def _run_lax(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """``pytest --nbval-lax notebooks/`` in a subprocess with an empty NOVELKIT_HOME."""
    home = tmp_path / "novelkit-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in DATABASE_SETTINGS}
    env.update(NOVELKIT_HOME=str(home), NOVELKIT_PROGRESS="0", **variables)
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "notebooks/"]
    command += ["-p", "no:cacheprovider", "-q", "--no-header"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert f"{sum(_code_cells(p) for p in PATHS)} passed" in done.stdout, done.stdout[-2000:]
    return done


def _code_cells(path: Path) -> int:
    return sum(cell["cell_type"] == "code" for cell in _load(path)["cells"])


@pytest.mark.slow
def test_notebooks_run_on_the_app_created_fixture(tmp_path: Path) -> None:
    database = tmp_path / "arboris.db"
    shutil.copyfile(FIXTURE_SQLITE, database)
    _run_lax(tmp_path, NOVELKIT_DATABASE_URL=str(database))


@pytest.mark.slow
def test_notebooks_run_on_a_classic_database(tmp_path: Path) -> None:
    database = tmp_path / "classic.db"
    novelkit.build_demo(str(database), scale="tiny", generation="classic", progress=False)
    _run_lax(tmp_path, NOVELKIT_DATABASE_URL=str(database))


@pytest.mark.mysql
@pytest.mark.slow
def test_notebooks_run_with_mariadb(mysql_db: Any, tmp_path: Path) -> None:
    url = mysql_db.url.render_as_string(hide_password=False)
    novelkit.build_demo(url, scale="tiny", progress=False)
    _run_lax(tmp_path, NOVELKIT_MYSQL_URL=url)

    # The MariaDB cells really ran (lax mode does not show outputs): execute the pool
    # notebook once more and read what its MariaDB cells printed.
    home = tmp_path / "nbconvert-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in DATABASE_SETTINGS}
    env.update(NOVELKIT_HOME=str(home), NOVELKIT_PROGRESS="0", NOVELKIT_MYSQL_URL=url)
    executed = tmp_path / "04.ipynb"
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
    command += ["--ExecutePreprocessor.kernel_name=python3", "--output", str(executed)]
    command += [str(NOTEBOOKS / "04_engines_sessions_pools.ipynb")]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    printed = "".join(
        _output_text(output)
        for cell in _load(executed)["cells"]
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
    )
    for line in ("peak checked_out >= 2: True", "leaked: 0", "write refused: True"):
        assert line in printed
    assert mysql_db.url.password not in printed


def test_no_notebook_silences_a_missing_widget_warning() -> None:
    """ipywidgets comes with the notebooks extra: tqdm.auto needs no warning filter."""
    for path in PATHS:
        assert "IProgress" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.slow
def test_story_text_figures_render_with_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """07's figures run with every warning an error: no "Glyph ... missing" warning."""
    monkeypatch.setenv("NOVELKIT_PROGRESS", "0")
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    if novelkit.plotting.use_cjk_font(warn=False) is None:
        pytest.skip("no CJK font on this machine: bash .ci/cjk-font.sh installs one")
    notebook = nbformat.read(NOTEBOOKS / "07_story_text.ipynb", as_version=4)
    strict = nbformat.v4.new_code_cell(
        "import warnings\nwarnings.simplefilter('error')", id="warnings-are-errors"
    )
    notebook.cells.insert(0, strict)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on any warning turned error
    figures = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(figures) == 3
    streams = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "missing from font" not in streams
