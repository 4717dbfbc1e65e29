"""Rows of the fusion tables for one demo project: foreshadowing, factions, memory.

Most fusion tables stay empty in real deployments (the app writes them only
from optional flows), so only a few projects get these rows. The memory-layer
tables (``character_states``, ``timeline_events``, ``causal_chains``,
``story_time_trackers``) have a bare BIGINT primary key that is not a rowid
alias on SQLite: the app cannot insert into them there, so the demo fills them
on MySQL only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..schema.vocabularies import FORESHADOWING_STATUSES
from ._project import ProjectState, touched

__all__ = ["add_fusion_rows"]

_TYPES = ("question", "mystery", "hint", "clue", "setup")
_RELATIONS = ("ally", "enemy", "rival", "neutral", "vassal", "overlord", "trade_partner", "at_war")


def add_fusion_rows(builder: ProjectState, *, memory_layer: bool) -> None:
    """Append foreshadowings, factions and memories of ``builder``'s project to its rows.

    Parameters
    ----------
    builder
        A project builder whose :meth:`~ProjectState.build` has run.
    memory_layer
        Also fill the memory-layer tables (MySQL only; see the module docstring).
    """
    if not builder.chapter_ids or not builder.characters:
        return
    _foreshadowings(builder)
    _factions(builder)
    _memory(builder)
    if memory_layer:
        _memory_layer(builder)


def _foreshadowings(b: ProjectState) -> None:
    rng, spec, ids, rows = b.rng, b.spec, b.ids, b.rows
    numbers = sorted(b.chapter_ids)
    saga = spec.showcase == "saga"
    statuses = FORESHADOWING_STATUSES if saga else rng.sample(FORESHADOWING_STATUSES, k=3)
    for status in statuses:
        number = rng.choice(numbers[: max(1, len(numbers) // 2)])
        later = [n for n in numbers if n > number]
        resolved = rng.choice(later) if later and status in ("revealed", "resolved") else None
        moment = touched(b.tick(1), rng).replace(microsecond=0)
        foreshadowing_id = ids.take("foreshadowings")
        rows["foreshadowings"].append(
            {
                "id": foreshadowing_id,
                "project_id": spec.id,
                "chapter_id": b.chapter_ids[number],
                "chapter_number": number,
                "content": b.prose.summary((1, 1)),
                "type": rng.choice(_TYPES),
                "keywords": rng.sample(spec.world.items, k=2),
                "status": status,
                "resolved_chapter_id": b.chapter_ids[resolved] if resolved else None,
                "resolved_chapter_number": resolved,
                "name": rng.choice((None, b.prose.outline_title())),
                "importance": rng.choice(("major", "minor", "subtle", None)),
                "urgency": rng.choice((None, rng.randint(1, 10))),
                "is_manual": rng.random() < 0.5,
                "ai_confidence": rng.choice((None, round(rng.uniform(0.5, 0.99), 2))),
                "created_at": moment,
                "updated_at": moment,
            }
        )
        if status not in ("planted", "open"):
            rows["foreshadowing_status_history"].append(
                {
                    "id": ids.take("foreshadowing_status_history"),
                    "foreshadowing_id": foreshadowing_id,
                    "old_status": "planted",
                    "new_status": status,
                    "chapter_number": resolved or number,
                    "reason": b.prose.summary((1, 1)),
                    "created_at": moment + timedelta(minutes=5),
                }
            )
        if resolved:
            rows["foreshadowing_resolutions"].append(
                {
                    "id": ids.take("foreshadowing_resolutions"),
                    "foreshadowing_id": foreshadowing_id,
                    "resolved_at_chapter_id": b.chapter_ids[resolved],
                    "resolved_at_chapter_number": resolved,
                    "resolution_text": b.prose.summary((2, 3)),
                    "resolution_type": rng.choice(("direct", "twist", "delayed")),
                    "quality_score": rng.randint(5, 10),
                    "created_at": moment,
                    "updated_at": moment,
                }
            )
        elif status in ("planted", "open"):
            start = number + rng.randint(5, 12)
            rows["foreshadowing_reminders"].append(
                {
                    "id": ids.take("foreshadowing_reminders"),
                    "project_id": spec.id,
                    "foreshadowing_id": foreshadowing_id,
                    "reminder_type": rng.choice(("unresolved", "long_time_no_mention")),
                    "message": f"第 {number} 章埋下的伏笔已有多章未提及，是否打算在后续解答？",
                    # The JSON text null where no range was suggested.
                    "suggested_chapter_range": {"start": start, "end": start + 3}
                    if status == "planted"
                    else None,
                    "status": "active" if status == "planted" else "dismissed",
                    "created_at": moment,
                    "updated_at": moment,
                }
            )


def _factions(b: ProjectState) -> None:
    rng, spec, ids, rows = b.rng, b.spec, b.ids, b.rows
    moment = b.tick(1)
    faction_ids = []
    for name in spec.world.factions[:3]:
        faction_id = ids.take("factions")
        faction_ids.append(faction_id)
        rows["factions"].append(
            {
                "id": faction_id,
                "project_id": spec.id,
                "name": name,
                "faction_type": rng.choice(("宗门", "组织", "帝国", "帮派")),
                "description": b.prose.summary((1, 2)),
                "power_level": rng.choice(("一流", "二流", None)),
                "leader": rng.choice((None, *b.prose.cast)),
                "resources": rng.sample(spec.world.items, k=2) if rng.random() < 0.6 else None,
                "goals": [b.prose.summary((1, 1))],
                "hierarchy": {"首领": 1, "成员": rng.randint(10, 3000)}
                if rng.random() < 0.5
                else None,
                "rules": [],
                "created_at": moment,
                "updated_at": moment,
            }
        )
    relationship_id = None
    for target in faction_ids[1:]:
        relationship_id = ids.take("faction_relationships")
        rows["faction_relationships"].append(
            {
                "id": relationship_id,
                "project_id": spec.id,
                "faction_from_id": faction_ids[0],
                "faction_to_id": target,
                "relationship_type": rng.choice(_RELATIONS),
                "strength": rng.randint(1, 10),
                "description": b.prose.summary((1, 1)),
                "created_at": moment,
                "updated_at": moment,
            }
        )
    if relationship_id is not None:
        rows["faction_relationship_history"].append(
            {
                "id": ids.take("faction_relationship_history"),
                "relationship_id": relationship_id,
                "old_type": "neutral",
                "new_type": "at_war",
                "old_strength": 3,
                "new_strength": 9,
                "reason": b.prose.summary((1, 1)),
                "chapter_number": min(b.chapter_ids),
                "created_at": moment,
            }
        )
    for faction_id, character_id in zip(faction_ids, list(b.characters.values())[:3], strict=False):
        rows["faction_members"].append(
            {
                "id": ids.take("faction_members"),
                "project_id": spec.id,
                "faction_id": faction_id,
                "character_id": character_id,
                "role": rng.choice(("外门弟子", "首席弟子", "圣子", "客卿")),
                "loyalty": rng.randint(1, 10),
                "created_at": moment,
                "updated_at": moment,
            }
        )


def _memory(b: ProjectState) -> None:
    moment = b.tick(1)
    full = b.spec.showcase == "saga"
    arcs: dict[str, Any] = {"unresolved_hooks": [], "main_conflicts": [], "character_arcs": []}
    if full:
        arcs["unresolved_hooks"] = [
            {
                "id": "hook_1",
                "description": b.prose.summary((1, 1)),
                "planted_chapter": 2,
                "expected_payoff": 16,
                "status": "active",
            }
        ]
    b.rows["project_memories"].append(
        {
            "id": b.ids.take("project_memories"),
            "project_id": b.spec.id,
            "global_summary": b.prose.summary((3, 5)) if full else None,
            "plot_arcs": arcs,
            "last_updated_chapter": max(b.chapter_ids) if full else 0,
            "version": 3 if full else 1,
            "created_at": moment,
            "updated_at": moment,
        }
    )


def _memory_layer(b: ProjectState) -> None:
    rng, spec, ids, rows = b.rng, b.spec, b.ids, b.rows
    numbers = sorted(b.chapter_ids)
    for name, character_id in list(b.characters.items())[:2]:
        for number in numbers[:2]:
            moment = touched(b.tick(1), rng)
            rows["character_states"].append(
                {
                    "id": ids.take("character_states"),
                    "project_id": spec.id,
                    "character_id": character_id,
                    "character_name": name,
                    "chapter_number": number,
                    "location": rng.choice(spec.world.places),
                    "emotion": rng.choice(("绝望", "坚定", "疑惑")),
                    "emotion_intensity": rng.randint(1, 10),
                    "health_status": rng.choice(("healthy", "injured", "critical")),
                    "inventory": rng.sample(spec.world.items, k=1),
                    "known_secrets": [],
                    "created_at": moment,
                    "updated_at": moment,
                }
            )
    event_ids = []
    for number in numbers[:3]:
        event_ids.append(ids.take("timeline_events"))
        rows["timeline_events"].append(
            {
                "id": event_ids[-1],
                "project_id": spec.id,
                "chapter_number": number,
                "story_time": f"第一年·第{number * 7}天",
                "event_type": rng.choice(("major", "minor", "background")),
                "event_title": b.prose.outline_title(),
                "event_description": b.prose.summary((1, 2)),
                "involved_characters": [b.prose.hero],
                "importance": rng.randint(1, 10),
                "is_turning_point": number == numbers[0],
                "created_at": touched(b.tick(1), rng),
            }
        )
    moment = touched(b.tick(1), rng)
    rows["causal_chains"].append(
        {
            "id": ids.take("causal_chains"),
            "project_id": spec.id,
            "cause_type": "decision",
            "cause_description": b.prose.summary((1, 1)),
            "cause_chapter": numbers[0],
            "effect_type": "state_change",
            "effect_description": b.prose.summary((1, 1)),
            "cause_event_id": event_ids[0],
            "status": "pending",
            "importance": 7,
            "created_at": moment,
            "updated_at": moment,
        }
    )
    rows["story_time_trackers"].append(
        {
            "id": ids.take("story_time_trackers"),
            "project_id": spec.id,
            "time_system": "ancient" if spec.world.key in ("xianxia", "wuxia") else "modern",
            "current_time": f"第{numbers[-1]}天",
            "default_chapter_duration": "1 day",
            "chapter_time_map": {"1": {"start_time": "第1天", "duration": "半日"}},
            "created_at": moment,
            "updated_at": moment,
        }
    )
