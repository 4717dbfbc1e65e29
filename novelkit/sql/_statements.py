"""Read one statement's lexemes as the server would run it, for :mod:`._classify`.

Which statement the lexemes make (SELECT, WITH, EXPLAIN, PRAGMA, MariaDB's
``SET STATEMENT ... FOR``...), and whether a clause or call in it writes, locks
or changes the session: the walk behind
:func:`~novelkit.sql._classify.classify`. The words it refuses and the messages
it refuses them with are in :mod:`._refusals`; the entry points and their cache
in :mod:`._classify`.
"""

from __future__ import annotations

from sqlglot.tokens import TokenType

from novelkit.errors import ConfigurationError
from novelkit.sql._lex import Dialect, Lexeme
from novelkit.sql._refusals import (
    _PREFIX,
    _READ_PRAGMAS,
    _SCHEMA_PRAGMAS,
    _WHY_BY_WORD,
    _WRITE_FIX,
    Classification,
    _call_refusal,
    _refusal,
    _unknown_refusal,
)

_MAIN_WORDS = frozenset("SELECT VALUES TABLE INSERT UPDATE DELETE REPLACE MERGE UPSERT".split())  # noqa: SIM905


def _classify_lexemes(lexemes: tuple[Lexeme, ...], dialect: Dialect) -> Classification:
    # An optimizer hint is a comment to the checks.
    lx = tuple(x for x in lexemes if x.token_type != TokenType.HINT)
    if not lx:
        raise ConfigurationError("The SQL holds only comments; give one statement.")
    for i, lexeme in enumerate(lx):
        if lexeme.symbol == ";" and i != len(lx) - 1:
            return _refusal(
                "stacked",
                "several statements in one call",
                "are refused, reads too, so that none can hide behind another",
                "Send one statement per call.",
            )
    if lx[-1].symbol == ";":
        lx = lx[:-1]
        if not lx:
            raise ConfigurationError("The SQL holds no statement, only ';'.")
    return _statement(lx, dialect)


def _statement(lx: tuple[Lexeme, ...], dialect: Dialect) -> Classification:
    mysql = dialect == "mysql"
    word = lx[0].word
    if lx[0].symbol == "(" or word in ("SELECT", "WITH"):
        kind = "select"
    elif word == "VALUES":
        kind = "values"
    elif word in ("EXPLAIN", "DESCRIBE", "DESC"):
        return _explain(lx, dialect)
    elif mysql and word in ("TABLE", "SHOW", "HELP"):
        kind = word.lower()
    elif not mysql and word == "PRAGMA":
        return _pragma(lx)
    elif mysql and _is_statement_timeout(lx):
        return _statement(lx[6:], dialect)
    else:
        return _leading_refusal(lx, dialect)
    if word == "WITH":
        main = _with_main(lx)
        if main is not None and main not in ("SELECT", "VALUES", "TABLE"):
            return _leading_refusal(tuple(x for x in lx if x.word == main), dialect)
    return _scan(lx, kind)


def _words(lx: tuple[Lexeme, ...], start: int, count: int) -> tuple[str | None, ...]:
    return tuple(x.word for x in lx[start : start + count])


def _is_statement_timeout(lx: tuple[Lexeme, ...]) -> bool:
    # MariaDB: SET STATEMENT max_statement_time=N FOR <statement>, exactly as
    # novelkit's statement timeout sends it; any other SET is refused.
    return (
        len(lx) > 6
        and _words(lx, 0, 3) == ("SET", "STATEMENT", "MAX_STATEMENT_TIME")
        and lx[3].symbol == "="
        and lx[4].token_type == TokenType.NUMBER
        and lx[5].word == "FOR"
    )


def _with_main(lx: tuple[Lexeme, ...]) -> str | None:
    """The statement a WITH clause leads to (None: a parenthesised query)."""
    depth = 0
    for lexeme in lx[1:]:
        if lexeme.symbol == "(":
            depth += 1
        elif lexeme.symbol == ")":
            depth -= 1
        elif depth == 0 and lexeme.word in _MAIN_WORDS:
            return lexeme.word
    return None


def _leading_refusal(lx: tuple[Lexeme, ...], dialect: Dialect) -> Classification:
    first = lx[0]
    word = first.word or ""
    what = word
    if word in ("LOAD", "LOCK", "SET", "START"):
        what = " ".join(w for w in _words(lx, 0, 2) if w)
    if word == "START" and len(lx) > 1 and lx[1].word != "TRANSACTION":
        why, fix = _WHY_BY_WORD["STOP"]  # START SLAVE/REPLICA
    elif word in _WHY_BY_WORD:
        why, fix = _WHY_BY_WORD[word]
    else:
        return _unknown_refusal(word, first, dialect)
    return _refusal(word.lower(), what, why, fix)


