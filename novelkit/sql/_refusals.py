"""What the read-only check refuses, and the messages that say so.

The vocabulary of :mod:`._classify`: the statements' leading words it refuses,
each with why and what to do instead (``_WHY_BY_WORD``), the functions whose
call has side effects, the SQLite PRAGMAs that only read, and the builders of
the refusals (:class:`Classification` with its message). Kept apart from the
walk over a statement's lexemes (:mod:`._statements`) so that the word lists and
messages can be read and changed without the parsing around them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from novelkit.sql._lex import QUOTED, Dialect, Lexeme, ReadingProblem

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
