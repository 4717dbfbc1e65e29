"""Build NovelDB's data methods: a sync method and an awaitable twin per async function.

Each method is one small generic function given its loader's signature
(``__signature__``), name and docstring, so ``help()``, ``inspect.signature``
and IPython's Tab completion show the real keywords. Type checkers do not read
this module for the methods: they read the generated stub ``_methods.pyi``
(written by ``_generate`` from the same functions), which spells out one
``@overload`` per ``to=`` value.
"""

from __future__ import annotations

import difflib
import inspect
import re
import types
import typing
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from ..loaders._activity import load_activity
from ..loaders._generic import load_table
from ..loaders._novels import load_admin_stats, load_novels, load_usage, load_users
from ..loaders._story import load_chapters, load_outlines
from ..loaders._versions import load_evaluations, load_versions
from ..loaders._world import (
    load_characters,
    load_conversations,
    load_foreshadowings,
    load_relationships,
)
from ..sql._load import load_sql
from ..text._api import search_text, text_stats
from ..text._cast import cooccurrence, mentions

__all__ = ["FUNCTIONS", "OUTPUT_TYPES", "LoaderMethods", "method_name", "stream_method"]

T = TypeVar("T")

#: The async functions that become facade methods, in ``novelkit.__all__`` order
#: (``tests/test_facade_methods.py`` checks this against ``_generate.facade_functions``).
FUNCTIONS: tuple[Callable[..., Coroutine[Any, Any, Any]], ...] = (
    cooccurrence,
    load_activity,
    load_admin_stats,
    load_chapters,
    load_characters,
    load_conversations,
    load_evaluations,
    load_foreshadowings,
    load_novels,
    load_outlines,
    load_relationships,
    load_sql,
    load_table,
    load_usage,
    load_users,
    load_versions,
    mentions,
    search_text,
    text_stats,
)

#: ``to=`` value -> what a facade method returns for it (one overload each).
OUTPUT_TYPES = {"pandas": "pd.DataFrame", "polars": "pl.DataFrame", "arrow": "pa.Table"}


def method_name(func: Callable[..., Any]) -> str:
    """``load_chapters`` -> ``chapters``; any other name stays (``search_text``)."""
    return func.__name__.removeprefix("load_")


