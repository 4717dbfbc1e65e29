"""What a SQLAlchemy statement reads, binds and selects, as the Arrow path needs to know.

Pure functions of a statement built by novelkit (no connection, no engine), and
the dialects the Arrow path compiles statements for: whether it is a plain read
of one table (weighed by that table's size), whether it binds values or selects
a column connectorx cannot read, and the statement with text selected as text.
Kept apart from :mod:`._choice`, which decides the path and runs the readers,
so that what is read off the statement can be read and tested alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler


def _single_table(statement: sa.Executable) -> str | None:
    """The one table a plain SELECT reads (its columns that table's, no join, no
    subquery), else None."""
    if not isinstance(statement, sa.Select):
        return None
    # The columns' own tables first: an aggregate of scalar subqueries (admin_stats)
    # has none, and get_final_froms() compiles the whole statement to say so (3 ms).
    if not _one_table(statement.columns_clause_froms):
        return None
    froms = statement.get_final_froms()
    return str(cast(sa.TableClause, froms[0]).name) if _one_table(froms) else None


def _scalar_subqueries_only(statement: sa.Executable) -> bool:
    """A SELECT whose columns read no table of their own (``SELECT (SELECT COUNT(*) ...)``)."""
    return isinstance(statement, sa.Select) and not statement.columns_clause_froms


def _one_table(froms: Sequence[sa.FromClause]) -> bool:
    return len(froms) == 1 and isinstance(froms[0], sa.TableClause)


def _bound_values(statement: sa.Executable) -> set[str]:
    """The names of the values the statement binds (literal_execute ones are written in)."""
    compiled = cast(SQLCompiler, cast(sa.ClauseElement, statement).compile(dialect=_MYSQL))
    return {name for name, bind in compiled.binds.items() if not bind.literal_execute}


def _column_connectorx_cannot_read(statement: sa.Executable) -> str | None:
    """What the statement selects that connectorx cannot read, or None.

    connectorx panics, and Rust prints the panic into the notebook, on a column that
    is always NULL (it has no Arrow type for it) and on a TIME past 24 h or below zero
    (it reads a time of day; MySQL's TIME spans +-838 h). Such a column reads through
    the driver, which gives a TIME as a duration.
    """
    if not isinstance(statement, sa.Select):
        return None
    for column in statement.selected_columns:
        if isinstance(getattr(column, "element", column), sa.Null):
            return "a column that is always NULL"
        if isinstance(column.type, sa.Time):
            return "a TIME column"
    return None


def _text_as_text(statement: sa.Executable) -> sa.Executable:
    """The statement with text selected as text again where the loaders select its bytes.

    The bytes spare the async driver a decode and re-encode of every value
    (``loaders._fetch.as_utf8_bytes``); connectorx builds Arrow strings in its own
    threads, so on MySQL the plain column is faster (its UTF-8 is checked there,
    not after the read on the event loop's thread) and right for a column of any
    character set (bytes of a latin1 column are not UTF-8; as text the server
    converts them).
    """
    from ..loaders._fetch import is_utf8_bytes  # the loaders import this module

    def undo(element: Any, **_: Any) -> Any:
        return element.clause if is_utf8_bytes(element) else None

    plain = visitors.replacement_traverse(cast(visitors.ExternallyTraversible, statement), {}, undo)
    return cast(sa.Executable, plain)


_SQLITE = sqlite.dialect(paramstyle="qmark")
# "named", not the async driver's "format": no %-doubling in rendered literals.
_MYSQL = mysql.dialect(paramstyle="named")
