"""What a demo database holds at each scale: users, projects, their sizes and statuses.

The plan is drawn from ``random.Random(f"{seed}/plan")`` and each project's rows
from ``random.Random(f"{seed}/{index}")`` (string seeds hash with SHA-512, not
``PYTHONHASHSEED``), so the same seed gives the same database on every run and
projects can be generated one at a time. All timestamps count from
:data:`BASE_TIME`; the wall clock is never read.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ..errors import ConfigurationError
from ._text import WORLDS, World

__all__ = [
    "BASE_TIME",
    "SCALES",
    "SHOWCASES",
    "ProjectSpec",
    "Scale",
    "ScaleName",
    "get_scale",
    "plan_projects",
    "project_uuid",
]

ScaleName = Literal["tiny", "default", "large"]

#: Every timestamp in a demo database counts from here (naive UTC, as the app stores).
BASE_TIME = datetime(2025, 10, 21, 9, 0, 0)


@dataclass(frozen=True)
class Scale:
    """Sizes of one demo scale."""

    name: str
    users: int
    projects: int
    outlines: tuple[int, int]
    big_outlines: tuple[int, ...]
    written: tuple[float, float]
    text_ratio: float
    metadata_text_ratio: float
    turns: tuple[int, int]
    days: int
    foreshadowing_every: int
    long_chapter: int = 20_000


SCALES: dict[str, Scale] = {
    "tiny": Scale(
        name="tiny",
        users=5,
        projects=9,
        outlines=(6, 12),
        big_outlines=(),
        written=(0.4, 0.8),
        text_ratio=1.0,
        metadata_text_ratio=1.0,
        turns=(2, 4),
        days=5,
        foreshadowing_every=0,
    ),
    "default": Scale(
        name="default",
        users=12,
        projects=40,
        outlines=(22, 64),
        big_outlines=(360, 260, 180),
        written=(0.25, 0.6),
        text_ratio=1.0,
        metadata_text_ratio=0.5,
        turns=(8, 16),
        days=30,
        foreshadowing_every=6,
    ),
    "large": Scale(
        name="large",
        users=300,
        projects=2000,
        outlines=(100, 150),
        big_outlines=(1240, 800, 600),
        written=(0.9, 1.0),
        text_ratio=0.055,
        metadata_text_ratio=0.1,
        turns=(3, 8),
        days=60,
        foreshadowing_every=10,
    ),
}

#: The fixed projects every scale starts with; each carries some of the quirks.
SHOWCASES: tuple[str, ...] = ("flagship", "mixed", "bare", "empty", "imported", "saga")

_TINY_STATUSES = ("part_outlines_ready", "chapter_outlines_ready", "writing")
_STATUS_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "tiny": (("writing", 1.0),),
    "default": (
        ("draft", 0.08),
        ("blueprint_ready", 0.3),
        ("part_outlines_ready", 0.07),
        ("chapter_outlines_ready", 0.15),
        ("writing", 0.28),
        ("completed", 0.12),
    ),
    "large": (
        ("draft", 0.03),
        ("blueprint_ready", 0.05),
        ("chapter_outlines_ready", 0.02),
        ("writing", 0.5),
        ("completed", 0.4),
    ),
}


@dataclass(frozen=True)
class ProjectSpec:
    """One project to generate."""

    index: int
    id: str
    user_id: int
    world: World
    title: str
    status: str
    showcase: str | None
    outlines: int
    written: int
    created_at: datetime


def get_scale(name: str) -> Scale:
    """The :class:`Scale` called ``name``; raises ConfigurationError for unknown names."""
    try:
        return SCALES[name]
    except KeyError:
        raise ConfigurationError(
            f"Unknown demo scale {name!r}; use one of: {', '.join(SCALES)}."
        ) from None


def project_uuid(rng: random.Random) -> str:
    """A uuid4-shaped project id drawn from ``rng`` (the app uses ``uuid.uuid4()``)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _showcase(index: int, name: str, rng: random.Random, scale: Scale) -> ProjectSpec:
    worlds = {w.key: w for w in WORLDS}
    created = BASE_TIME + timedelta(hours=2 * index, minutes=rng.randint(0, 59))
    spec = {
        "flagship": (worlds["scifi"], "星海拾遗录", "writing", 2, 36, 12),
        "mixed": (worlds["urban"], "🌙 Moonlight Protocol：月光协议", "blueprint_ready", 2, 18, 4),
        "bare": (worlds["fantasy"], "未命名项目", "draft", 3, 0, 0),
        "empty": (worlds["wuxia"], "江湖夜雨十年灯", "draft", 4, 0, 0),
        "imported": (worlds["republic"], "雾港旧事", "blueprint_ready", 3, 10, 10),
        "saga": (worlds["xianxia"], "青云剑录", "completed", 3, 24, 24),
    }[name]
    world, title, status, owner, outlines, written = spec
    if scale.name == "large" and name == "saga":
        outlines = written = 120
    return ProjectSpec(
        index=index,
        id=project_uuid(rng),
        user_id=min(owner, scale.users),
        world=world,
        title=title,
        status=status,
        showcase=name,
        outlines=outlines,
        written=written,
        created_at=created,
    )


def _sizes(status: str, rng: random.Random, scale: Scale, big: int | None) -> tuple[int, int]:
    if status == "draft":
        return 0, 0
    outlines = big if big is not None else rng.randint(*scale.outlines)
    if status in ("blueprint_ready", "part_outlines_ready") and rng.random() < 0.4:
        outlines = rng.randint(3, 10)
    if status in ("chapter_outlines_ready", "part_outlines_ready"):
        return outlines, 0
    if status == "completed":
        return outlines, outlines
    if status == "blueprint_ready" and rng.random() < 0.5:
        return outlines, 0
    low, high = scale.written
    return outlines, max(1, round(outlines * rng.uniform(low, high)))


def plan_projects(scale: Scale, seed: int) -> list[ProjectSpec]:
    """The projects of a demo database, showcases first, in insertion order."""
    rng = random.Random(f"{seed}/plan")
    specs = [_showcase(i, name, rng, scale) for i, name in enumerate(SHOWCASES)]
    statuses, weights = zip(*_STATUS_WEIGHTS[scale.name], strict=True)
    span = timedelta(days=150)
    generic = scale.projects - len(SHOWCASES)
    for n in range(generic):
        index = len(SHOWCASES) + n
        world = rng.choice(WORLDS)
        big = scale.big_outlines[n] if n < len(scale.big_outlines) else None
        if big is not None:
            status = "writing"
        elif scale.name == "tiny":
            status = _TINY_STATUSES[n % len(_TINY_STATUSES)]  # every status, even at tiny
        else:
            status = rng.choices(statuses, weights)[0]
        outlines, written = _sizes(status, rng, scale, big)
        title = rng.choice(world.titles)
        if rng.random() < 0.3:
            suffix = rng.choice(("：重生", "·续", " II", "（修订版）", "之" + world.places[0]))
            title = f"{title}{suffix}"
        created = BASE_TIME + timedelta(days=2) + span * (n / max(generic, 1))
        specs.append(
            ProjectSpec(
                index=index,
                id=project_uuid(rng),
                user_id=rng.randint(1, scale.users),
                world=world,
                title=title,
                status=status,
                showcase=None,
                outlines=outlines,
                written=written,
                created_at=created + timedelta(minutes=rng.randint(0, 600)),
            )
        )
    return specs
