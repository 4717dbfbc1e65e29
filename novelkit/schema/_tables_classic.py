"""The 17 classic Arboris tables, and the column helpers the fusion tables share.

Written from the app's ORM models (t59688/arboris-novel ``backend/app/models``)
and checked against databases the app created (``tests/data``): the same
column names, order, types and nullability come out of ``create_all`` on
SQLite and MariaDB. Python-side defaults are the ORM's; only timestamps have
server defaults, as in the app. See :mod:`novelkit.schema.tables`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.mysql import LONGTEXT

__all__ = ["CLASSIC_TABLES", "add_classic_tables"]

#: Integer keys: BIGINT AUTO_INCREMENT on MySQL, INTEGER (a rowid alias) on SQLite.
ID = BigInteger().with_variant(Integer, "sqlite")
#: Long text: LONGTEXT on MySQL (TEXT is capped at 64 KB there), TEXT on SQLite.
LONG_TEXT = Text().with_variant(LONGTEXT, "mysql")

CLASSIC_TABLES: tuple[str, ...] = (
    "users",
    "novel_projects",
    "novel_conversations",
    "novel_blueprints",
    "blueprint_characters",
    "blueprint_relationships",
    "chapter_outlines",
    "chapters",
    "chapter_versions",
    "chapter_evaluations",
    "llm_configs",
    "prompts",
    "system_configs",
    "admin_settings",
    "usage_metrics",
    "user_daily_requests",
    "update_logs",
)


def req(name: str, type_: Any, *args: Any, **kw: Any) -> Column[Any]:
    """A NOT NULL column (a non-Optional ``Mapped[...]`` in the ORM)."""
    return Column(name, type_, *args, nullable=False, **kw)


def opt(name: str, type_: Any, *args: Any, **kw: Any) -> Column[Any]:
    """A nullable column."""
    return Column(name, type_, *args, nullable=True, **kw)


def pk(type_: Any = ID) -> Column[Any]:
    """The ``id`` primary key (autoincrement)."""
    return Column("id", type_, primary_key=True)


def fk(
    name: str, type_: Any, target: str, ondelete: str, *, nullable: bool = False, **kw: Any
) -> Column[Any]:
    """A foreign-key column with its ON DELETE rule."""
    return Column(name, type_, ForeignKey(target, ondelete=ondelete), nullable=nullable, **kw)


def project_fk(length: int = 36, **kw: Any) -> Column[Any]:
    """``project_id`` → novel_projects.id ON DELETE CASCADE, NOT NULL."""
    return fk("project_id", String(length), "novel_projects.id", "CASCADE", **kw)


def created(name: str = "created_at") -> Column[Any]:
    """A NOT NULL timestamp defaulting to the server's now()."""
    return req(name, DateTime(timezone=True), server_default=func.now())


