"""Every public module says what it exports, and says it truly (httpx's test, for each module).

A module is public when no part of its dotted name starts with an underscore. Its
``__all__`` must name only what exists; a package's ``__all__`` must be exactly
its public namespace (what ``from novelkit.db import *`` gives is what ``dir``
shows); a plain module's must include every public function and class defined
in it. (ruff's RUF022 keeps each list sorted.)
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import novelkit


def _public_modules() -> list[str]:
    names = ["novelkit"]
    for info in pkgutil.walk_packages(novelkit.__path__, "novelkit."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


PUBLIC = _public_modules()


def test_the_public_modules_are_the_documented_ones() -> None:
    assert set(PUBLIC) == {
        "novelkit",
        "novelkit.arrow",
        "novelkit.cli",
        "novelkit.db",
        "novelkit.demo",
        "novelkit.errors",
        "novelkit.facade",
        "novelkit.loaders",
        "novelkit.plotting",
        "novelkit.schema",
        "novelkit.schema.inspect",
        "novelkit.schema.reflect",
        "novelkit.schema.tables",
        "novelkit.schema.vocabularies",
        "novelkit.sql",
        "novelkit.text",
    }


def _is_package(module: ModuleType) -> bool:
    return hasattr(module, "__path__")


@pytest.mark.parametrize("name", PUBLIC)
def test_all_names_what_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"


@pytest.mark.parametrize("name", [n for n in PUBLIC if n != "novelkit"])
def test_all_matches_what_the_module_offers(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    if _is_package(module):
        submodules = {m.name for m in pkgutil.iter_modules(module.__path__)}
        offered = {
            n
            for n, value in vars(module).items()
            if not n.startswith("_")
            and n not in submodules
            and n != "annotations"  # from __future__ import annotations
            and not isinstance(value, ModuleType)
        }
        assert offered == exported, f"{name}: namespace and __all__ differ"
    else:
        defined = {
            n
            for n, value in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == name
        }
        assert defined <= exported, f"{name} defines public names outside __all__"