def _scan(lx: tuple[Lexeme, ...], kind: str) -> Classification:
    """Refuse a read statement's clauses and calls that write or lock."""
    for i, lexeme in enumerate(lx):
        word = lexeme.word
        after = _words(lx, i + 1, 3)
        if word == "INTO":
            target = after[0] or (lx[i + 1].symbol if i + 1 < len(lx) else None) or ""
            why = (
                "writes a file on the database server"
                if target in ("OUTFILE", "DUMPFILE")
                else "assigns variables or writes the result somewhere"
            )
            return _refusal("into", "SELECT ... INTO", why, "Leave out the INTO clause.")
        if (word == "FOR" and after[0] in ("UPDATE", "SHARE")) or (
            word == "LOCK" and after == ("IN", "SHARE", "MODE")
        ):
            clause = f"FOR {after[0]}" if word == "FOR" else "LOCK IN SHARE MODE"
            return _refusal(
                "locking",
                f"a locking read ({clause})",
                "takes row locks that would block the live app's writers",
                "Leave out the locking clause.",
                locking=True,
            )
        if lexeme.symbol == ":=":
            return _refusal(
                "assignment",
                "':='",
                "assigns a user variable, which changes the session",
                "Compute the value in the query instead.",
            )
        if word in ("NEXT", "PREVIOUS") and after[:2] == ("VALUE", "FOR"):
            return _refusal(
                "function",
                f"{word} VALUE FOR",
                "uses a sequence" if word == "PREVIOUS" else "advances a sequence",
                "Read the sequence's table instead.",
            )
        if i + 1 < len(lx) and lx[i + 1].symbol == "(":
            refusal = _call_refusal(lexeme, lx[i + 2] if i + 2 < len(lx) else None)
            if refusal is not None:
                return refusal
    return Classification(kind, True)


def _explain(lx: tuple[Lexeme, ...], dialect: Dialect) -> Classification:
    i = 1
    if dialect == "sqlite":
        if lx[0].word != "EXPLAIN":
            return _leading_refusal(lx, dialect)
        if _words(lx, 1, 2) == ("QUERY", "PLAN"):
            i = 3
    else:
        while i < len(lx) and lx[i].word in ("EXTENDED", "PARTITIONS", "ANALYZE", "FORMAT"):
            i += 3 if lx[i].word == "FORMAT" and _symbol(lx, i + 1) == "=" else 1
    if i >= len(lx):
        return _leading_refusal(lx, dialect)
    inner = lx[i:]
    if inner[0].symbol == "(" or inner[0].word in ("SELECT", "WITH", "VALUES", "TABLE"):
        verdict = _statement(inner, dialect)
        if verdict.read_only:
            return Classification("explain", True)
    elif dialect == "mysql" and _is_table_reference(inner):
        return Classification("describe", True)
    else:
        verdict = _statement(inner, dialect)
        if verdict.read_only:
            return _refusal(
                "explain",
                f"{lx[0].word} {inner[0].word or ''}".rstrip(),
                "is not checked: novelkit explains SELECT, WITH, VALUES and TABLE only",
                "Explain the query itself.",
            )
    return Classification(
        verdict.kind,
        False,
        f"{_PREFIX}{lx[0].word} of a refused statement is refused too (MariaDB's EXPLAIN "
        f"ANALYZE runs it): {verdict.reason.removeprefix(_PREFIX)}",
        verdict.locking,
    )


def _symbol(lx: tuple[Lexeme, ...], i: int) -> str | None:
    return lx[i].symbol if i < len(lx) else None


_NOT_TABLE_NAMES = _MAIN_WORDS | {"WITH", "FOR", "SHOW", "HELP", "PRAGMA", "EXPLAIN", "DESCRIBE"}


def _is_name(lexeme: Lexeme) -> bool:
    return lexeme.token_type == TokenType.IDENTIFIER or (
        lexeme.word is not None and lexeme.word not in _NOT_TABLE_NAMES
    )


def _is_table_reference(lx: tuple[Lexeme, ...]) -> bool:
    """``t``, ``db.t``, optionally followed by a column name or a LIKE pattern string."""
    i = 1
    if not _is_name(lx[0]):
        return False
    if _symbol(lx, 1) == "." and len(lx) > 2 and _is_name(lx[2]):
        i = 3
    rest = lx[i:]
    return not rest or (
        len(rest) == 1 and (_is_name(rest[0]) or rest[0].token_type == TokenType.STRING)
    )


def _pragma(lx: tuple[Lexeme, ...]) -> Classification:
    i = 1
    if _symbol(lx, 2) == ".":
        i = 3  # PRAGMA schema.name
    name = (lx[i].word or "").lower() if i < len(lx) else ""
    rest = lx[i + 1 :]
    what = f"PRAGMA {name}" if name else "PRAGMA"
    if not rest and name in _READ_PRAGMAS:
        return Classification("pragma", True)
    if (
        name in _SCHEMA_PRAGMAS
        and len(rest) == 3
        and rest[0].symbol == "("
        and rest[2].symbol == ")"
        and rest[1].symbol is None
    ):
        return Classification("pragma", True)
    if rest and rest[0].symbol == "=":
        why = "sets a value"
    elif rest:
        why = "with an argument sets a value or acts, except for the schema-reading ones"
    else:
        why = "acts on the database (or is not one novelkit knows to only read)"
    return _refusal("pragma", what, why, _WRITE_FIX)
