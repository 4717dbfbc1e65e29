"""Loaders: the app's tables as pandas DataFrames through async sessions.

Every loader takes an ``AsyncSession`` or ``AsyncConnection`` and never closes it.
"""

from ._activity import load_activity
from ._generic import iter_frames, load_table
from ._novels import load_admin_stats, load_novels, load_usage, load_users
from ._query import NovelIds
from ._story import load_chapters, load_outlines
from ._versions import load_evaluations, load_versions
from ._wordcount import chars_nonspace, cjk_chars_plus_words
from ._world import load_characters, load_conversations, load_foreshadowings, load_relationships

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
