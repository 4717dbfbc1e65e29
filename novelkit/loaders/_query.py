"""What every loader shares: the connection, fast fetching, novel-id filters, redaction."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.elements import quoted_name

from .._redact import mask_url
from ..arrow._choice import NOVEL_FILTER, ArrowPath, arrow_path_for
from ..errors import ConfigurationError, UnknownObjectError, WrongTypeError
from ..schema.inspect import not_arboris_error
from ..schema.reflect import TableShape, reflect_table, table_names
from ._fetch import fetch_frame

__all__ = [
    "LoadContext",
    "NovelIds",
    "Target",
    "close_matches",
    "engine_of",
    "open_context",
    "redact_secrets",
    "require_table",
    "resolve_novel_ids",
    "sql_table",
    "unknown_table",
]

NovelIds = str | Sequence[str] | None
#: What every loader reads through: a session or a connection (never closed by it).
Target = AsyncSession | AsyncConnection

REDACTED = "[redacted]"
#: Words that make a column (in any table) or a ``system_configs`` key a secret
#: (``hashed_password``, ``linuxdo.client_secret``, ``credentials``). A name is split
#: into words at ``.``, ``_``, ``-`` and camelCase; plurals are other words, so the
#: story's ``known_secrets`` and forks' ``total_tokens`` counts stay readable.
_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "credential", "credentials", "apikey", "privatekey"}
)
#: ``<word> key`` is a secret for these words (``api_key``, ``llm_provider_api_key``,
#: ``private_key``, ``client_key``), not ``sort_key`` or ``primary_key``.
_KEY_KINDS = frozenset(
    {"api", "private", "access", "client", "app", "secret", "signing", "encryption", "auth"}
)
#: A name with the word ``token`` is a secret (``access_token``, ``smtp.token``,
#: ``githubToken``, ``token_value``) unless it names something about a token.
_NOT_THE_TOKEN = frozenset(
    {
        "url",
        "uri",
        "endpoint",
        "usage",
        "count",
        "counts",
        "limit",
        "type",
        "expires",
        "expiry",
        "expire",
        "at",
        "ttl",
        "length",
        "used",
    }
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def is_secret_name(name: str) -> bool:
    """Whether a column or setting called ``name`` holds a secret (see above).

    >>> [is_secret_name(n) for n in ("llm.api_key", "githubToken", "total_tokens",
    ...                              "known_secrets", "linuxdo.token_url", "sort_key")]
    [True, True, False, False, False, False]
    """
    words = [w.lower() for w in _WORD.findall(name)]
    if _SECRET_WORDS.intersection(words):
        return True
    if any(w in ("key", "keys") and i and words[i - 1] in _KEY_KINDS for i, w in enumerate(words)):
        return True
    return "token" in words and not _NOT_THE_TOKEN.intersection(words)


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


def exact_in(backend: str, column: sa.ColumnElement[Any], values: Sequence[str]) -> Any:
    """``column IN values`` compared byte for byte on every backend.

    MariaDB's default collation is case-, trailing-space- and emoji-insensitive,
    so the plain IN (which can use an index) is narrowed by a binary comparison.
    """
    plain = column.in_(sa.bindparam(NOVEL_FILTER, list(values), expanding=True))
    if backend != "mysql":
        return plain
    binary = sa.cast(column, sa.LargeBinary).in_(
        sa.bindparam(f"{NOVEL_FILTER}_bin", [v.encode("utf-8") for v in values], expanding=True)
    )
    return sa.and_(plain, binary)


def _normalise_ids(novel_id: object) -> list[str] | None:
    if novel_id is None:
        return None
    if isinstance(novel_id, str):
        ids: list[object] = [novel_id]
    elif isinstance(novel_id, Iterable) and not isinstance(novel_id, bytes | Mapping):
        ids = list(novel_id)
    else:
        ids = [novel_id]
    for value in ids:
        if not isinstance(value, str):
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise WrongTypeError(
                f"novel_id takes a project id (a string such as 'f8746b7d-2d91-...', or a "
                f"unique prefix of 6 or more of its characters) or a list of them, not "
                f"{type(value).__name__} {shown}. The ids are in the project_id column of "
                "load_novels() (or db.novels())."
            )
    return list(dict.fromkeys(str(v) for v in ids))


#: The shortest prefix of a project id that may stand for it (as git does with hashes).
MIN_PREFIX = 6
#: What such a prefix looks like: the start of a UUID (the app's project ids), so that
#: "trailing" never stands for "trailing " or a title's first word for another id.
_ID_PREFIX = re.compile(rf"[0-9a-f-]{{{MIN_PREFIX},}}")
#: The start of a UUID, too short to stand for one.
_SHORT_PREFIX = re.compile(rf"[0-9a-f-]{{1,{MIN_PREFIX - 1}}}")


#: Ids looked up per statement: a long list never makes one oversized statement
#: (MariaDB drops the connection past max_allowed_packet).
_LOOKUP_CHUNK = 500

#: The most characters a MySQL VARCHAR/TEXT column holds (65,535 bytes), for an id
#: column whose length is not declared.
_MYSQL_TEXT_CHARS = 65_535


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _id_limit(ctx: LoadContext) -> int | None:
    """On MySQL, the most characters ``novel_projects.id`` can hold; None on SQLite.

    MySQL never stores more than a VARCHAR's declared length, so a longer id
    cannot exist and is not sent (a huge one would exceed max_allowed_packet).
    SQLite does not enforce declared lengths.
    """
    if ctx.backend != "mysql":
        return None
    shape = await reflect_table(ctx.conn, "novel_projects")
    for column in shape.columns if shape is not None else ():
        length = getattr(column.type, "length", None)
        if column.name == "id" and isinstance(length, int):
            return length
    return _MYSQL_TEXT_CHARS


def _could_exist(value: str, limit: int | None) -> bool:
    if not _encodable(value):
        # A lone surrogate: the drivers raise a bare UnicodeEncodeError; no id has one.
        return False
    return limit is None or len(value) <= limit


async def resolve_novel_ids(ctx: LoadContext, novel_id: NovelIds) -> list[str] | None:
    """The project ids asked for, checked; None means "all novels".

    An id may be given by a unique prefix of :data:`MIN_PREFIX` or more characters
    of its UUID (hex digits and hyphens, as git takes abbreviated hashes; case and
    surrounding spaces do not matter); it is replaced by the whole id.

    Raises
    ------
    WrongTypeError
        ``novel_id`` is neither a string nor a list of strings.
    UnknownObjectError
        An id that does not exist (close matches are named) or an ambiguous prefix
        (the candidates are listed).
    """
    ids = _normalise_ids(novel_id)
    if ids is None:
        return None
    limit = await _id_limit(ctx)
    candidates = [v for v in ids if _could_exist(v, limit)]
    projects = sql_table("novel_projects", ["id", "title"])
    found: set[str] = set()
    for start in range(0, len(candidates), _LOOKUP_CHUNK):
        chunk = candidates[start : start + _LOOKUP_CHUNK]
        frame = await fetch_frame(
            ctx, sa.select(projects.c.id).where(exact_in(ctx.backend, projects.c.id, chunk))
        )
        found.update(frame["id"])
    unknown = [v for v in ids if v not in found]
    if not unknown:
        return ids
    everything = await fetch_frame(ctx, sa.select(projects.c.id, projects.c.title))
    by_prefix = _expand_prefixes(unknown, everything)
    still_unknown = [v for v in unknown if v not in by_prefix]
    if still_unknown:
        raise UnknownObjectError(_unknown_message(still_unknown, everything))
    return list(dict.fromkeys(by_prefix.get(v, v) for v in ids))


def _as_prefix(value: str) -> str:
    """``value`` as a UUID prefix is compared: without surrounding spaces, in lower case."""
    return value.strip().lower()


def _expand_prefixes(unknown: list[str], projects: pd.DataFrame) -> dict[str, str]:
    """Each unknown id that is a unique UUID prefix (6+ characters) of a project id -> that id.

    Compared in Python, whatever the database's collation: hex digits in either
    case, surrounding spaces ignored (``" 86735CB7 "`` stands for ``86735cb7-...``).
    A prefix of several ids is an error listing them.
    """
    ids = [str(i) for i in projects["id"]]
    titles = dict(zip(ids, (str(t) for t in projects["title"]), strict=True))
    expanded: dict[str, str] = {}
    for value in unknown:
        prefix = _as_prefix(value)
        if not _ID_PREFIX.fullmatch(prefix):
            continue
        matches = [i for i in ids if i.lower().startswith(prefix)]
        if len(matches) == 1:
            expanded[value] = matches[0]
        elif len(matches) > 1:
            listed = "; ".join(f"{i} ({titles[i]})" for i in sorted(matches)[:10])
            more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise UnknownObjectError(
                f"The project id prefix {value!r} is ambiguous: it starts {len(matches)} ids: "
                f"{listed}{more}. Give more characters."
            )
    return expanded


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


def _unknown_message(unknown: list[str], projects: pd.DataFrame) -> str:
    first = unknown[0]
    shown = first if len(first) <= 60 else first[:57] + "..."
    # Compared in Python: pandas' Arrow-backed strings cannot hold a lone surrogate.
    by_title = [i for i, t in zip(projects["id"], projects["title"], strict=True) if t == first]
    prefix = _as_prefix(first)
    if by_title:
        hint = f"That is a novel's title; its project id is {by_title[0]!r}."
    elif _SHORT_PREFIX.fullmatch(prefix):
        starts = sorted(str(i) for i in projects["id"] if str(i).lower().startswith(prefix))
        which = f" ({len(starts)} ids start with it)" if len(starts) > 1 else ""
        which = f" ({starts[0]} starts with it)" if len(starts) == 1 else which
        hint = (
            f"A project id prefix needs {MIN_PREFIX} or more characters{which}; give more of "
            "the id. List the novels with load_novels() (or db.novels()) to find their ids."
        )
    else:
        close = close_matches(first, [str(i) for i in projects["id"]])
        hint = (
            f"Close matches: {', '.join(close)}."
            if close
            else "List the novels with load_novels() (or db.novels()) to find their ids."
        )
    more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
    return f"No novel with project id {shown!r}{more}. {hint}"


def redact_secrets(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Hide password hashes, API keys and secret-looking system settings."""
    # Any column named like a secret, in any table (a fork's own tables too).
    columns = [c for c in frame.columns if is_secret_name(str(c))]
    for column in columns:
        frame[column] = frame[column].where(frame[column].isna(), REDACTED)
    if table == "system_configs" and {"key", "value"} <= set(frame.columns):
        secret = frame["key"].map(lambda key: isinstance(key, str) and is_secret_name(key))
        secret = secret.astype(bool)
        frame.loc[secret & frame["value"].notna(), "value"] = REDACTED
    return frame
