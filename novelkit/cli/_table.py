"""Frames as aligned text tables, measured in terminal columns.

A wide or full-width character (Chinese, Japanese, Korean; full-width punctuation;
most emoji) takes two columns of a terminal, everything else one, as pandas counts
them with ``display.unicode.east_asian_width``: cells are clipped and padded by
that width, so that columns line up under Chinese titles. Format characters
(zero-width space, joiners) are left out of the cells: they take no column.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

__all__ = ["clip", "display_width", "render_table", "visible"]

_ELLIPSIS = "..."
#: What a table without rows says under its column names.
_NO_ROWS = "(no rows)"


def _char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The terminal columns ``text`` takes: 2 per East Asian wide or full-width character.

    Examples
    --------
    >>> display_width("雾港旧事"), display_width("abc"), display_width("Untitled 草稿")
    (8, 3, 13)
    """
    return sum(_char_width(char) for char in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in "..." when it was cut.

    Examples
    --------
    >>> clip("零号带来一个坏消息", 10)
    '零号带...'
    >>> clip("short", 10)
    'short'
    """
    if display_width(text) <= width:
        return text
    room = width - len(_ELLIPSIS)
    kept: list[str] = []
    used = 0
    for char in text:
        used += _char_width(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept) + _ELLIPSIS


def visible(text: str) -> str:
    """``text`` without its format characters (zero-width space, joiners, direction
    marks, BOM): they take no terminal column, but pandas' padding would count one
    each, and the row would come out short.

    Examples
    --------
    >>> visible("零\u200b号\ufeff")
    '零号'
    """
    if text.isascii():
        return text
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _cell(value: object, width: int) -> object:
    if isinstance(value, str):
        return clip(visible(value), width)
    if isinstance(value, dict | list | tuple):
        return clip(visible(str(value)), width)  # parsed JSON: clipped as pandas shows it
    return value


def _clipped(frame: pd.DataFrame, width: int) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype):
            out[column] = values.map(lambda v: _cell(v, width))
    return out


def render_table(frame: pd.DataFrame, *, max_colwidth: int) -> str:
    """``frame`` as a text table without its index, every row in full, cells clipped.

    Text cells longer than ``max_colwidth`` terminal columns end in "..."; columns
    are padded by display width, so rows line up whatever their script. A frame
    without rows is its column names and "(no rows)".

    Examples
    --------
    >>> print(render_table(pd.DataFrame({"title": [], "n": []}), max_colwidth=40))
    title  n
    (no rows)
    """
    if frame.empty:
        # pandas would print its internals ("Empty DataFrame / Columns: [...] / Index: []").
        header = "  ".join(visible(str(column)) for column in frame.columns)
        return f"{header}\n{_NO_ROWS}" if header else _NO_ROWS
    options = (
        "display.max_rows",
        None,
        "display.width",
        200,
        "display.unicode.east_asian_width",
        True,
        "display.unicode.ambiguous_as_wide",
        False,
    )
    with pd.option_context(*options):
        # Clipped here by width: pandas' own max_colwidth counts characters.
        return _clipped(frame, max_colwidth).to_string(index=False)
