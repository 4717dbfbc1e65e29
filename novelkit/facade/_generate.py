"""Write ``_methods.pyi``: the typed declarations of NovelDB's data methods.

Every coroutine function in ``novelkit.__all__`` whose first parameter is
``target`` (a session or connection) becomes a facade method: ``load_x`` becomes
``db.x()``, any other name stays (``db.search_text()``), and each gets an
``a``-prefixed awaitable twin. At run time :mod:`._twins` builds them; this stub
spells them out, one ``@overload`` per ``to=`` value, so that type checkers
(``mypy --strict`` on a user's script) and editors see every method with its
real signature and return type. Run ``python -m novelkit.facade._generate``
after changing a signature; ``tests/test_facade_methods.py`` fails until you do.
"""

from __future__ import annotations

import builtins
import inspect
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._twins import OUTPUT_TYPES, method_name

__all__ = ["HANDWRITTEN", "TARGET", "facade_functions", "render"]

TARGET = Path(__file__).with_name("_methods.pyi")

_HEADER = '''"""Typed declarations of :class:`~novelkit.NovelDB`'s data methods. GENERATED.

Written by ``python -m novelkit.facade._generate`` from the signatures of
novelkit's async functions; ``tests/test_facade_methods.py`` checks that it is
up to date. At run time the methods come from ``_twins.py``.
"""

from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar, overload

import pandas as pd
import polars as pl
import pyarrow as pa

{imports}

__all__ = ["LoaderMethods"]

_T = TypeVar("_T")

class LoaderMethods:
    """novelkit's async functions as methods (``db.chapters()``, ``await db.achapters()``)."""

    def _call(
        self, func: Callable[..., Coroutine[Any, Any, _T]], /, *a: Any, **kw: Any
    ) -> _T: ...
    async def _acall(
        self, func: Callable[..., Coroutine[Any, Any, _T]], /, *a: Any, **kw: Any
    ) -> _T: ...
'''

#: Standard-library names used in annotations, and their modules.
_STANDARD = {
    "Sequence": "collections.abc",
    "Mapping": "collections.abc",
    "Iterable": "collections.abc",
    "Any": "typing",
    "Literal": "typing",
}
_IDENTIFIER = re.compile(r"(?<![.\w])[A-Za-z_]\w*")  # not attributes (pd.DataFrame)
#: Names the stub's header already has.
_IN_HEADER = frozenset({"None", "pd", "pl", "pa", "Any", "Literal", "Callable", "Coroutine"})


#: Functions whose facade counterpart is written by hand in ``_noveldb.py``
#: (``db.tables`` is a property).
HANDWRITTEN = frozenset({"tables"})


def facade_functions() -> dict[str, Callable[..., Any]]:
    """Method name -> function, in ``novelkit.__all__`` order."""
    import novelkit

    found: dict[str, Callable[..., Any]] = {}
    for public in novelkit.__all__:
        if public in HANDWRITTEN:
            continue
        func = getattr(novelkit, public)
        if not inspect.iscoroutinefunction(func):
            continue
        params = list(inspect.signature(func).parameters)
        if params[:1] != ["target"]:
            continue
        found[method_name(func)] = func
    return found


def _parameters(func: Callable[..., Any]) -> list[inspect.Parameter]:
    return list(inspect.signature(func).parameters.values())[1:]  # without the target


def _signature(params: list[inspect.Parameter]) -> list[str]:
    lines = ["self,"]
    star_written = False
    for param in params:
        if param.kind is inspect.Parameter.KEYWORD_ONLY and not star_written:
            lines.append("*,")
            star_written = True
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {param.annotation}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {param.default!r}"
        lines.append(text + ",")
    return lines


