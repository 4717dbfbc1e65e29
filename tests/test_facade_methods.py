"""NovelDB's loader methods are spelled out, in step with the loaders, and type-check.

The methods live in ``novelkit/facade/_methods.py``, generated from the signatures
of novelkit's async functions by ``python -m novelkit.facade._generate``: a type checker and an
editor see every method, its keywords and its return type.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import novelkit
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


#: Every data method of NovelDB: the generated ones, their twins, the streams written by hand.
_GENERATED = list(_generate.facade_functions())
ALL_METHODS = sorted([*_GENERATED, *(f"a{n}" for n in _GENERATED), "iter_frames", "iter_sql"])


def _described(doc: str) -> set[str]:
    """The names a numpydoc Parameters section describes (``a, b`` lines name both)."""
    found = re.search(r"\nParameters\n-+\n(.*?)(?:\n\n\S[^\n]*\n-+\n|\Z)", doc, re.S)
    if found is None:
        return set()
    return {
        name.strip()
        for line in found.group(1).splitlines()
        if line and not line.startswith(" ")
        for name in line.split(":")[0].split(",")
    }


@pytest.mark.parametrize("name", ALL_METHODS)
def test_help_describes_every_parameter(name: str) -> None:
    """Was: help(db.chapters) left out extra_columns and server_timezone, help(db.table)
    six of its keywords, help(db.iter_frames) showed (table, **kwargs) and one line."""
    method = getattr(NovelDB, name)
    doc = inspect.getdoc(method) or ""
    described = _described(doc)
    for param in list(inspect.signature(method).parameters)[1:]:  # without self
        if param in ("fast", "to"):
            assert "also takes ``fast=`` and ``to=``" in doc, name
        else:
            assert param in described, f"help(db.{name}) does not describe {param}"


@pytest.mark.parametrize("name", ["iter_frames", "iter_sql"])
def test_streams_have_their_functions_keywords_and_help(name: str) -> None:
    func = getattr(novelkit, name)
    wanted = list(inspect.signature(func).parameters.values())[1:]  # without the target
    method = getattr(NovelDB, name)
    params = list(inspect.signature(method).parameters.values())[1:]  # without self
    assert [(p.name, p.kind, p.default) for p in params] == [
        (p.name, p.kind, p.default) for p in wanted
    ]
    doc = method.__doc__
    assert doc.startswith(f"Synchronous twin of :func:`novelkit.{name}`")
    assert "chunksize" in _described(doc)
    assert f"for chunk in db.{name}(" in doc
    assert "session" not in doc.split("Examples")[1]


def test_help_of_sql_speaks_of_the_method_not_the_function() -> None:
    """Was: 'runs on ``target``'s connection' (db.sql has no target) and Returns
    ``pandas.DataFrame`` whatever ``to=`` says."""
    for method in (NovelDB.sql, NovelDB.asql):
        doc = method.__doc__
        assert "``target``" not in doc
        returns = doc.split("Returns\n-------\n")[1].splitlines()[0]
        assert "polars.DataFrame" in returns
        assert "pyarrow.Table" in returns


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
