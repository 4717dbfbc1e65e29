"""Read SQL into tokens the way the database server will read it.

sqlglot's tokenizer does the reading (strings, quoted names, comments, each
dialect's quoting rules); :func:`lex` then checks the text it skipped and the
characters of every word against the server's own rules, because the checks
built on these tokens are only as good as the agreement between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

from sqlglot.dialects.mysql import MySQL
from sqlglot.dialects.sqlite import SQLite
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from novelkit.errors import ConfigurationError

__all__ = ["QUOTED", "Dialect", "Lexed", "Lexeme", "ReadingProblem", "check_dialect", "lex"]

Dialect = Literal["sqlite", "mysql"]


class _MySQLTokenizer(MySQL.Tokenizer):
    # sqlglot folds the rest of a "command" (SHOW, REPLACE, EXECUTE...) into one
    # string token; the checks must see every word.
    COMMANDS: ClassVar[set[TokenType]] = set()


class _MySQLNoBackslashTokenizer(_MySQLTokenizer):
    # How a server with sql_mode NO_BACKSLASH_ESCAPES reads strings.
    STRING_ESCAPES: ClassVar[list[str]] = ["'", '"']


class _SQLiteTokenizer(SQLite.Tokenizer):
    COMMANDS: ClassVar[set[TokenType]] = set()


# The only characters each server skips as white space (sqlglot, like Python,
# also skips Unicode spaces, which both servers read as part of a name).
_SPACE = {"sqlite": frozenset(" \t\n\f\r"), "mysql": frozenset(" \t\n\v\f\r")}

QUOTED = frozenset(
    {
        TokenType.STRING,
        TokenType.NATIONAL_STRING,
        TokenType.HEX_STRING,
        TokenType.BIT_STRING,
        TokenType.BYTE_STRING,
        TokenType.RAW_STRING,
        TokenType.UNICODE_STRING,
        TokenType.HEREDOC_STRING,
        TokenType.IDENTIFIER,
    }
)
_NUMBER_CHARS = frozenset("0123456789abcdefABCDEFxX_.+-eE")


class Lexeme(NamedTuple):
    """One token of a statement as the checks see it.

    Attributes
    ----------
    word
        The upper-cased word of an unquoted keyword or name (``"SELECT"``,
        ``"GET_LOCK"``); None for anything quoted, numbers and symbols. A
        keyword of several words (``GROUP BY``) gives one lexeme per word.
    symbol
        The text of punctuation and operators (``"("``, ``";"``, ``":="``).
    text
        sqlglot's text: the content of a string or a quoted name, unquoted.
    token_type
        sqlglot's token type.
    start, end
        The token's span in the SQL, ``sql[start:end]``.
    """

    word: str | None
    symbol: str | None
    text: str
    token_type: TokenType
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ReadingProblem:
    """Where and why the server might read the SQL otherwise than sqlglot did.

    Attributes
    ----------
    kind
        ``"conditional_comment"`` (MySQL runs the content of ``/*! */`` and
        ``/*M! */``) or ``"unreadable"``.
    position
        The offset in the SQL.
    detail
        What was found there.
    """

    kind: Literal["conditional_comment", "unreadable"]
    position: int
    detail: str


@dataclass(frozen=True, slots=True)
class Lexed:
    """The lexemes of a statement, or why the server might read it differently.

    ``alternative`` is the MySQL reading without backslash escapes, when that
    reading differs at all (the SQL has a backslash) and is readable.
    """

    lexemes: tuple[Lexeme, ...]
    alternative: tuple[Lexeme, ...] | None = None
    problem: ReadingProblem | None = None


def check_dialect(dialect: str) -> None:
    if dialect not in _SPACE:
        raise ConfigurationError(f"dialect={dialect!r} is not known; use 'sqlite' or 'mysql'.")


def _tokens(sql: str, tokenizer: type[MySQL.Tokenizer] | type[SQLite.Tokenizer]) -> list[Token]:
    try:
        return tokenizer().tokenize(sql)
    except TokenError as exc:
        raise ConfigurationError(
            "novelkit could not read this SQL: a quote or comment is not closed, or a literal "
            f"is malformed ({exc}). Close it and try again."
        ) from exc


def lex(sql: str, dialect: Dialect) -> Lexed:
    """Tokenize ``sql`` and check that the server would read the same tokens.

    sqlglot's tokenizer does the reading. The text it skips between tokens must
    then be white space or comments by the server's own rules, and every name
    and keyword must be made of characters the server reads as one word: a
    Unicode space (``U+00A0``) that sqlglot skips is part of a name to SQLite and
    MySQL, ``{# #}`` is a comment to sqlglot only, and MySQL *executes*
    ``/*! ... */`` and ``/*M! ... */``. On MySQL, SQL with a backslash is also
    read as a server with ``sql_mode=NO_BACKSLASH_ESCAPES`` reads it
    (``alternative``), and a backslash inside ``"..."`` is refused
    (``ANSI_QUOTES`` makes that a name, without escapes).

    Parameters
    ----------
    sql
        One SQL statement, as the user wrote it or as a driver receives it.
    dialect
        ``"sqlite"`` or ``"mysql"`` (MySQL and MariaDB).

    Returns
    -------
    Lexed
        The lexemes, the other reading if there is one, and in ``problem``
        where and why the server might read the SQL differently.

    Raises
    ------
    ConfigurationError
        For an unknown dialect, or SQL sqlglot cannot tokenize (an unclosed
        quote or comment).
    """
    check_dialect(dialect)
    tokenizer = _MySQLTokenizer if dialect == "mysql" else _SQLiteTokenizer
    tokens = _tokens(sql, tokenizer)
    problem = _check_reading(sql, tokens, dialect)
    alternative = None
    if problem is None and dialect == "mysql" and "\\" in sql:
        try:
            other = _MySQLNoBackslashTokenizer().tokenize(sql)
        except TokenError:
            pass  # unreadable without backslash escapes: such a server refuses it
        else:
            problem = _check_reading(sql, other, dialect)
            alternative = tuple(_lexemes(sql, other))
    return Lexed(tuple(_lexemes(sql, tokens)), alternative, problem)


def _lexemes(sql: str, tokens: list[Token]) -> list[Lexeme]:
    out: list[Lexeme] = []
    for token in tokens:
        start, end, kind = token.start, token.end + 1, token.token_type
        if kind in QUOTED or kind in (TokenType.NUMBER, TokenType.HINT):
            out.append(Lexeme(None, None, token.text, kind, start, end))
            continue
        raw = sql[start:end]
        if _is_word(kind, raw):
            for word in raw.split():
                out.append(Lexeme(word.upper(), None, token.text, kind, start, end))
        else:
            out.append(Lexeme(None, raw, token.text, kind, start, end))
    return out


def _is_word(kind: TokenType, raw: str) -> bool:
    return kind == TokenType.VAR or _name_char(raw[0])


def _name_char(char: str) -> bool:
    if char.isascii():
        return char.isalnum() or char in "_$"
    return not char.isspace() and char.isprintable()


def _check_reading(sql: str, tokens: list[Token], dialect: Dialect) -> ReadingProblem | None:
    """Why the server might read ``sql`` as other tokens than ``tokens``, or None."""
    space = _SPACE[dialect]
    position = 0
    for token in tokens:
        if token.start < position:
            return _unreadable(sql, token.start, "sqlglot read overlapping tokens")
        problem = _check_gap(sql, position, token.start, dialect)
        if problem is not None:
            return problem
        raw = sql[token.start : token.end + 1]
        kind = token.token_type
        if kind in QUOTED:
            if dialect == "mysql" and raw.startswith('"') and "\\" in raw:
                return _unreadable(
                    sql,
                    token.start,
                    'a backslash inside "..." is an escape in a string but not in a name '
                    "(sql_mode ANSI_QUOTES); use '...' for strings",
                )
        elif kind == TokenType.HINT:
            pass  # /*+ ... */ after SELECT: a MySQL optimizer hint, sqlglot checked its end
        elif kind == TokenType.NUMBER:
            if not set(raw) <= _NUMBER_CHARS:
                return _unreadable(sql, token.start, f"the number {raw!r} has unusual characters")
        elif _is_word(kind, raw):
            # isidentifier(): the quick answer for ordinary names and keywords.
            if not raw.isidentifier() and not all(_name_char(c) or c in space for c in raw):
                return _unreadable(sql, token.start, f"{raw!r} has unusual characters")
        elif any(c.isspace() or not c.isprintable() for c in raw):
            return _unreadable(sql, token.start, f"{raw!r} has unusual characters")
        position = token.end + 1
    return _check_gap(sql, position, len(sql), dialect)


def _check_gap(sql: str, start: int, end: int, dialect: Dialect) -> ReadingProblem | None:
    """Refuse unless ``sql[start:end]`` is white space and comments to the server."""
    space = _SPACE[dialect]
    mysql = dialect == "mysql"
    i = start
    while i < end:
        char = sql[i]
        if char in space:
            i += 1
            continue
        if sql.startswith("/*", i):
            if mysql and (sql.startswith("/*!", i) or sql.startswith("/*M!", i)):
                return ReadingProblem("conditional_comment", i, sql[i : i + 40])
            close = sql.find("*/", i + 2)
            if close == -1 or close + 2 > end:
                return _unreadable(sql, i, "a comment ends elsewhere than sqlglot thinks")
            i = close + 2
            continue
        dash = sql.startswith("--", i)
        if dash and mysql:
            after = sql[i + 2 : i + 3]
            # MySQL reads "--" as a comment only before white space or a control character.
            if after and not (after in space or ord(after) < 32 or ord(after) == 127):
                return _unreadable(sql, i, "'--' without a following space is not a comment")
        if dash or (mysql and char == "#"):
            newline = sql.find("\n", i)
            stop = len(sql) if newline == -1 else newline
            if stop > end:
                return _unreadable(sql, i, "a comment ends elsewhere than sqlglot thinks")
            i = stop
            continue
        return _unreadable(sql, i, f"{char!r} (U+{ord(char):04X}) is not white space to the server")
    return None


def _unreadable(sql: str, at: int, why: str) -> ReadingProblem:
    return ReadingProblem("unreadable", at, f"{why}, near {sql[max(0, at - 20) : at + 20]!r}")
