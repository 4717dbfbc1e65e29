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
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

from sqlglot.tokens import TokenType

from novelkit._docstrings import shared_sections
from novelkit.errors import ConfigurationError, ReadOnlyError
from novelkit.sql._lex import QUOTED, Dialect, Lexeme, ReadingProblem, check_dialect, lex

__all__ = [
    "CACHE_SIZE",
    "Classification",
    "check_read_only",
    "check_read_only_cached",
    "check_users_sql",
    "classify",
    "classify_cached",
]

_PREFIX = "novelkit runs SQL read-only: "
_WRITE_FIX = (
    "Pass read_only=False to connect() with an account allowed to write, if you really mean to."
)


@dataclass(frozen=True, slots=True)
class Classification:
    """What kind of statement a piece of SQL is, and whether it may run read-only.

    Attributes
    ----------
    kind
        Allowed: ``"select"`` (also WITH, parenthesised selects and set
        operations), ``"values"``, ``"table"`` (MySQL ``TABLE t``),
        ``"explain"``, ``"describe"``, ``"show"``, ``"help"``, ``"pragma"``.
        Refused: the statement's leading word in lower case (``"update"``,
        ``"create"``, ``"set"``...) or one of ``"stacked"``, ``"into"``,
        ``"locking"``, ``"function"``, ``"assignment"``,
        ``"conditional_comment"``, ``"unreadable"``.
    read_only
        True when the statement may run through a read-only engine.
    reason
        The refusal message (what was refused, why, and what to do); empty
        when allowed.
    locking
        True for a locking read (``FOR UPDATE``, ``LOCK IN SHARE MODE``...).
    """

    kind: str
    read_only: bool
    reason: str = ""
    locking: bool = False


def _refusal(kind: str, what: str, why: str, fix: str, *, locking: bool = False) -> Classification:
    return Classification(kind, False, f"{_PREFIX}{what} {why}. {fix}", locking)


def _reading_refusal(problem: ReadingProblem) -> Classification:
    if problem.kind == "conditional_comment":
        return _refusal(
            "conditional_comment",
            f"a /*! ... */ comment ({problem.detail!r}...)",
            "is run by MySQL and MariaDB, not ignored, and novelkit cannot check it",
            "Write its content as plain SQL, or remove it.",
        )
    return _refusal(
        "unreadable",
        "this statement",
        "could be read differently by the database than by novelkit's check: "
        f"{problem.detail} (character {problem.position})",
        "Rewrite that part with plain spaces and ordinary quotes and comments.",
    )


_WHY_BY_WORD: dict[str, tuple[str, str]] = {}


def _category(words: str, why: str, fix: str = _WRITE_FIX) -> None:
    for word in words.split():
        _WHY_BY_WORD[word] = (why, fix)


_category("INSERT UPDATE DELETE REPLACE MERGE UPSERT LOAD", "changes data")
_category("CREATE ALTER DROP RENAME COMMENT TRUNCATE", "changes the schema")
_category("ATTACH", "opens another database file, and can create one")
_category("DETACH", "closes an attached database")
_category("VACUUM", "rewrites the database file (VACUUM INTO writes a new one)")
_category(
    "ANALYZE REINDEX OPTIMIZE REPAIR CHECK CHECKSUM CACHE",
    "is table maintenance: it writes statistics, indexes, table files or caches",
)
_category(
    "BEGIN START COMMIT ROLLBACK SAVEPOINT RELEASE END XA ABORT",
    "controls the transaction, which novelkit opens and closes itself",
    "Leave it out.",
)
_category("SET", "changes session or server settings", "Write the values into the query itself.")
_category(
    "USE",
    "changes the connection's default database, which novelkit's other statements rely on",
    "Qualify the table names instead (db.table).",
)
_category("LOCK UNLOCK", "takes or releases table locks, which block the live app's writers")
_category("KILL", "stops another session's statement or connection")
_category("GRANT REVOKE", "changes accounts' rights")
_category("CALL", "runs a stored procedure, which may change anything")
_category("DO", "evaluates expressions only for their side effects", "Use SELECT.")
_category("HANDLER", "opens a table cursor that stays open in the session")
_category(
    "FLUSH RESET PURGE CHANGE BINLOG SHUTDOWN RESTART STOP INSTALL UNINSTALL CLONE IMPORT "
    "BACKUP SIGNAL RESIGNAL",
    "changes the server's state, caches, logs or replication",
)
_category(
    "PREPARE EXECUTE DEALLOCATE",
    "runs SQL text that novelkit cannot check beforehand",
    "Send the statement itself, with :name placeholders for the values.",
)

