"""Docstring sections several public functions share, written once.

A function's docstring names a shared section by a ``{{name}}`` line; the
:func:`shared_sections` decorator puts the section's text there, so ``help()``
shows the whole docstring while the text has one home.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

__all__ = ["shared_sections"]

F = TypeVar("F", bound=Callable[..., object])


def shared_sections(**sections: str) -> Callable[[F], F]:
    """Decorator: replace each ``{{name}}`` line of the docstring with ``sections[name]``.

    The docstring is cleaned (:func:`inspect.cleandoc`) first, so the sections
    are written without indentation; a placeholder without a section, or a
    section without its placeholder, is an error at import.
    """

    def decorate(func: F) -> F:
        doc = inspect.cleandoc(func.__doc__ or "")
        for name, text in sections.items():
            placeholder = "{{" + name + "}}"
            if placeholder not in doc:
                raise ValueError(f"{func.__qualname__}: no {placeholder} in the docstring")
            doc = doc.replace(placeholder, inspect.cleandoc(text))
        if "{{" in doc:
            raise ValueError(f"{func.__qualname__}: a {{{{...}}}} placeholder is left")
        func.__doc__ = doc
        return func

    return decorate
