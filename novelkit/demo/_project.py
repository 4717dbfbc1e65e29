"""One demo project being built: its parameters, random stream, clock and rows so far.

:class:`ProjectState` is what the row builders share: :class:`~.rows.ProjectBuilder`
(the project's core rows) extends it, and the functions of :mod:`._llm` and
:mod:`._fusion` take it, so none of them needs another's internals.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from ..schema.tables import Generation
from ._plan import ProjectSpec, Scale
from ._text import ProseWriter

__all__ = ["Ids", "ProjectState", "Row", "Rows", "touched"]

Row = dict[str, Any]
Rows = dict[str, list[Row]]


class Ids:
    """Sequential primary keys per table, shared by every project of one build."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        """The next id of ``table``."""
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value

    def skip(self, table: str, count: int) -> None:
        """Leave a gap, as regenerating a chapter does to ``chapter_versions``."""
        self._next[table] = self._next.get(table, 1) + count


def touched(moment: datetime, rng: random.Random) -> datetime:
    """A Python-side ``datetime.now()`` stamp: the same moment with microseconds."""
    return moment.replace(microsecond=rng.randrange(1, 1_000_000))


class ProjectState:
    """The state of one project's build, shared by every row builder.

    Parameters
    ----------
    spec
        The project from :func:`novelkit.demo._plan.plan_projects`.
    seed, scale, generation
        The build's parameters.
    ids
        The build's id allocator.
    """

    def __init__(
        self, spec: ProjectSpec, *, seed: int, scale: Scale, generation: Generation, ids: Ids
    ) -> None:
        self.spec = spec
        self.scale = scale
        self.fusion = generation == "fusion"
        self.ids = ids
        self.rng = random.Random(f"{seed}/{spec.index}")
        self.prose = ProseWriter(self.rng, spec.world)
        self.rows: Rows = defaultdict(list)
        self.clock = spec.created_at
        self.characters: dict[str, int] = {}
        self.chapter_ids: dict[int, int] = {}

    def tick(self, minutes: float) -> datetime:
        """Move the project's clock on by ``minutes`` (plus a few random seconds)."""
        self.clock += timedelta(minutes=minutes, seconds=self.rng.randint(0, 59))
        return self.clock