# Functions whose call changes the server's state or other sessions; SLEEP() and
# BENCHMARK() only take time, which statement timeouts bound.
_SIDE_EFFECTS = {
    "GET_LOCK": "takes a named lock that other sessions wait for",
    "RELEASE_LOCK": "releases a named lock",
    "RELEASE_ALL_LOCKS": "releases named locks",
    "NEXTVAL": "advances a sequence",
    "SETVAL": "sets a sequence",
    "LASTVAL": "reads a session's sequence state",
    "MASTER_POS_WAIT": "waits on replication",
    "SOURCE_POS_WAIT": "waits on replication",
    "MASTER_GTID_WAIT": "waits on replication",
    "WAIT_FOR_EXECUTED_GTID_SET": "waits on replication",
    "WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS": "waits on replication",
    "SYS_EXEC": "runs a program on the database server",
    "SYS_EVAL": "runs a program on the database server",
    "SYS_SET": "sets the server's environment",
    "SYS_GET": "reads the server's environment",
    "SERVICE_GET_READ_LOCKS": "takes locks that other sessions wait for",
    "SERVICE_GET_WRITE_LOCKS": "takes locks that other sessions wait for",
    "SERVICE_RELEASE_LOCKS": "releases locking-service locks",
    "SET_FIREWALL_MODE": "reconfigures the server's firewall",
    "LOAD_EXTENSION": "loads native code into the database connection",
    "WRITEFILE": "writes a file",
    "EDIT": "starts an editor",
    "FTS3_TOKENIZER": "registers native code as a full-text tokenizer",
}
_SIDE_EFFECT_PREFIXES = (
    "AUDIT_LOG_FILTER_",
    "AUDIT_LOG_ENCRYPTION_",
    "KEYRING_KEY_",
    "VERSION_TOKENS_",
    "GROUP_REPLICATION_",
    "ASYNCHRONOUS_CONNECTION_FAILOVER_",
    "MYSQL_FIREWALL_",
)

# SQLite PRAGMAs that only read, without an argument; and those that read the
# schema of the table or index named in parentheses (SQLAlchemy's inspector).
_READ_PRAGMAS = frozenset(
    """analysis_limit application_id auto_vacuum automatic_index busy_timeout cache_size
    cache_spill cell_size_check checkpoint_fullfsync collation_list compile_options
    data_version database_list defer_foreign_keys encoding foreign_key_check foreign_keys
    freelist_count fullfsync function_list hard_heap_limit ignore_check_constraints
    integrity_check journal_mode journal_size_limit legacy_alter_table locking_mode
    max_page_count mmap_size module_list page_count page_size pragma_list query_only
    quick_check read_uncommitted recursive_triggers reverse_unordered_selects schema_version
    secure_delete soft_heap_limit synchronous table_list temp_store threads trusted_schema
    user_version wal_autocheckpoint""".split()  # noqa: SIM905 - a list of names, easier to scan
)
_SCHEMA_PRAGMAS = frozenset(
    "table_info table_xinfo table_list index_list index_info index_xinfo foreign_key_list".split()  # noqa: SIM905
)
_MAIN_WORDS = frozenset("SELECT VALUES TABLE INSERT UPDATE DELETE REPLACE MERGE UPSERT".split())  # noqa: SIM905


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


_NAMES = {"sqlite": "SQLite", "mysql": "MySQL/MariaDB"}
_ALLOWED = {
    "sqlite": "one SELECT, WITH, VALUES or EXPLAIN statement, or a PRAGMA that only reads",
    "mysql": "one SELECT, WITH, VALUES, TABLE, EXPLAIN, DESCRIBE, SHOW or HELP statement",
}
#: Read statements of one backend that the other does not have.
_OTHER_BACKENDS = {
    "sqlite": frozenset({"SHOW", "TABLE", "HELP", "DESCRIBE", "DESC"}),
    "mysql": frozenset({"PRAGMA"}),
}


def _unknown_refusal(word: str, first: Lexeme, dialect: Dialect) -> Classification:
    """A statement whose first word starts none that novelkit knows: most often a typo.

    Refused all the same (what novelkit cannot read it cannot prove read-only), but
    the message says the SQL is not a statement it knows, not that it writes.
    """
    name = _NAMES[dialect]
    kind = word.lower() if word.isascii() and word.isalpha() else "unknown"
    if word in _OTHER_BACKENDS[dialect]:
        other = _NAMES["mysql" if dialect == "sqlite" else "sqlite"]
        reason = f"{word} is a {other} statement; {name} has no such statement."
    else:
        shown = word if word else repr(first.text[:40])
        known = ["SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA", *_WHY_BY_WORD]
        close = difflib.get_close_matches(word, known, n=1, cutoff=0.8) if word else []
        typo = f" (a typo for {close[0]}?)" if close else ""
        reason = (
            f"{shown} does not start any SQL statement novelkit knows on {name}{typo}; "
            "novelkit cannot check it as read-only, so it is not sent."
        )
    return Classification(kind, False, f"{reason} Send {_ALLOWED[dialect]}.")


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


def _call_refusal(callee: Lexeme, first_argument: Lexeme | None) -> Classification | None:
    if callee.word is not None:
        name = callee.word
    elif callee.token_type in QUOTED:  # `get_lock`(...), "get_lock"(...) with ANSI_QUOTES
        name = callee.text.upper()
    else:
        return None
    if name == "LAST_INSERT_ID" and first_argument is not None and first_argument.symbol != ")":
        why = "sets the session's last insert id"
    elif name in _SIDE_EFFECTS:
        why = _SIDE_EFFECTS[name]
    elif name.startswith(_SIDE_EFFECT_PREFIXES):
        why = "changes the server's state"
    else:
        return None
    return _refusal("function", f"{name}()", why, "Leave the call out.")


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
