"""The package's public surface and its set-up files stay consistent."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import novelkit

ROOT = Path(__file__).resolve().parent.parent


def _requirement_name(req: str) -> str:
    return re.split(r"[\[<>=!~ ;]", req.strip(), maxsplit=1)[0].lower()


def test_all_matches_namespace() -> None:
    submodules = {m.name for m in pkgutil.iter_modules(novelkit.__path__)}
    public = {name for name in dir(novelkit) if not name.startswith("_")} - submodules
    assert sorted(novelkit.__all__) == novelkit.__all__
    assert set(novelkit.__all__) - {"__version__"} == public
    for name in novelkit.__all__:
        assert getattr(novelkit, name) is not None


def test_version_matches_metadata() -> None:
    from importlib.metadata import version

    assert novelkit.__version__ == version("novelkit")


def test_environment_yml_names_the_same_dependencies() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    declared = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared.update(extra)
    env_text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r'^\s+- "([^"]+)"\s*$', env_text, flags=re.M))
    listed.discard("-e .[test,notebooks,fast]")
    assert listed == declared
    assert "-e .[test,notebooks,fast]" in env_text


def test_constraints_pin_every_runtime_dependency() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    }
    for req in pyproject["project"]["dependencies"]:
        assert _requirement_name(req).replace("_", "-") in pinned, req


def test_import_reads_no_setting_and_creates_nothing(tmp_path: Path) -> None:
    code = (
        "import sys, novelkit, asyncio\n"
        "assert 'nest_asyncio' not in sys.modules or not hasattr(asyncio, '_nest_patched')\n"
        "import sqlalchemy.pool\n"
        "print('ok')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgresql://someone:pw@elsewhere/db",
        "NOVELKIT_DATABASE_URL": "not a url at all://",
        "NOVELKIT_HOME": str(tmp_path / "home"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ok"
    assert not (tmp_path / "home").exists()


def test_py_typed_marker_is_shipped() -> None:
    assert (Path(novelkit.__file__).parent / "py.typed").is_file()
