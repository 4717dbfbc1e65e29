"""Novel-id filters: which projects a loader's ``novel_id`` names, and the filter on them.

:func:`resolve_novel_ids` checks the ids given (types, ids no database could hold),
looks them up, expands unique UUID prefixes and says what to do about an unknown
or ambiguous one; :func:`exact_in` is the byte-for-byte ``IN`` every loader filters
with. Split from :mod:`._query`, which holds the call's connection: novel ids are
a job of their own, with their own rules and messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..arrow._choice import NOVEL_FILTER
from ..errors import UnknownObjectError, WrongTypeError
from ..schema.reflect import reflect_table
from ._fetch import fetch_frame
from ._query import LoadContext, NovelIds, close_matches, sql_table

__all__ = ["MIN_PREFIX", "exact_in", "resolve_novel_ids"]


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
