"""The status vocabularies of the Arboris schema (declarative data, the one home).

Status-like columns are plain strings in the database; these are the values the
app's code writes. Loaders make them categoricals with these values first (values
a fork writes are kept, after them); the demo writes them.
"""

from __future__ import annotations

__all__ = ["FORESHADOWING_STATUSES", "FORESHADOWING_UNIFIED", "STATUS_VOCABULARIES"]

#: Known values of the status-like columns; values a fork writes are kept too.
STATUS_VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("novel_projects", "status"): (
        "draft",
        "blueprint_ready",
        "part_outlines_ready",
        "chapter_outlines_ready",
        "writing",
        "completed",
    ),
    ("chapters", "status"): (
        "not_generated",
        "generating",
        "evaluating",
        "selecting",
        "failed",
        "evaluation_failed",
        "waiting_for_confirm",
        "successful",
    ),
    ("chapter_evaluations", "decision"): ("reviewed", "skipped", "failed"),
    ("novel_conversations", "role"): ("user", "assistant"),
    ("foreshadowings", "status"): (
        "planted",
        "developing",
        "revealed",
        "abandoned",
        "partial",
        "open",
        "resolved",
    ),
}

#: Foreshadowing statuses: the model's vocabulary, then ForeshadowingService's;
#: both occur in one table.
FORESHADOWING_STATUSES = STATUS_VOCABULARIES[("foreshadowings", "status")]

#: The three foreshadowing vocabularies of the fusion code, mapped to one
#: (``open``, ``developing``, ``resolved``, ``abandoned``, in that order).
FORESHADOWING_UNIFIED = {
    "planted": "open",
    "open": "open",
    "developing": "developing",
    "partial": "developing",
    "revealed": "resolved",
    "resolved": "resolved",
    "abandoned": "abandoned",
}
