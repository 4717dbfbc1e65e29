"""Loaders: the app's tables as pandas DataFrames through async sessions.

Every loader takes an ``AsyncSession`` or ``AsyncConnection`` and never closes it.
"""

from ._query import NovelIds
from .activity import load_activity
from .generic import iter_frames, load_table
from .novels import load_admin_stats, load_novels, load_usage, load_users
from .story import (
    load_chapters,
    load_characters,
    load_conversations,
    load_evaluations,
    load_foreshadowings,
    load_outlines,
    load_relationships,
    load_versions,
)
from .wordcount import chars_nonspace, cjk_chars_plus_words

__all__ = [
    "NovelIds",
    "chars_nonspace",
    "cjk_chars_plus_words",
    "iter_frames",
    "load_activity",
    "load_admin_stats",
    "load_chapters",
    "load_characters",
    "load_conversations",
    "load_evaluations",
    "load_foreshadowings",
    "load_novels",
    "load_outlines",
    "load_relationships",
    "load_table",
    "load_usage",
    "load_users",
    "load_versions",
]
