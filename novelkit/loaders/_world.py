"""Raw loaders for a novel's concept and world: characters, relations, dialogue, foreshadowing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import shared_sections
from ..arrow._output import Frame, Output, frame_output
from ..schema.vocabularies import FORESHADOWING_UNIFIED
from ._docs import parameter_docs
from ._query import NovelIds, Target
from ._raw import load_simple

__all__ = [
    "load_characters",
    "load_conversations",
    "load_foreshadowings",
    "load_relationships",
]


@frame_output
@shared_sections(**parameter_docs("extra_columns", "parse_json", "flatten_json"))
async def load_characters(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    flatten_json: bool = False,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Blueprint characters (``blueprint_characters``), ``extra`` parsed from JSON.

    Their ids change on every blueprint save: join characters by ``name``.

    Parameters
    ----------
    {{extra_columns}}
    {{parse_json}}
    {{flatten_json}}
    """
    return await load_simple(
        target,
        "blueprint_characters",
        novel_id,
        extra_columns=extra_columns,
        parse_json=parse_json,
        flatten_json=flatten_json,
    )


@frame_output
@shared_sections(**parameter_docs("extra_columns"))
async def load_relationships(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Blueprint relationships; ``character_from``/``character_to`` are names, not ids.

    Parameters
    ----------
    {{extra_columns}}
    """
    return await load_simple(
        target,
        "blueprint_relationships",
        novel_id,
        extra_columns=extra_columns,
    )


@frame_output
@shared_sections(**parameter_docs("extra_columns", "server_timezone"))
async def load_conversations(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """The concept dialogue (``novel_conversations``): ``content`` is the app's JSON text.

    Parameters
    ----------
    {{extra_columns}}
    {{server_timezone}}
    """
    return await load_simple(
        target,
        "novel_conversations",
        novel_id,
        extra_columns=extra_columns,
        server_timezone=server_timezone,
    )


@frame_output
@shared_sections(**parameter_docs("extra_columns", "parse_json", "server_timezone"))
async def load_foreshadowings(
    target: Target,
    novel_id: NovelIds = None,
    *,
    extra_columns: bool = True,
    parse_json: bool = True,
    server_timezone: str | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Foreshadowings (fusion databases), with ``status_unified`` beside ``status``.

    The fusion code writes three vocabularies (planted/developing/revealed,
    open/resolved, abandoned/partial); ``status_unified`` maps them to ``open``,
    ``developing``, ``resolved`` and ``abandoned``, keeping unknown values.

    Parameters
    ----------
    {{extra_columns}}
    {{parse_json}}
    {{server_timezone}}
    """
    frame = await load_simple(
        target,
        "foreshadowings",
        novel_id,
        extra_columns=extra_columns,
        parse_json=parse_json,
        server_timezone=server_timezone,
        hint="Foreshadowings came with the fusion schema (2026-01); this is an older database.",
    )
    position = frame.columns.get_loc("status") + 1
    frame.insert(position, "status_unified", _unified(frame["status"]))
    return frame


def _unified(status: pd.Series) -> pd.Categorical:
    """The status categorical mapped to the one vocabulary, category by category (not per row)."""
    categories = list(status.cat.categories)
    unified_of = [FORESHADOWING_UNIFIED.get(c, c) for c in categories]
    known = list(dict.fromkeys(FORESHADOWING_UNIFIED.values()))
    wanted = known + sorted({u for u in unified_of if u not in known})
    position = {name: code for code, name in enumerate(wanted)}
    # The last entry maps the missing code (-1) to missing.
    recode = np.array([position[u] for u in unified_of] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(recode[status.cat.codes.to_numpy()], categories=wanted)
