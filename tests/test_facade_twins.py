"""The run-time half of NovelDB's data methods (``novelkit/facade/_twins.py``).

The stub ``_methods.pyi`` is generated from ``_generate.facade_functions()``;
the methods Python runs are built from ``_twins.FUNCTIONS``: both lists name
the same functions.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

import novelkit
from novelkit.facade import _generate, _twins


def test_the_runtime_methods_and_the_stub_come_from_the_same_functions() -> None:
    runtime = {_twins.method_name(func): func for func in _twins.FUNCTIONS}
    assert runtime == _generate.facade_functions()
    assert list(runtime) == list(_generate.facade_functions())


def test_a_wrong_keyword_fails_at_the_call_naming_the_method() -> None:
    """Named as the user calls it (NovelDB, not the base class that holds the methods),
    with the keyword meant when one is close."""
    pattern = r"NovelDB\.chapters\(\) .*'dedup'.*did you mean dedupe=\?"
    with novelkit.connect() as db, pytest.raises(TypeError, match=pattern):
        db.chapters(dedup=True)


async def test_a_wrong_keyword_fails_in_the_awaitable_twin_too() -> None:
    pattern = r"NovelDB\.achapters\(\) .*'dedup'.*did you mean dedupe=\?"
    with novelkit.connect() as db, pytest.raises(TypeError, match=pattern):
        await db.achapters(dedup=True)


def test_a_missing_argument_names_the_method_as_called() -> None:
    with novelkit.connect() as db, pytest.raises(TypeError, match=r"^NovelDB\.cooccurrence\(\) "):
        db.cooccurrence()


def test_the_stub_is_shipped_with_the_package() -> None:
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    setuptools = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = setuptools["package-data"]["novelkit"]
    assert any(fnmatch.fnmatch("facade/_methods.pyi", pattern) for pattern in patterns)