class LoaderMethods:
    """novelkit's async functions as methods (``db.chapters()``, ``await db.achapters()``)."""

    def _call(self, func: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError

    async def _acall(self, func: Callable[..., Coroutine[Any, Any, T]], /, *a: Any, **kw: Any) -> T:
        raise NotImplementedError


def _method_signature(func: Callable[..., Any]) -> inspect.Signature:
    """The function's signature with ``self`` in place of its ``target``."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())[1:]
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return signature.replace(parameters=[self_param, *params])


def _bind(
    signature: inspect.Signature, method: Callable[..., Any], args: Any, kwargs: Any
) -> tuple[Any, list[Any], dict[str, Any]]:
    """``self``, then the call's other arguments checked and with their defaults filled in.

    Checked here so that a wrong keyword fails at the call, before a session is
    opened, naming the method as a spelled-out method would.
    """
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as error:
        # Named as the user calls it: the class of the object (NovelDB), not the base
        # class that holds the methods.
        owner = type(args[0]).__name__ if args else LoaderMethods.__name__
        raise TypeError(
            f"{owner}.{method.__name__}() {error}{_keyword_meant(signature, kwargs)}"
        ) from None
    bound.apply_defaults()
    self, *rest = bound.args
    return self, rest, bound.kwargs


def _keyword_meant(signature: inspect.Signature, kwargs: dict[str, Any]) -> str:
    """``; did you mean dedupe=?`` for a keyword close to one the method takes, or ''."""
    taken = [name for name in signature.parameters if name != "self"]
    for given in kwargs:
        if given not in signature.parameters:
            close = difflib.get_close_matches(given, taken, n=1, cutoff=0.75)
            if close:
                return f"; did you mean {close[0]}=?"
    return ""


def _twins(
    func: Callable[..., Coroutine[Any, Any, Any]],
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The facade method of ``func`` and its ``a``-prefixed awaitable twin."""
    name = method_name(func)
    signature = _method_signature(func)

    def method(*args: Any, **kwargs: Any) -> Any:
        self, rest, keywords = _bind(signature, method, args, kwargs)
        return self._call(func, *rest, **keywords)

    async def amethod(*args: Any, **kwargs: Any) -> Any:
        self, rest, keywords = _bind(signature, amethod, args, kwargs)
        return await self._acall(func, *rest, **keywords)

    summary = f":func:`novelkit.{func.__name__}` on this database, with the same keywords."
    twin_summary = f"Awaitable twin of :meth:`{name}`: runs on the facade's loop."
    return (
        _named(method, name, func, signature, summary),
        _named(amethod, "a" + name, func, signature, twin_summary),
    )


def _named(
    method: Callable[..., Any],
    name: str,
    func: Callable[..., Any],
    signature: inspect.Signature,
    summary: str,
) -> Callable[..., Any]:
    """``method`` dressed as the facade method ``name`` of ``func``, its overloads registered."""
    method.__name__ = name
    method.__qualname__ = f"{LoaderMethods.__name__}.{name}"
    method.__module__ = LoaderMethods.__module__
    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__doc__ = f"{summary}\n\n{_facade_doc(func, name, signature)}"
    _register_overloads(method, signature)
    return method


#: A parameters section's entry for ``novel_id``, for loaders whose docstring leaves it out.
_NOVEL_ID_DOC = """novel_id
    A project id (or a unique prefix of 6+ characters of it) or a list of them;
    ``None`` for every novel."""


def _facade_doc(func: Callable[..., Any], name: str, signature: inspect.Signature) -> str:
    """``func``'s docstring as the facade method ``name`` shows it in ``help()``.

    Its examples call the method (``db.chapters(dedupe=True)``, ``await
    db.achapters(...)`` for the twin) rather than the loader on a session, the
    session parameter is left out of the parameters, and ``novel_id`` is described
    where the method takes it and the loader's docstring does not.
    """
    doc = inspect.cleandoc(func.__doc__ or "")
    awaited = name.startswith("a") and name[1:] == method_name(func)
    call = f"await db.{name}(" if awaited else f"db.{name}("
    loader = rf"await novelkit\.{func.__name__}\("
    doc = re.sub(
        r">>> async with novelkit\.open_session\(engine\) as session:  # doctest: \+SKIP\n"
        r"\.\.\.     ([^\n]*)",
        r">>> \1  # doctest: +SKIP",
        doc,
    )
    doc = re.sub(
        loader + r"(  # doctest: \+SKIP)?\n\.\.\.     (?:session|target),\n", call + r"\1\n", doc
    )
    doc = re.sub(loader + r"(?:session|target|conn)(?:, )?", call, doc)
    doc = doc.replace("await novelkit.tables(session)", "db.tables")
    # A stream's example: ``async for chunk in novelkit.iter_frames(session, ...)``.
    doc = re.sub(
        rf"async for (\w+) in novelkit\.{func.__name__}\("
        r"((?:  # doctest: \+SKIP)?\n\.\.\.\s+)?(?:session|target|conn),\s*",
        rf"for \1 in db.{name}(\2",
        doc,
    )
    # The method opens its own session: there is no ``target`` to speak of.
    doc = doc.replace(
        "runs on ``target``'s connection (never closed here)",
        "runs on a session of its own on this database, closed after the call",
    )
    if awaited:
        doc = re.sub(rf"(?<![\w.])db\.{method_name(func)}\(", call, doc)
    doc = re.sub(
        r"\ntarget\n    An ``AsyncSession`` or ``AsyncConnection``[^\n]*(\n    [^\n]*)*", "", doc
    )
    if "novel_id" in signature.parameters and "\nnovel_id\n" not in doc:
        header = "Parameters\n----------\n"
        if header in doc:
            doc = doc.replace(header, header + _NOVEL_ID_DOC + "\n", 1)
        else:
            # Before the examples, else before the paragraph on fast= and to=, else last.
            cut = min(
                (
                    i
                    for i in (doc.find("\n\nExamples\n"), doc.find("\n\nEvery such call"))
                    if i >= 0
                ),
                default=len(doc),
            )
            doc = f"{doc[:cut]}\n\n{header}{_NOVEL_ID_DOC}{doc[cut:]}"
    return doc


def stream_method(
    func: Callable[..., Any],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: a synchronous stream method gets ``func``'s docstring, as ``help()`` shows it.

    The method spells out its keywords (so that type checkers see them); they
    must be ``func``'s without its ``target``, names, kinds and defaults alike,
    or the import fails here rather than a user's call later.
    """

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(method)
        wanted = list(_method_signature(func).parameters.values())
        shape = [(p.name, p.kind, p.default) for p in signature.parameters.values()]
        if shape != [(p.name, p.kind, p.default) for p in wanted]:
            raise TypeError(f"{method.__qualname__}: its parameters are not {func.__name__}'s")
        summary = f"Synchronous twin of :func:`novelkit.{func.__name__}`: chunks one at a time."
        method.__doc__ = f"{summary}\n\n{_facade_doc(func, method.__name__, signature)}"
        return method

    return decorate


def _overload_placeholder(*args: Any, **kwargs: Any) -> Any:
    """Stands for one ``to=`` overload in ``typing.get_overloads``; never called."""
    raise NotImplementedError


def _register_overloads(method: Callable[..., Any], signature: inspect.Signature) -> None:
    """One overload per ``to=`` value, as ``typing.get_overloads(method)`` shows them."""
    to = signature.parameters["to"]
    for line, (output, returns) in enumerate(OUTPUT_TYPES.items(), start=1):
        default = output if output == "pandas" else inspect.Parameter.empty
        params = [
            p if p is not to else to.replace(annotation=f"Literal[{output!r}]", default=default)
            for p in signature.parameters.values()
        ]
        # typing keeps one overload per first line number: give each its own.
        code = _overload_placeholder.__code__.replace(co_firstlineno=line)
        declared = types.FunctionType(code, _overload_placeholder.__globals__, method.__name__)
        declared.__qualname__ = method.__qualname__
        declared.__module__ = method.__module__
        declared.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=params, return_annotation=returns
        )
        typing.overload(declared)


for _func in FUNCTIONS:
    for _method in _twins(_func):
        setattr(LoaderMethods, _method.__name__, _method)
