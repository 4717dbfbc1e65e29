"""Write ``_methods.py``: one sync method and one awaitable twin per loader, spelled out.

Spelled out, not attached with ``setattr`` at import, so that type checkers
(``mypy --strict`` on a user's script) and editors see every method with its
real signature. Run ``python -m novelkit.facade._generate`` after changing a
loader's signature; ``tests/test_facade_methods.py`` fails until you do.
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import loaders

__all__ = ["TARGET", "facade_loaders", "render"]

TARGET = Path(__file__).with_name("_methods.py")

_HEADER = '''"""The loader methods of :class:`~novelkit.NovelDB`. GENERATED: do not edit.

Written by ``python -m novelkit.facade._generate`` from the loaders' signatures;
``tests/test_facade_methods.py`` checks that it is up to date. Each method's
full docstring is its loader's, appended at import (see :func:`_document`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

import pandas as pd

from .. import loaders
from ..loaders import NovelIds

__all__ = ["LoaderMethods"]

T = TypeVar("T")


class LoaderMethods:
    """Every loader as a method of the facade (``db.chapters()``, ``await db.achapters()``)."""

    def _call(self, loader: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError

    async def _acall(
        self, loader: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any
    ) -> T:
        raise NotImplementedError
'''

_FOOTER = '''

#: Method name -> the loader it calls, for the docstrings and the tests.
LOADERS: dict[str, Callable[..., Any]] = {{
{entries}
}}


def _document() -> None:
    """Give each method its loader's whole docstring after its own first line."""
    for name, loader in LOADERS.items():
        for method in (getattr(LoaderMethods, name), getattr(LoaderMethods, "a" + name)):
            method.__doc__ = f"{{method.__doc__}}\\n\\n{{inspect.cleandoc(loader.__doc__ or '')}}"


_document()
'''


def facade_loaders() -> dict[str, Callable[..., Any]]:
    """Method name (the loader's name without ``load_``) -> loader, in ``__all__`` order."""
    return {
        name.removeprefix("load_"): getattr(loaders, name)
        for name in loaders.__all__
        if name.startswith("load_")
    }


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


def _method(name: str, loader: Callable[..., Any], *, awaitable: bool) -> str:
    params = _parameters(loader)
    public = loader.__name__
    if awaitable:
        head = f"    async def a{name}("
        doc = f"Awaitable twin of :meth:`{name}`: runs on the facade's loop."
        call = "return await self._acall("
    else:
        head = f"    def {name}("
        doc = f":func:`novelkit.{public}` on this database, with the same keywords."
        call = "return self._call("
    docstring = textwrap.fill(
        doc, width=96, initial_indent='        """', subsequent_indent="        "
    )
    signature = "\n".join(f"        {line}" for line in _signature(params))
    call_lines = [f"loaders.{public},", *_arguments(params)]
    arguments = "\n".join(f"            {line}" for line in call_lines)
    return (
        f"{head}\n{signature}\n    ) -> pd.DataFrame:\n"
        f'{docstring}"""\n'
        f"        {call}\n{arguments}\n        )\n"
    )


def render() -> str:
    """The text ``_methods.py`` must have."""
    methods = []
    for name, loader in facade_loaders().items():
        methods.append(_method(name, loader, awaitable=False))
        methods.append(_method(name, loader, awaitable=True))
    entries = "\n".join(
        f'    "{name}": loaders.{loader.__name__},' for name, loader in facade_loaders().items()
    )
    footer = _FOOTER.format(entries=entries)
    return _HEADER + "\n" + "\n".join(methods) + footer


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