def updated() -> Column[Any]:
    """``updated_at``: like :func:`created`, bumped by novelkit's own updates."""
    return req(
        "updated_at", DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def json_columns(*names: str) -> list[Column[Any]]:
    """Nullable JSON columns (native JSON on MySQL, TEXT on SQLite)."""
    return [opt(n, JSON) for n in names]


def text_columns(*names: str) -> list[Column[Any]]:
    """Nullable TEXT columns."""
    return [opt(n, Text) for n in names]


def string_columns(length: int, *names: str) -> list[Column[Any]]:
    """Nullable VARCHAR(length) columns."""
    return [opt(n, String(length)) for n in names]


def add_classic_tables(metadata: MetaData, *, outline_metadata: bool) -> None:
    """Add the 17 classic tables to ``metadata``.

    Parameters
    ----------
    metadata
        The collection to add the tables to.
    outline_metadata
        Whether ``chapter_outlines`` has the JSON ``metadata`` column (added
        upstream in ``d5213c4``, present in every fusion database).
    """
    Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True, index=True),
        req("username", String(64), unique=True, index=True),
        opt("email", String(128), unique=True),
        req("hashed_password", String(255)),
        opt("external_id", String(255), unique=True),
        req("is_admin", Boolean, default=False),
        req("is_active", Boolean, default=True),
        created(),
        updated(),
    )
    Table(
        "novel_projects",
        metadata,
        Column("id", String(36), primary_key=True),
        fk("user_id", Integer, "users.id", "CASCADE", index=True),
        req("title", String(255)),
        opt("initial_prompt", Text),
        req("status", String(32), default="draft"),
        created(),
        updated(),
    )
    Table(
        "novel_conversations",
        metadata,
        pk(),
        project_fk(),
        req("seq", Integer),
        req("role", String(32)),
        req("content", LONG_TEXT),
        opt("metadata", JSON),
        created(),
    )
    Table(
        "novel_blueprints",
        metadata,
        Column(
            "project_id",
            String(36),
            ForeignKey("novel_projects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        *string_columns(255, "title", "target_audience"),
        *string_columns(128, "genre", "style", "tone"),
        opt("one_sentence_summary", Text),
        opt("full_synopsis", LONG_TEXT),
        opt("world_setting", JSON, default=dict),
        created(),
        updated(),
    )
    Table(
        "blueprint_characters",
        metadata,
        pk(),
        project_fk(),
        req("name", String(255)),
        opt("identity", String(255)),
        *text_columns("personality", "goals", "abilities", "relationship_to_protagonist"),
        opt("extra", JSON),
        req("position", Integer, default=0),
    )
    Table(
        "blueprint_relationships",
        metadata,
        pk(),
        project_fk(),
        req("character_from", String(255)),
        req("character_to", String(255)),
        opt("description", Text),
        req("position", Integer, default=0),
    )
    Table(
        "chapter_outlines",
        metadata,
        pk(),
        project_fk(),
        req("chapter_number", Integer),
        req("title", String(255)),
        opt("summary", Text),
        *([opt("metadata", JSON)] if outline_metadata else []),
    )
    Table(
        "chapters",
        metadata,
        pk(),
        project_fk(),
        req("chapter_number", Integer),
        opt("real_summary", Text),
        req("status", String(32), default="not_generated"),
        req("word_count", Integer, default=0),
        fk("selected_version_id", ID, "chapter_versions.id", "SET NULL", nullable=True),
        created(),
        updated(),
    )
    Table(
        "chapter_versions",
        metadata,
        pk(),
        fk("chapter_id", ID, "chapters.id", "CASCADE"),
        *string_columns(64, "version_label", "provider"),
        req("content", LONG_TEXT),
        opt("metadata", JSON),
        created(),
    )
    Table(
        "chapter_evaluations",
        metadata,
        pk(),
        fk("chapter_id", ID, "chapters.id", "CASCADE"),
        fk("version_id", ID, "chapter_versions.id", "CASCADE", nullable=True),
        opt("decision", String(32)),
        opt("feedback", Text),
        opt("score", Float),
        created(),
    )
    Table(
        "llm_configs",
        metadata,
        Column(
            "user_id",
            Integer,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        *text_columns("llm_provider_url", "llm_provider_api_key", "llm_provider_model"),
    )
    Table(
        "prompts",
        metadata,
        Column("id", Integer, primary_key=True),
        req("name", String(100), unique=True, index=True),
        opt("title", String(255)),
        req("content", Text),
        opt("tags", String(255)),
        updated(),
        created(),
    )
    Table(
        "system_configs",
        metadata,
        Column("key", String(100), primary_key=True),
        req("value", Text),
        opt("description", String(255)),
    )
    Table(
        "admin_settings",
        metadata,
        Column("key", String(64), primary_key=True),
        req("value", Text),
    )
    Table(
        "usage_metrics",
        metadata,
        Column("key", String(64), primary_key=True),
        req("value", Integer, default=0),
    )
    Table(
        "user_daily_requests",
        metadata,
        Column("id", Integer, primary_key=True),
        fk("user_id", Integer, "users.id", "CASCADE", index=True),
        req("request_date", Date),
        req("request_count", Integer, default=0),
        UniqueConstraint("user_id", "request_date", name="uq_user_daily"),
    )
    Table(
        "update_logs",
        metadata,
        Column("id", Integer, primary_key=True),
        req("content", Text),
        created(),
        opt("created_by", String(64)),
        req("is_pinned", Boolean, default=False),
    )
