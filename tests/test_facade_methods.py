"""NovelDB's loader methods are spelled out, in step with the loaders, and type-check.

The methods live in ``novelkit/facade/_methods.py``, generated from the signatures
of novelkit's async functions by ``python -m novelkit.facade._generate``: a type checker and an
editor see every method, its keywords and its return type.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from novelkit import NovelDB
from novelkit.facade import _generate


def test_generated_methods_are_up_to_date() -> None:
    assert _generate.TARGET.read_text(encoding="utf-8") == _generate.render(), (
        "novelkit/facade/_methods.py is out of date: run python -m novelkit.facade._generate"
    )


@pytest.mark.parametrize("name", sorted(_generate.facade_functions()))
def test_each_loader_has_twins_with_its_signature(name: str) -> None:
    loader = _generate.facade_functions()[name]
    wanted = list(inspect.signature(loader).parameters.values())[1:]  # without the target
    for method_name in (name, "a" + name):
        method = getattr(NovelDB, method_name)
        params = list(inspect.signature(method).parameters.values())[1:]  # without self
        assert [(p.name, p.kind, p.default) for p in params] == [
            (p.name, p.kind, p.default) for p in wanted
        ]
        # The implementation returns ``Frame``; one overload per ``to=`` says which type.
        assert inspect.signature(method).return_annotation == "Frame"
        overloads = typing.get_overloads(method)
        assert [inspect.signature(o).return_annotation for o in overloads] == [
            "pd.DataFrame",
            "pl.DataFrame",
            "pa.Table",
        ]
    assert inspect.iscoroutinefunction(getattr(NovelDB, "a" + name))
    assert not inspect.iscoroutinefunction(getattr(NovelDB, name))


@pytest.mark.parametrize("name", sorted(_generate.facade_functions()))
def test_docstrings_say_what_each_method_is(name: str) -> None:
    loader = _generate.facade_functions()[name]
    sync_doc = getattr(NovelDB, name).__doc__
    async_doc = getattr(NovelDB, "a" + name).__doc__
    # db.activity and db.admin_stats are synchronous, whatever their first letter.
    assert sync_doc.startswith(f":func:`novelkit.{loader.__name__}` on this database")
    assert async_doc.startswith("Awaitable twin of")
    summary = inspect.getdoc(loader).splitlines()[0]
    assert summary in sync_doc
    assert summary in async_doc


@pytest.mark.parametrize("name", sorted(_generate.facade_functions()))
def test_help_shows_the_method_as_it_is_called(name: str) -> None:
    """``help(db.chapters)``: examples call ``db.chapters(...)`` (``await db.achapters``
    for the twin), not the loader on a session; no session parameter is described;
    ``novel_id`` is, wherever the method takes it."""
    for method_name, call in ((name, f"db.{name}("), ("a" + name, f"await db.a{name}(")):
        method = getattr(NovelDB, method_name)
        doc = method.__doc__
        assert "(session" not in doc
        assert "session," not in doc
        assert "\ntarget\n" not in doc
        assert "open_session(" not in doc
        if ">>> " in doc and f"novelkit.{_generate.facade_functions()[name].__name__}(" not in doc:
            assert call in doc, doc
        if "novel_id" in inspect.signature(method).parameters:
            assert "\nnovel_id\n" in doc, doc


@pytest.mark.slow
def test_a_users_script_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(
        "import pandas as pd\n"
        "import novelkit\n\n\n"
        "def main() -> None:\n"
        "    db = novelkit.connect()\n"
        "    novels: pd.DataFrame = db.novels()\n"
        "    chapters: pd.DataFrame = db.chapters(novel_id='x', dedupe=True)\n"
        "    info: novelkit.DatabaseInfo = db.inspect()\n"
        "    print(len(novels), len(chapters), info.generation)\n"
        "    db.close()\n",
        encoding="utf-8",
    )
    bad = tmp_path / "typo.py"
    bad.write_text(
        "import novelkit\n\n\n"
        "def main() -> None:\n"
        "    db = novelkit.connect()\n"
        "    db.chapters(dedup=True)\n",
        encoding="utf-8",
    )
    run = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent"]
    good = subprocess.run([*run, str(script)], capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = subprocess.run([*run, str(bad)], capture_output=True, text=True, check=False)
    assert wrong.returncode == 1, wrong.stdout
    assert 'Unexpected keyword argument "dedup"' in wrong.stdout
