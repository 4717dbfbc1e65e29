"""Named ``:name`` placeholders in users' SQL: found by tokenizing, bound, never formatted.

``sqlalchemy.text()`` finds its binds with a regular expression that knows
nothing of strings or comments: ``text("SELECT ':abc'")`` has a bind named
``abc``. :func:`bind_text` therefore hands ``text()`` a string in which every
colon that is not a real placeholder is escaped (``\\:``, which ``text()``
turns back into ``:`` when it compiles), so that only the placeholders found
by sqlglot's tokenizer become binds.

On MySQL, SQLAlchemy compiles a literal ``%`` of the text to ``%%`` (the
drivers' ``format`` paramstyle) and asyncmy turns it back into ``%`` when it
fills in the parameters, which SQLAlchemy always passes (an empty tuple when
there are none). Running the clause with ``execution_options(no_parameters=True)``
would send ``%%`` to the server, and ``exec_driver_sql`` with a lone ``%`` fails
in asyncmy: run user SQL through the clause this module returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.sql.elements import BindParameter, TextClause
from sqlglot.tokens import TokenType

from novelkit.errors import ConfigurationError
from novelkit.sql._lex import Dialect, Lexeme, lex

__all__ = ["bind_text", "placeholder_names"]

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class _Placeholder(NamedTuple):
    name: str
    colon: int  # offset of the ':' in the SQL
    before: Lexeme | None  # the lexemes around it, for the IN (:ids) check
    after: Lexeme | None


def placeholder_names(sql: str, dialect: Dialect) -> list[str]:
    """The ``:name`` placeholders of ``sql``, in order of first appearance.

    A placeholder is a ``:`` outside strings, comments and quoted names,
    directly followed by a name of ASCII letters, digits and underscores that
    does not start with a digit. ``::``, ``:=``, ``'12:30'`` and ``-- :x`` are
    not placeholders.

    Parameters
    ----------
    sql
        One SQL statement.
    dialect
        ``"sqlite"`` or ``"mysql"``.

    Returns
    -------
    list of str
        Each name once.

    Raises
    ------
    ConfigurationError
        For SQL that cannot be tokenized, and for placeholders novelkit does
        not bind: ``?``, ``:1``, names with other characters, and SQLite's
        ``@name`` and ``$name``; the message says to use ``:name``.

    Examples
    --------
    >>> placeholder_names("SELECT ':no' FROM t WHERE a = :a AND b IN :ids AND c = :a", "sqlite")
    ['a', 'ids']
    """
    return list(dict.fromkeys(p.name for p in _placeholders(sql, dialect)))


def _placeholders(sql: str, dialect: Dialect) -> list[_Placeholder]:
    lexed = lex(sql, dialect)
    found = _find(sql, lexed.lexemes, dialect)
    if lexed.alternative is not None:
        other = _find(sql, lexed.alternative, dialect)
        if [p.colon for p in other] != [p.colon for p in found]:
            raise ConfigurationError(
                "The SQL's placeholders depend on whether the server reads backslashes in "
                "strings as escapes (sql_mode NO_BACKSLASH_ESCAPES). Write a quote inside a "
                "string as '' rather than \\'."
            )
    return found


def _find(sql: str, lexemes: tuple[Lexeme, ...], dialect: Dialect) -> list[_Placeholder]:
    found: list[_Placeholder] = []
    for i, lexeme in enumerate(lexemes):
        kind = lexeme.token_type
        if kind == TokenType.PLACEHOLDER or (
            dialect == "sqlite"
            and (kind == TokenType.PARAMETER or (lexeme.word or "").startswith("$"))
        ):
            shown = sql[lexeme.start : lexeme.end + 20].split()[0]
            raise ConfigurationError(
                f"novelkit binds :name placeholders only; {shown!r} is another kind. "
                "Write :name and pass params={'name': value}."
            )
        if lexeme.symbol != ":":
            continue
        end = lexeme.end
        while end < len(sql) and sql[end] in _NAME_CHARS:
            end += 1
        name = sql[lexeme.end : end]
        if name[:1].isdigit() or (end < len(sql) and (sql[end].isalnum() or sql[end] == "$")):
            shown = sql[lexeme.start : end + 1]
            raise ConfigurationError(
                f"{shown!r} is not a placeholder novelkit binds: names are ASCII letters, "
                "digits and underscores, not starting with a digit (e.g. :p1)."
            )
        if not name:
            continue  # ": x", ":'a'": a colon the database will judge, not a placeholder
        before = lexemes[i - 1] if i > 0 else None
        after = next((x for x in lexemes[i + 1 :] if x.start >= end), None)
        found.append(_Placeholder(name, lexeme.start, before, after))
    return found


def bind_text(sql: str, params: Mapping[str, Any] | None, dialect: Dialect) -> TextClause:
    """``sqlalchemy.text(sql)`` with every ``:name`` placeholder bound to its value.

    Values are bound, never formatted into the SQL. A list, tuple or set value
    becomes an expanding bind, for ``IN :ids`` (no parentheses: SQLAlchemy adds
    them); an empty one makes ``IN :ids`` false and ``NOT IN :ids`` true, as
    SQLAlchemy renders an empty set.

    Parameters
    ----------
    sql
        One SQL statement with ``:name`` placeholders.
    params
        A value for each placeholder, by name (without the colon).
    dialect
        ``"sqlite"`` or ``"mysql"``.

    Returns
    -------
    sqlalchemy.sql.elements.TextClause
        Ready to execute; its binds are exactly the placeholders.

    Raises
    ------
    ConfigurationError
        When a placeholder has no value, a value has no placeholder, a list
        value's placeholder is in parentheses (``IN (:ids)``), or for what
        :func:`placeholder_names` refuses.

    Examples
    --------
    >>> stmt = bind_text("SELECT * FROM chapters WHERE project_id IN :ids", {"ids": ["a", "b"]},
    ...                  "sqlite")
    >>> sorted(stmt.compile().params)
    ['ids']
    """
    found = _placeholders(sql, dialect)
    names = list(dict.fromkeys(p.name for p in found))
    given = dict(params or {})
    missing = [name for name in names if name not in given]
    if missing:
        listed = ", ".join(f":{name}" for name in missing)
        raise ConfigurationError(
            f"The SQL has {listed} but params gives no value for it; add it to params."
        )
    unused = [key for key in given if key not in names]
    if unused:
        listed = ", ".join(repr(key) for key in unused)
        raise ConfigurationError(
            f"params has {listed} but the SQL has no such :name placeholder; remove it from "
            "params or use it in the SQL."
        )
    binds: list[BindParameter[Any]] = []
    for name in names:
        value = given[name]
        if isinstance(value, list | tuple | set | frozenset):
            _check_not_parenthesised(name, found)
            binds.append(bindparam(name, list(value), expanding=True))
        else:
            binds.append(bindparam(name, value))
    return text(_escape_colons(sql, found)).bindparams(*binds)


def _check_not_parenthesised(name: str, found: list[_Placeholder]) -> None:
    for p in found:
        if (
            p.name == name
            and p.before is not None
            and p.before.symbol == "("
            and p.after is not None
            and p.after.symbol == ")"
        ):
            raise ConfigurationError(
                f"(:{name}) with a list value would become ((?, ?, ...)); write IN :{name} "
                "without parentheses, SQLAlchemy adds them."
            )


def _escape_colons(sql: str, found: list[_Placeholder]) -> str:
    """``sql`` with every colon escaped for ``text()`` but the placeholders'."""
    real = {p.colon for p in found}
    parts: list[str] = []
    position = 0
    colon = sql.find(":")
    while colon != -1:
        parts.append(sql[position:colon])
        previous = sql[colon - 1] if colon else ""
        if colon not in real:
            parts.append("\\")
        elif previous in (":", "\\", "_") or previous.isalnum():
            # text() does not see a placeholder glued to a word ("IN:ids"): a space
            # between two tokens changes nothing for the database.
            parts.append(" ")
        position = colon
        colon = sql.find(":", colon + 1)
    parts.append(sql[position:])
    return "".join(parts)
