"""Refuse, before it runs, any SQL that is not one read statement.

novelkit runs users' SQL read-only by default. :func:`check_read_only` is the
one entry point for refusing a statement; :func:`classify` tells what kind of
statement it is. Both read the SQL through :func:`novelkit.sql._lex.lex`, which
tokenizes it with sqlglot and checks that the server would read the same
tokens: where it might not, the statement is refused rather than guessed at.

The same check guards every statement a read-only engine runs (SQLAlchemy's
``before_cursor_execute``), so it accepts what SQLAlchemy sends when it
initialises a connection and reflects tables, DBAPI placeholders included
(``?``, ``%s``, ``%(name)s``).

This module holds the entry points and their cache. The walk over the
statement's lexemes is :mod:`._statements`; the words it refuses and its
messages are :mod:`._refusals`.
"""

from __future__ import annotations

import functools

from sqlglot.tokens import TokenType

from novelkit._docstrings import shared_sections
from novelkit.errors import ConfigurationError, ReadOnlyError
from novelkit.sql._lex import Dialect, check_dialect, lex
from novelkit.sql._refusals import _PREFIX, Classification, _reading_refusal, _refusal
from novelkit.sql._statements import _classify_lexemes

__all__ = [
    "CACHE_SIZE",
    "Classification",
    "check_read_only",
    "check_read_only_cached",
    "check_users_sql",
    "classify",
    "classify_cached",
]


#: The docstring sections :func:`classify` and :func:`check_read_only` share.
_SHARED_DOC = {
    "statement_parameters": """
        Parameters
        ----------
        sql
            One SQL statement; a trailing ``;`` and comments are fine.
        dialect
            ``"sqlite"`` or ``"mysql"`` (MySQL and MariaDB).
        """,
    "configuration_error": """
        ConfigurationError
            When ``sql`` is empty, holds only comments, has an unclosed quote or
            comment, or ``dialect`` is unknown.
        """,
}


@shared_sections(**_SHARED_DOC)
def classify(sql: str, dialect: Dialect) -> Classification:
    """Tell what kind of statement ``sql`` is and whether it may run read-only.

    Never raises :class:`~novelkit.errors.ReadOnlyError`: a refused statement
    comes back with ``read_only=False`` and the message in ``reason``.

    {{statement_parameters}}

    Returns
    -------
    Classification

    Raises
    ------
    {{configuration_error}}

    Examples
    --------
    >>> classify("SELECT * FROM chapters FOR UPDATE", "mysql").locking
    True
    >>> classify("PRAGMA main.table_info('chapters')", "sqlite").kind
    'pragma'
    """
    check_dialect(dialect)
    if not sql.strip():
        raise ConfigurationError("The SQL is empty; give one statement, e.g. 'SELECT 1'.")
    lexed = lex(sql, dialect)
    if lexed.problem is not None:
        return _reading_refusal(lexed.problem)
    verdict = _classify_lexemes(lexed.lexemes, dialect)
    if verdict.read_only and lexed.alternative is not None:
        other = _classify_lexemes(lexed.alternative, dialect)
        if not other.read_only:
            return _refusal(
                other.kind,
                "this statement",
                "is another statement on a server with sql_mode NO_BACKSLASH_ESCAPES ("
                + other.reason.removeprefix(_PREFIX).split(". ")[0]
                + ")",
                "Write a quote inside a string as '' rather than \\'.",
            )
    return verdict


@shared_sections(**_SHARED_DOC)
def check_read_only(sql: str, dialect: Dialect) -> None:
    """Refuse ``sql`` unless it is one statement that only reads.

    Allowed: SELECT (with WITH, parentheses, UNION/INTERSECT/EXCEPT), VALUES,
    EXPLAIN of those, and on MySQL ``TABLE t``, SHOW, DESCRIBE and HELP, on
    SQLite the PRAGMAs that only read. Everything else is refused, and so are
    several statements in one call, MySQL's executable ``/*! */`` comments,
    locking reads, ``SELECT ... INTO``, user-variable assignment and calls of
    functions that change other sessions or the server (``GET_LOCK``,
    ``NEXTVAL``, ``load_extension``...).

    {{statement_parameters}}

    Raises
    ------
    ReadOnlyError
        When the statement may not run read-only; the message says why.
    {{configuration_error}}

    Examples
    --------
    >>> check_read_only("SELECT 'DELETE FROM x' AS text -- ; DROP TABLE x", "sqlite")
    >>> check_read_only("UPDATE chapters SET title = ''", "sqlite")
    Traceback (most recent call last):
    ...
    novelkit.errors.ReadOnlyError: novelkit runs SQL read-only: UPDATE changes data. ...
    """
    verdict = classify(sql, dialect)
    if not verdict.read_only:
        raise ReadOnlyError(verdict.reason)


def check_users_sql(sql: str, dialect: Dialect) -> None:
    """:func:`check_read_only` for SQL a user wrote, which may not lift the engine's limits.

    MariaDB's ``SET STATEMENT max_statement_time=N FOR ...`` passes the read-only
    check (novelkit's own statement timeout sends every statement in that form,
    through the engine's guard); in a user's SQL it would replace the timeout the
    engine was given (``max_statement_time=0``: none). Refused with
    :class:`~novelkit.ReadOnlyError`, as every other ``SET``.
    """
    check_read_only(sql, dialect)
    if dialect != "mysql":
        return
    words = [x.word for x in lex(sql, dialect).lexemes if x.token_type != TokenType.HINT][:2]
    if words == ["SET", "STATEMENT"]:
        raise ReadOnlyError(
            f"{_PREFIX}SET STATEMENT changes the session's settings for the statement (its "
            "max_statement_time would replace the engine's statement_timeout). Write the "
            "query alone, and give the time limit with connect(statement_timeout=...)."
        )


CACHE_SIZE = 1024
# Longer statements are checked every time rather than kept alive by the cache.
_MAX_CACHED_LENGTH = 16_384


@functools.lru_cache(maxsize=CACHE_SIZE)
def _classify_memo(sql: str, dialect: Dialect) -> Classification:
    return classify(sql, dialect)


def classify_cached(sql: str, dialect: Dialect) -> Classification:
    """:func:`classify`, remembering the last :data:`CACHE_SIZE` short statements."""
    if len(sql) > _MAX_CACHED_LENGTH:
        return classify(sql, dialect)
    return _classify_memo(sql, dialect)


def check_read_only_cached(sql: str, dialect: Dialect) -> None:
    """:func:`check_read_only` for statements sent again and again (engine guard)."""
    verdict = classify_cached(sql, dialect)
    if not verdict.read_only:
        raise ReadOnlyError(verdict.reason)