def _declarations(name: str, func: Callable[..., Any], *, awaitable: bool) -> str:
    """The method declared: one ``@overload`` per ``to=`` value, so each output has its type."""
    params = _parameters(func)
    head = f"    async def a{name}(" if awaitable else f"    def {name}("
    if not any(p.name == "to" for p in params):
        returns = inspect.signature(func).return_annotation
        return f"{head}\n{_indented(_signature(params))}\n    ) -> {returns}: ...\n"
    out = []
    for output, returns in OUTPUT_TYPES.items():
        lines = []
        for line in _signature(params):
            if line.startswith("to:"):
                default = ' = "pandas"' if output == "pandas" else ""
                line = f'to: Literal["{output}"]{default},'
            lines.append(line)
        out.append(f"    @overload\n{head}\n{_indented(lines)}\n    ) -> {returns}: ...\n")
    return "".join(out)


def _indented(lines: list[str]) -> str:
    return "\n".join(f"        {line}" for line in lines)


def _relative(module: str) -> str:
    return ".." + module.removeprefix("novelkit.")


def _exporter(name: str, home: str) -> str:
    """The module to import ``name`` from: one that lists it in ``__all__``.

    ``mypy --strict`` accepts no other (no implicit re-exports): ``home``, the
    function's own module, if it does, else the deepest novelkit module that
    does, where the name is defined.
    """
    wanted = sys.modules[home].__dict__[name]
    exporters = [
        module_name
        for module_name, module in sorted(sys.modules.items())
        if module_name.startswith("novelkit")
        and name in getattr(module, "__all__", ())
        and getattr(module, name, None) is wanted
    ]
    if not exporters:
        raise NameError(f"no novelkit module exports {name!r} (used in {home})")
    return home if home in exporters else max(exporters, key=lambda m: m.count("."))


def _imports(functions: dict[str, Callable[..., Any]]) -> str:
    """The import lines the stub needs for the names its annotations use.

    A name used in an annotation is imported from the function's own module
    (where it is in scope), unless it is a well-known one (``pd``, ``Sequence``...).
    """
    groups: dict[str, dict[str, set[str]]] = {"std": {}, "local": {}}
    seen: set[str] = set()
    for func in functions.values():
        namespace = sys.modules[func.__module__].__dict__
        for name in sorted(set(_IDENTIFIER.findall(_annotations(func))) - seen):
            seen.add(name)
            if hasattr(builtins, name) or name in _IN_HEADER:
                continue
            if name in _STANDARD:
                module, group = _STANDARD[name], "std"
            elif name in namespace:
                module, group = _relative(_exporter(name, func.__module__)), "local"
            else:
                raise NameError(f"{func.__name__}: cannot tell where {name!r} comes from")
            groups[group].setdefault(module, set()).add(name)
    return "\n\n".join(
        "\n".join(
            f"from {module} import {', '.join(sorted(names))}"
            for module, names in sorted(modules.items())
        )
        for modules in groups.values()
        if modules
    )


def _annotations(func: Callable[..., Any]) -> str:
    """The annotations the stub writes for ``func`` (overloads replace ``to=``'s and the return)."""
    params = _parameters(func)
    texts = [str(p.annotation) for p in params if p.name != "to"]
    if not any(p.name == "to" for p in params):
        texts.append(str(inspect.signature(func).return_annotation))
    return " ".join(texts)


def render() -> str:
    """The text ``_methods.pyi`` must have."""
    functions = facade_functions()
    declarations = [
        _declarations(name, func, awaitable=awaitable)
        for name, func in functions.items()
        for awaitable in (False, True)
    ]
    header = _HEADER.format(imports=_imports(functions))
    return _ruff(header + "\n" + "\n".join(declarations))


def _ruff(text: str) -> str:
    """``text`` with its imports sorted and formatted as ``make lint`` wants (ruff, a dev tool)."""
    name = str(TARGET)
    for command in (
        ["check", "--fix-only", "--select", "I", "--quiet", "--stdin-filename", name, "-"],
        ["format", "--quiet", "--stdin-filename", name, "-"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=TARGET.parents[2],
        )
        text = done.stdout
    return text


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) ``_methods.pyi``."""
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
