"""What every loader shares: the call's connection and time zone, its tables, unknown names.

Novel-id filters (:mod:`._novel_ids`) and the redaction of secrets (:mod:`._secrets`)
are in modules of their own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.elements import quoted_name

from .._redact import mask_url
from ..arrow._choice import ArrowPath, arrow_path_for
from ..errors import ConfigurationError, UnknownObjectError, WrongTypeError
from ..schema.inspect import not_arboris_error
from ..schema.reflect import TableShape, reflect_table, table_names

__all__ = [
    "LoadContext",
    "NovelIds",
    "Target",
    "close_matches",
    "engine_of",
    "open_context",
    "require_table",
    "sql_table",
    "unknown_table",
]

NovelIds = str | Sequence[str] | None
#: What every loader reads through: a session or a connection (never closed by it).
Target = AsyncSession | AsyncConnection


@dataclass
class LoadContext:
    """One loader call's connection and backend facts."""

    conn: AsyncConnection
    backend: str
    server_timezone: str | dt.tzinfo | None
    #: The Arrow path this call's statements take, or None for the async driver.
    arrow: ArrowPath | None = None
    #: The caller's session or connection was in a transaction before the call.
    caller_in_transaction: bool = False


def _parse_offset(text: str) -> dt.tzinfo | str:
    match = re.fullmatch(r"([+-])(\d{1,2}):(\d{2})", text.strip())
    if not match:
        _check_zone_name(text)
        return text
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return dt.timezone(sign * dt.timedelta(minutes=minutes))


def _check_zone_name(text: str) -> None:
    """Refuse a time zone pandas cannot use now, not with a raw error deep in a loader."""
    try:
        pd.Timestamp("2000-01-01").tz_localize(text)
    except (LookupError, ValueError, OSError) as exc:
        # ZoneInfoNotFoundError (a KeyError), "embedded null byte", "File name too long".
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ConfigurationError(
            f"server_timezone {shown!r} is not a time zone; give an IANA name such as "
            "'Asia/Shanghai' or an offset such as '+08:00'."
        ) from exc


async def open_context(
    target: AsyncSession | AsyncConnection,
    server_timezone: str | None = None,
    *,
    require_arboris: bool = True,
) -> LoadContext:
    """The connection behind ``target`` (never closed here) and its time zone.

    With ``require_arboris`` (every loader), a database without ``novel_projects``
    is :class:`~novelkit.NotArborisDatabaseError` at once, naming what it has
    instead, rather than some table the user never typed being "unknown".
    """
    if not isinstance(target, AsyncSession | AsyncConnection):
        raise WrongTypeError(
            "Loaders take an AsyncSession or AsyncConnection; use novelkit.open_session(engine) "
            "or novelkit.connect() for plain cells."
        )
    caller_in_transaction = target.in_transaction()
    conn = await target.connection() if isinstance(target, AsyncSession) else target
    if require_arboris:
        names = await table_names(conn)
        if "novel_projects" not in names:
            raise not_arboris_error(mask_url(conn.engine.url), names)
    backend = conn.dialect.name
    zone: str | dt.tzinfo | None = None
    if server_timezone is not None:
        zone = _parse_offset(server_timezone)
    elif backend == "mysql":
        # MySQL hands back DATETIME values in the session time zone; measure its
        # offset from UTC once per call (the Docker compose server runs Asia/Shanghai).
        minutes = (
            await conn.exec_driver_sql("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())")
        ).scalar_one()
        zone = dt.timezone(dt.timedelta(minutes=int(minutes))) if minutes else None
    arrow = await arrow_path_for(conn, caller_in_transaction=caller_in_transaction)
    return LoadContext(conn, backend, zone, arrow, caller_in_transaction)


def engine_of(target: AsyncSession | AsyncConnection) -> AsyncEngine | None:
    """The engine behind a session or connection (None for a session bound otherwise)."""
    if isinstance(target, AsyncSession):
        bind = target.bind
        return bind if isinstance(bind, AsyncEngine) else None
    return target.engine


def sql_table(shape: TableShape | str, columns: Sequence[str] = ()) -> sa.TableClause:
    """A lightweight table clause with every identifier quoted (``current_date``, ``key``).

    Its columns are untyped (rows are read as the driver gives them), but for a
    reflected ``TIME``, which keeps its type: the Arrow path reads it through the
    driver (connectorx cannot read every MySQL ``TIME``) and tells it by that type.
    """
    if isinstance(shape, TableShape):
        return sa.table(
            quoted_name(shape.name, True),
            *(
                sa.column(
                    quoted_name(c.name, True), c.type if isinstance(c.type, sa.Time) else None
                )
                for c in shape.columns
            ),
        )
    return sa.table(quoted_name(shape, True), *(sa.column(quoted_name(c, True)) for c in columns))


async def require_table(ctx: LoadContext, name: str, *, hint: str = "") -> TableShape:
    """The reflected table, or :class:`UnknownObjectError` naming what to do."""
    shape = await reflect_table(ctx.conn, name)
    if shape is None:
        raise unknown_table(
            name, backend=ctx.backend, advice=hint or "Check the name with db.inspect()."
        )
    return shape


#: Longer names and ids get no "close matches": difflib indexes every character of
#: the word, which takes seconds for a pasted megabyte.
_CLOSE_MATCH_CHARS = 256


def close_matches(word: str, choices: Sequence[str]) -> list[str]:
    """Up to three of ``choices`` that look like ``word`` (none for a very long word)."""
    if len(word) > _CLOSE_MATCH_CHARS:
        return []
    return difflib.get_close_matches(word, choices, n=3)


#: What a user is told to do about a table name the database does not have.
LIST_TABLES = "db.inspect() lists what it has."


def unknown_table(
    name: object,
    present: Sequence[str] = (),
    *,
    backend: str | None = None,
    advice: str = LIST_TABLES,
) -> UnknownObjectError:
    """The error for a table ``name`` the database does not have (one wording for all).

    Close matches among ``present`` are named. On MySQL ``SHOW TABLES`` lists only the
    tables the account has rights on, so a table the account may not read looks
    absent: the message says so.
    """
    text = str(name)
    shown = text if len(text) <= 60 else text[:57] + "..."
    close = close_matches(text, sorted(present))
    hint = f" Close matches: {', '.join(close)}." if close else ""
    if backend == "mysql":
        hint += " (On MySQL a table this account has no rights on is not listed either.)"
    return UnknownObjectError(f"This database has no table {shown!r}.{hint} {advice}")
