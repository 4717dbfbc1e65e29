"""The 19 tables the fusion generation (upstream PR #34, 2026-01) adds.

Foreshadowing, project memory, chapter blueprints, the memory layer,
constitution, factions and writer personas. The key types follow the app's
models exactly, inconsistencies included: factions and writer personas use
plain INTEGER keys, and the memory-layer tables (``character_states``,
``timeline_events``, ``causal_chains``, ``story_time_trackers``) a bare BIGINT,
which on SQLite is not a rowid alias (such tables cannot take rows without an
explicit id there). See :mod:`novelkit.schema.tables`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from ._tables_classic import (
    ID,
    LONG_TEXT,
    created,
    fk,
    json_columns,
    opt,
    pk,
    project_fk,
    req,
    string_columns,
    text_columns,
    updated,
)

__all__ = ["FUSION_TABLES", "add_fusion_tables"]

FUSION_TABLES: tuple[str, ...] = (
    "foreshadowings",
    "foreshadowing_resolutions",
    "foreshadowing_reminders",
    "foreshadowing_status_history",
    "foreshadowing_analysis",
    "project_memories",
    "chapter_snapshots",
    "chapter_blueprints",
    "blueprint_templates",
    "character_states",
    "timeline_events",
    "causal_chains",
    "story_time_trackers",
    "novel_constitutions",
    "writer_personas",
    "factions",
    "faction_relationships",
    "faction_members",
    "faction_relationship_history",
)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _memory_times(*names: str) -> list[Column[Any]]:
    """Memory-layer timestamps: nullable, Python-side UTC default, no server default."""
    return [opt(n, DateTime, default=_utcnow) for n in names]


def _add_foreshadowing(metadata: MetaData) -> None:
    Table(
        "foreshadowings",
        metadata,
        pk(),
        project_fk(index=True),
        fk("chapter_id", ID, "chapters.id", "CASCADE"),
        req("chapter_number", Integer),
        req("content", LONG_TEXT),
        req("type", String(32)),
        opt("keywords", JSON, default=list),
        req("status", String(32), default="planted", index=True),
        fk("resolved_chapter_id", ID, "chapters.id", "SET NULL", nullable=True),
        opt("resolved_chapter_number", Integer),
        opt("name", String(255)),
        opt("target_reveal_chapter", Integer),
        *text_columns("reveal_method", "reveal_impact"),
        *json_columns("related_characters", "related_plots", "related_foreshadowings"),
        opt("importance", String(32)),
        opt("urgency", Integer),
        req("is_manual", Boolean, default=False),
        opt("ai_confidence", Float),
        opt("author_note", Text),
        created(),
        updated(),
    )
    Table(
        "foreshadowing_resolutions",
        metadata,
        pk(),
        fk("foreshadowing_id", ID, "foreshadowings.id", "CASCADE"),
        fk("resolved_at_chapter_id", ID, "chapters.id", "CASCADE"),
        req("resolved_at_chapter_number", Integer),
        req("resolution_text", LONG_TEXT),
        opt("resolution_type", String(32)),
        opt("quality_score", Integer),
        opt("reader_satisfaction", Integer),
        created(),
        updated(),
    )
    Table(
        "foreshadowing_reminders",
        metadata,
        pk(),
        project_fk(index=True),
        fk("foreshadowing_id", ID, "foreshadowings.id", "CASCADE"),
        req("reminder_type", String(32)),
        req("message", LONG_TEXT),
        opt("suggested_chapter_range", JSON),
        req("status", String(32), default="active", index=True),
        opt("dismissed_at", DateTime(timezone=True)),
        opt("dismissed_reason", Text),
        created(),
        updated(),
    )
    Table(
        "foreshadowing_status_history",
        metadata,
        pk(),
        fk("foreshadowing_id", ID, "foreshadowings.id", "CASCADE"),
        opt("old_status", String(32)),
        req("new_status", String(32)),
        opt("chapter_number", Integer),
        *text_columns("reason", "action_taken"),
        created(),
    )
    Table(
        "foreshadowing_analysis",
        metadata,
        pk(),
        project_fk(unique=True),
        *[
            req(n, Integer, default=0)
            for n in (
                "total_foreshadowings",
                "resolved_count",
                "unresolved_count",
                "abandoned_count",
            )
        ],
        opt("avg_resolution_distance", Float),
        opt("unresolved_ratio", Float),
        opt("pattern_analysis", JSON),
        opt("overall_quality_score", Float),
        opt("recommendations", JSON),
        created("analyzed_at"),
        updated(),
    )


def _add_memory(metadata: MetaData) -> None:
    Table(
        "project_memories",
        metadata,
        pk(),
        project_fk(unique=True, index=True),
        opt("global_summary", LONG_TEXT),
        opt("plot_arcs", JSON, default=dict),
        opt("story_timeline_summary", Text),
        req("last_updated_chapter", Integer, default=0),
        req("version", Integer, default=1),
        opt("extra", JSON),
        created(),
        updated(),
    )
    Table(
        "chapter_snapshots",
        metadata,
        pk(),
        project_fk(index=True),
        req("chapter_number", Integer, index=True),
        opt("global_summary_snapshot", LONG_TEXT),
        *json_columns("character_states_snapshot", "plot_arcs_snapshot"),
        opt("chapter_summary", Text),
        req("word_count", Integer, default=0),
        opt("extra", JSON),
        created(),
    )
    Table(
        "chapter_blueprints",
        metadata,
        pk(),
        project_fk(index=True),
        req("chapter_number", Integer, index=True),
        opt("suspense_density", String(32), default="gradual"),
        opt("foreshadowing_ops", String(128)),
        req("cognitive_twist_level", Integer, default=1),
        opt("chapter_function", String(32), default="progression"),
        opt("chapter_focus", String(255)),
        opt("suspense_type", String(128)),
        opt("emotional_arc", String(255)),
        *json_columns("involved_foreshadowings", "mission_constraints"),
        opt("brief_summary", Text),
        opt("director_script", LONG_TEXT),
        opt("beat_sheet", JSON),
        req("is_generated", Boolean, default=False),
        req("is_finalized", Boolean, default=False),
        opt("quality_score", Float),
        opt("extra", JSON),
        created(),
        updated(),
    )
    Table(
        "blueprint_templates",
        metadata,
        pk(),
        req("name", String(128)),
        opt("description", Text),
        req("template_type", String(32), default="system"),
        fk("user_id", Integer, "users.id", "CASCADE", nullable=True),
        req("config", JSON),
        req("usage_count", Integer, default=0),
        created(),
        updated(),
    )


def _add_memory_layer(metadata: MetaData) -> None:
    Table(
        "character_states",
        metadata,
        pk(BigInteger),
        project_fk(255, index=True),
        fk("character_id", BigInteger, "blueprint_characters.id", "CASCADE", index=True),
        req("character_name", String(255)),
        req("chapter_number", Integer, index=True),
        opt("location", String(255)),
        opt("location_detail", Text),
        opt("emotion", String(64)),
        opt("emotion_intensity", Integer),
        opt("emotion_reason", Text),
        opt("health_status", String(64)),
        *json_columns("injuries", "inventory", "inventory_changes", "relationship_changes"),
        opt("power_level", String(64)),
        *json_columns(
            "power_changes", "known_secrets", "new_knowledge", "current_goals", "goal_progress"
        ),
        opt("extra", JSON),
        *_memory_times("created_at", "updated_at"),
    )
    Table(
        "timeline_events",
        metadata,
        pk(BigInteger),
        project_fk(255, index=True),
        req("chapter_number", Integer, index=True),
        opt("story_time", String(255)),
        opt("story_date", String(64)),
        opt("time_elapsed", String(128)),
        opt("event_type", String(64)),
        req("event_title", String(255)),
        opt("event_description", Text),
        opt("involved_characters", JSON),
        opt("location", String(255)),
        fk("caused_by_event_id", BigInteger, "timeline_events.id", "SET NULL", nullable=True),
        opt("leads_to_event_ids", JSON),
        opt("importance", Integer, default=5),
        opt("is_turning_point", Boolean, default=False),
        opt("extra", JSON),
        *_memory_times("created_at"),
    )
    Table(
        "causal_chains",
        metadata,
        pk(BigInteger),
        project_fk(255, index=True),
        opt("cause_type", String(64)),
        req("cause_description", Text),
        req("cause_chapter", Integer),
        opt("effect_type", String(64)),
        req("effect_description", Text),
        opt("effect_chapter", Integer),
        opt("involved_characters", JSON),
        fk("cause_event_id", BigInteger, "timeline_events.id", "SET NULL", nullable=True),
        fk("effect_event_id", BigInteger, "timeline_events.id", "SET NULL", nullable=True),
        opt("status", String(32), default="pending"),
        opt("resolution_description", Text),
        opt("importance", Integer, default=5),
        opt("extra", JSON),
        *_memory_times("created_at", "updated_at"),
    )
    Table(
        "story_time_trackers",
        metadata,
        pk(BigInteger),
        project_fk(255, unique=True),
        opt("time_system", String(64), default="modern"),
        *string_columns(64, "start_date", "current_date", "current_time"),
        opt("default_chapter_duration", String(64), default="1 day"),
        *json_columns("chapter_time_map", "extra"),
        *_memory_times("created_at", "updated_at"),
    )


def _add_constitution_and_personas(metadata: MetaData) -> None:
    Table(
        "novel_constitutions",
        metadata,
        project_fk(primary_key=True),
        *string_columns(255, "core_theme"),
        *string_columns(128, "genre"),
        *string_columns(255, "core_conflict", "story_direction"),
        opt("core_values", Text),
        opt("pov_type", String(64)),
        opt("pov_character", String(255)),
        opt("pov_restrictions", Text),
        *string_columns(
            64, "target_age_group", "reading_level", "violence_rating", "romance_rating"
        ),
        *string_columns(128, "overall_tone", "realism_level", "language_style", "world_type"),
        opt("power_system", Text),
        *json_columns("world_rules", "forbidden_content", "allowed_character_types"),
        opt("character_power_limits", Text),
        *json_columns("allowed_relationship_types", "allowed_plot_types"),
        opt("twist_frequency", String(128)),
        opt("foreshadowing_rules", Text),
        *string_columns(128, "time_span", "geographical_scope", "time_flow"),
        opt("extra", JSON),
        created(),
        updated(),
    )
    Table(
        "writer_personas",
        metadata,
        pk(Integer),
        project_fk(index=True),
        req("name", String(128)),
        req("is_active", Boolean, default=True),
        opt("identity", Text),
        opt("experience_years", Integer),
        opt("expertise_areas", JSON),
        opt("target_audience", Text),
        opt("vocabulary_level", String(64)),
        opt("sentence_rhythm", Text),
        *json_columns("vocabulary_preferences", "unique_expressions"),
        opt("formality_level", String(64)),
        *text_columns(
            "opening_style",
            "transition_style",
            "ending_style",
            "dialogue_style",
            "dialogue_tags",
            "description_style",
        ),
        opt("show_vs_tell_ratio", String(64)),
        *json_columns(
            "sensory_focus",
            "catchphrases",
            "personal_quirks",
            "imperfection_patterns",
            "thinking_pauses",
            "filler_words",
            "regional_expressions",
            "avoid_patterns",
            "variation_rules",
            "extra",
        ),
        created(),
        updated(),
    )


def _add_factions(metadata: MetaData) -> None:
    Table(
        "factions",
        metadata,
        pk(Integer),
        project_fk(index=True),
        req("name", String(255)),
        opt("faction_type", String(64)),
        opt("description", LONG_TEXT),
        opt("power_level", String(64)),
        opt("territory", Text),
        opt("resources", JSON),
        opt("leader", String(255)),
        opt("hierarchy", JSON),
        opt("member_count", String(64)),
        opt("goals", JSON),
        opt("current_status", Text),
        opt("recent_events", JSON),
        opt("culture", Text),
        *json_columns("rules", "traditions", "extra"),
        created(),
        updated(),
    )
    Table(
        "faction_relationships",
        metadata,
        pk(Integer),
        project_fk(index=True),
        fk("faction_from_id", Integer, "factions.id", "CASCADE"),
        fk("faction_to_id", Integer, "factions.id", "CASCADE"),
        req("relationship_type", String(64)),
        opt("strength", Integer),
        opt("description", Text),
        opt("terms", JSON),
        opt("established_at", String(255)),
        opt("reason", Text),
        opt("extra", JSON),
        created(),
        updated(),
    )
    Table(
        "faction_members",
        metadata,
        pk(Integer),
        project_fk(index=True),
        fk("faction_id", Integer, "factions.id", "CASCADE"),
        fk("character_id", ID, "blueprint_characters.id", "CASCADE"),
        opt("role", String(128)),
        opt("rank", String(64)),
        opt("loyalty", Integer),
        opt("joined_at", String(255)),
        opt("extra", JSON),
        created(),
        updated(),
    )
    Table(
        "faction_relationship_history",
        metadata,
        pk(Integer),
        fk("relationship_id", Integer, "faction_relationships.id", "CASCADE"),
        opt("old_type", String(64)),
        req("new_type", String(64)),
        opt("old_strength", Integer),
        opt("new_strength", Integer),
        opt("reason", Text),
        opt("chapter_number", Integer),
        opt("story_time", String(255)),
        created(),
    )


def add_fusion_tables(metadata: MetaData) -> None:
    """Add the 19 fusion tables to ``metadata`` (which must hold the classic ones).

    Parameters
    ----------
    metadata
        A collection already filled by
        :func:`novelkit.schema._tables_classic.add_classic_tables`.
    """
    _add_foreshadowing(metadata)
    _add_memory(metadata)
    _add_memory_layer(metadata)
    _add_constitution_and_personas(metadata)
    _add_factions(metadata)
