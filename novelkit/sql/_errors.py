"""The database's complaints about a user's statement, as :class:`~novelkit.QueryError`.

Without passwords, and without the bound values a server may quote back (MySQL's
syntax errors quote the statement with its values filled in).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from .._redact import scrub
from ..db._errors import driver_message
from ..errors import QueryError

__all__ = ["query_error", "withhold"]


def _flat_values(values: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in items:
            if isinstance(item, bytes):
                item = item.decode("utf-8", "replace")
            if isinstance(item, str) and item:
                out.append(item)
    return out


def withhold(message: str, values: Sequence[Any]) -> str:
    """``message`` without the bound values the server may have quoted in it."""
    if not values:
        return message
    # MySQL's syntax errors quote the statement from the error on, values filled in.
    near = message.find(" near '")
    end = message.rfind("' at line ")
    if near != -1 and end > near:
        message = message[:near] + " near [withheld: it quotes bound values]" + message[end + 1 :]
    for text in sorted(_flat_values(values), key=len, reverse=True):
        escaped = text.replace("\\", "\\\\").replace("'", "\\'")
        message = message.replace(text, "[value]").replace(escaped, "[value]")
    return message


#: sqlite3's error for a TEXT value whose bytes are not UTF-8 (its column is named).
_UNDECODABLE = re.compile(r"Could not decode to UTF-8 column '([^']*)'")


def query_error(exc: DBAPIError, url: URL, backend: str, values: Sequence[Any]) -> QueryError:
    """The :class:`~novelkit.QueryError` for a statement the database refused.

    Built from the driver's own exception (``exc.orig``): SQLAlchemy's message
    also lists the statement's parameters. Passwords are scrubbed and bound
    values withheld (see :func:`withhold`).
    """
    orig = exc.orig
    code, text = driver_message(orig)
    password = url.password
    db_message = withhold(scrub(text, password if isinstance(password, str) else None), values)
    shown = f"{db_message} ({code})" if code is not None else db_message
    undecodable = _UNDECODABLE.match(text) if isinstance(orig, sqlite3.Error) else None
    if undecodable is not None:
        # sqlite3 decodes every TEXT value as UTF-8 and stops at the first that is not
        # (a fork's or a tool's write): the SQL is right, the stored bytes are not text.
        column = undecodable.group(1)
        return QueryError(
            f"Column {column!r} holds text that is not valid UTF-8, which SQLite's driver "
            f"cannot read as text. Select its bytes instead: CAST({column} AS BLOB) "
            f"(then .str.decode('utf-8', 'replace') in pandas), or filter those rows out.",
            code=code,
            db_message=db_message,
        )
    if isinstance(orig, sqlite3.ProgrammingError) and text.startswith("Error binding parameter"):
        # A value's type, not the SQL: the driver refused it before the query ran.
        hint = (
            "SQLite binds str, int, float, bytes, None, dates and datetimes: convert the "
            "value in params (int(x) or float(x) for a numpy number, str(x) for others)"
        )
    else:
        hint = (
            "Check the table and column names (novelkit.tables() or db.tables lists them) "
            f"and the SQL syntax of {'SQLite' if backend == 'sqlite' else 'MySQL/MariaDB'}"
        )
    return QueryError(
        f"The database refused the query: {shown}. {hint}.", code=code, db_message=db_message
    )
