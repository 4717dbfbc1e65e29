"""Write ``_methods.py``: a sync method and an awaitable twin per public async function.

Every coroutine function in ``novelkit.__all__`` whose first parameter is
``target`` (a session or connection) becomes a facade method: ``load_x`` becomes
``db.x()``, any other name stays (``db.search_text()``), and each gets an
``a``-prefixed awaitable twin. They are spelled out, not attached with
``setattr`` at import, so that type checkers (``mypy --strict`` on a user's
script) and editors see every method with its real signature. Run
``python -m novelkit.facade._generate`` after changing a signature;
``tests/test_facade_methods.py`` fails until you do.
"""

from __future__ import annotations

import builtins
import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["HANDWRITTEN", "TARGET", "facade_functions", "render"]

TARGET = Path(__file__).with_name("_methods.py")

_HEADER = '''"""The data methods of :class:`~novelkit.NovelDB`. GENERATED: do not edit.

Written by ``python -m novelkit.facade._generate`` from the signatures of
novelkit's async functions; ``tests/test_facade_methods.py`` checks that it is
up to date. Each method's full docstring is its function's, appended at import
(see :func:`_document`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

{imports}

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["LoaderMethods"]

T = TypeVar("T")


class LoaderMethods:
    """novelkit's async functions as methods (``db.chapters()``, ``await db.achapters()``)."""

    def _call(self, func: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError

    async def _acall(
        self, func: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any
    ) -> T:
        raise NotImplementedError
'''

_FOOTER = '''

#: Method name -> the function it calls, for the docstrings and the tests.
FUNCTIONS: dict[str, Callable[..., Any]] = {{
{entries}
}}


def _document() -> None:
    """Give each method its function's whole docstring after its own first line."""
    for name, func in FUNCTIONS.items():
        for method in (getattr(LoaderMethods, name), getattr(LoaderMethods, "a" + name)):
            method.__doc__ = f"{{method.__doc__}}\\n\\n{{inspect.cleandoc(func.__doc__ or '')}}"


_document()
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
        found[public.removeprefix("load_")] = func
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


def _arguments(params: list[inspect.Parameter]) -> list[str]:
    return [
        f"{p.name}," if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name},"
        for p in params
    ]


def _alias(func: Callable[..., Any]) -> str:
    return f"_{func.__name__}"


#: ``to=`` value -> what a facade method returns for it (overloads, see :func:`_overloads`).
OUTPUT_TYPES = {"pandas": "pd.DataFrame", "polars": "pl.DataFrame", "arrow": "pa.Table"}


def _overloads(name: str, params: list[inspect.Parameter], *, awaitable: bool) -> str:
    """One ``@overload`` per ``to=`` value, so each output has its own type."""
    head = f"    async def a{name}(" if awaitable else f"    def {name}("
    out = []
    for output, returns in OUTPUT_TYPES.items():
        lines = []
        for line in _signature(params):
            if line.startswith("to:"):
                default = ' = "pandas"' if output == "pandas" else ""
                line = f'to: Literal["{output}"]{default},'
            lines.append(line)
        signature = "\n".join(f"        {line}" for line in lines)
        out.append(f"    @overload\n{head}\n{signature}\n    ) -> {returns}: ...\n")
    return "\n".join(out) + "\n"


def _method(name: str, func: Callable[..., Any], *, awaitable: bool) -> str:
    params = _parameters(func)
    returns = inspect.signature(func).return_annotation
    overloads = ""
    if any(p.name == "to" for p in params):
        overloads = _overloads(name, params, awaitable=awaitable)
    if awaitable:
        head = f"    async def a{name}("
        doc = f"Awaitable twin of :meth:`{name}`: runs on the facade's loop."
        call = "return await self._acall("
    else:
        head = f"    def {name}("
        doc = f":func:`novelkit.{func.__name__}` on this database, with the same keywords."
        call = "return self._call("
    docstring = textwrap.fill(
        doc, width=96, initial_indent='        """', subsequent_indent="        "
    )
    signature = "\n".join(f"        {line}" for line in _signature(params))
    call_lines = [f"{_alias(func)},", *_arguments(params)]
    arguments = "\n".join(f"            {line}" for line in call_lines)
    return overloads + (
        f"{head}\n{signature}\n    ) -> {returns}:\n"
        f'{docstring}"""\n'
        f"        {call}\n{arguments}\n        )\n"
    )


def _relative(module: str) -> str:
    return ".." + module.removeprefix("novelkit.")


def _imports(functions: dict[str, Callable[..., Any]]) -> str:
    """The import lines the generated module needs: functions and annotation names.

    A name used in an annotation is imported from the function's own module
    (where it is in scope), unless it is a well-known one (``pd``, ``Sequence``...).
    """
    groups: dict[str, dict[str, set[str]]] = {"std": {}, "third": {}, "local": {}}
    plain: set[str] = set()
    imported: set[str] = set()

    def add(group: str, module: str, name: str) -> None:
        groups[group].setdefault(module, set()).add(name)

    for func in functions.values():
        add("local", _relative(func.__module__), f"{func.__name__} as {_alias(func)}")
        signature = inspect.signature(func)
        texts = [str(p.annotation) for p in _parameters(func)] + [str(signature.return_annotation)]
        namespace = sys.modules[func.__module__].__dict__
        for name in sorted(set(_IDENTIFIER.findall(" ".join(texts))) - imported):
            if hasattr(builtins, name) or name in {"None", "T", "Coroutine", "Callable"}:
                continue
            imported.add(name)
            if name == "pd":
                continue  # imported for type checkers in the header
            elif name in _STANDARD:
                add("std", _STANDARD[name], name)
            elif name in namespace:
                add("local", _relative(func.__module__), name)
            else:
                raise NameError(f"{func.__name__}: cannot tell where {name!r} comes from")
    blocks = []
    for group in ("std", "third", "local"):
        lines = [
            f"from {module} import {', '.join(sorted(names))}"
            for module, names in sorted(groups[group].items())
        ]
        if group == "third":
            lines = sorted(plain) + lines
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render() -> str:
    """The text ``_methods.py`` must have."""
    functions = facade_functions()
    methods = []
    for name, func in functions.items():
        methods.append(_method(name, func, awaitable=False))
        methods.append(_method(name, func, awaitable=True))
    entries = "\n".join(f'    "{name}": {_alias(func)},' for name, func in functions.items())
    header = _HEADER.format(imports=_imports(functions))
    return _ruff(header + "\n" + "\n".join(methods) + _FOOTER.format(entries=entries))


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
    """Write (or with ``--check``, compare) ``_methods.py``."""
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
