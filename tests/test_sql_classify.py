"""check_read_only: every statement class, the tricks that must not fool it, and its cost.

The verdict tables below are the specification: each row is one statement
class on one dialect. SQLite rows that are allowed are also executed on a real
SQLite database through an engine that runs the check on every statement.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings, strategies as st

from novelkit.errors import ConfigurationError, ReadOnlyError
from novelkit.sql._classify import (
    Classification,
    check_read_only,
    check_read_only_cached,
    classify,
    classify_cached,
)
from novelkit.sql._lex import lex

SQLITE, MYSQL = "sqlite", "mysql"
BOTH = (SQLITE, MYSQL)
#: How a statement novelkit does not know is refused (not as a write: most are typos).
UNKNOWN = "does not start any SQL statement novelkit knows"

# (sql, dialects, kind)
ALLOWED = [
    ("SELECT 1", BOTH, "select"),
    ("select * from chapters where id = 1;", BOTH, "select"),
    ("sElEcT\t1\n\f\r", BOTH, "select"),
    ("SELECT 1 -- trailing comment", BOTH, "select"),
    ("/* leading */ SELECT 1 /* inner */ ; -- after", BOTH, "select"),
    ("SELECT 1 # MySQL comment\n", (MYSQL,), "select"),
    ("WITH a AS (SELECT 1 AS x) SELECT x FROM a", BOTH, "select"),
    (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n LIMIT 3",
        BOTH,
        "select",
    ),
    ("WITH a AS (SELECT 1 AS x) (SELECT x FROM a)", (MYSQL,), "select"),
    ("(SELECT 1) UNION (SELECT 2)", (MYSQL,), "select"),
    ("SELECT 1 UNION SELECT 2 INTERSECT SELECT 2 EXCEPT SELECT 3", BOTH, "select"),
    ("((SELECT 1))", (MYSQL,), "select"),
    ("VALUES (1, 'a'), (2, 'b')", BOTH, "values"),
    ("TABLE chapters", (MYSQL,), "table"),
    ("EXPLAIN SELECT * FROM chapters", BOTH, "explain"),
    ("EXPLAIN QUERY PLAN SELECT * FROM chapters WHERE id = 1", (SQLITE,), "explain"),
    ("EXPLAIN ANALYZE SELECT 1", (MYSQL,), "explain"),
    ("EXPLAIN EXTENDED SELECT 1", (MYSQL,), "explain"),
    ("EXPLAIN FORMAT=JSON SELECT 1", (MYSQL,), "explain"),
    ("EXPLAIN FORMAT = TREE WITH a AS (SELECT 1) SELECT * FROM a", (MYSQL,), "explain"),
    ("DESCRIBE SELECT 1", (MYSQL,), "explain"),
    ("DESCRIBE chapters", (MYSQL,), "describe"),
    ("DESC `nkdb`.`chapters`", (MYSQL,), "describe"),
    ("DESCRIBE chapters word_count", (MYSQL,), "describe"),
    ("EXPLAIN chapters 'word%'", (MYSQL,), "describe"),
    ("SHOW TABLES", (MYSQL,), "show"),
    ("SHOW VARIABLES LIKE 'sql_mode'", (MYSQL,), "show"),
    ("SHOW CREATE TABLE `chapters`", (MYSQL,), "show"),
    ("SHOW FULL TABLES FROM `nkdb`", (MYSQL,), "show"),
    ("SHOW COLLATION", (MYSQL,), "show"),
    ("SHOW schemas", (MYSQL,), "show"),
    ("HELP 'contents'", (MYSQL,), "help"),
    ("PRAGMA journal_mode", (SQLITE,), "pragma"),
    ("PRAGMA user_version;", (SQLITE,), "pragma"),
    ("pragma main.application_id", (SQLITE,), "pragma"),
    ("PRAGMA table_info(chapters)", (SQLITE,), "pragma"),
    ('PRAGMA main.table_info("chapters")', (SQLITE,), "pragma"),
    ('PRAGMA main.table_xinfo("chapters")', (SQLITE,), "pragma"),
    ("PRAGMA index_list('chapters')", (SQLITE,), "pragma"),
    ('PRAGMA main.index_info("ix_chapters_project")', (SQLITE,), "pragma"),
    ('PRAGMA main.index_xinfo("ix_chapters_project")', (SQLITE,), "pragma"),
    ('PRAGMA main.foreign_key_list("chapters")', (SQLITE,), "pragma"),
    ("SELECT SLEEP(1), BENCHMARK(10, MD5('a'))", (MYSQL,), "select"),
    ("SELECT DATABASE(), VERSION(), @@transaction_isolation, @@session.x", (MYSQL,), "select"),
    ("SELECT @a, @`b c`", (MYSQL,), "select"),
    ("SELECT CAST('test plain returns' AS CHAR(60)) AS anon_1", BOTH, "select"),
    ("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", (SQLITE,), "select"),
    ("SELECT * FROM information_schema.columns WHERE table_schema = %s", (MYSQL,), "select"),
    ("SELECT * FROM t WHERE a = %(a)s AND b LIKE '%%x%%'", (MYSQL,), "select"),
    ("SELECT * FROM chapters WHERE id = ? AND project_id = ?1", (SQLITE,), "select"),
    ("SELECT * FROM chapters WHERE project_id IN :ids", BOTH, "select"),
    ("SELECT REPLACE(title, 'a', 'b'), INSERT(title, 1, 1, 'x') FROM chapters", (MYSQL,), "select"),
    ("SELECT replace(title, 'a', 'b') FROM chapters", (SQLITE,), "select"),
    ("SELECT LAST_INSERT_ID(), IS_FREE_LOCK('x'), IS_USED_LOCK('x')", (MYSQL,), "select"),
    ("SELECT * FROM history FOR SYSTEM_TIME ALL", (MYSQL,), "select"),
    ("SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM chapters", (MYSQL,), "select"),
    ("SET STATEMENT max_statement_time=5 FOR SELECT 1", (MYSQL,), "select"),
    ("SET STATEMENT max_statement_time=0.25 FOR SHOW CREATE TABLE `x`", (MYSQL,), "show"),
    ("SELECT 1--1", (MYSQL,), "select"),  # 1 - (-1) on MySQL: not a comment
    ("SELECT 'a' 'b', N'c', _utf8mb4'd', X'41', 0x41, b'1', 1e5, .5", (MYSQL,), "select"),
    ("SELECT X'41', 0x41, 1e5, .5", (SQLITE,), "select"),
]

# (sql, dialects, kind, words the message must contain)
REFUSED = [
    ("INSERT INTO t VALUES (1)", BOTH, "insert", "INSERT changes data"),
    ("INSERT t (a) VALUES (1)", (MYSQL,), "insert", "INSERT changes data"),
    ("UPDATE chapters SET title = ''", BOTH, "update", "UPDATE changes data"),
    ("DELETE FROM chapters", BOTH, "delete", "DELETE changes data"),
    ("REPLACE INTO t VALUES (1)", BOTH, "replace", "REPLACE changes data"),
    ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", BOTH, "merge", "changes data"),
    ("UPSERT INTO t VALUES (1)", BOTH, "upsert", "changes data"),
    ("WITH a AS (SELECT 1) DELETE FROM t", BOTH, "delete", "DELETE changes data"),
    ("WITH a AS (SELECT 1) UPDATE t SET x = 1", BOTH, "update", "UPDATE changes data"),
    ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", (SQLITE,), "insert", "INSERT"),
    ("CREATE TABLE t (a INT)", BOTH, "create", "changes the schema"),
    ("CREATE TEMP VIEW v AS SELECT 1", (SQLITE,), "create", "changes the schema"),
    ("ALTER TABLE t ADD COLUMN b INT", BOTH, "alter", "changes the schema"),
    ("DROP TABLE t", BOTH, "drop", "changes the schema"),
    ("TRUNCATE TABLE t", (MYSQL,), "truncate", "changes the schema"),
    ("RENAME TABLE a TO b", (MYSQL,), "rename", "changes the schema"),
    ("COMMENT ON TABLE t IS 'x'", BOTH, "comment", "changes the schema"),
    ("ATTACH DATABASE 'other.db' AS other", (SQLITE,), "attach", "another database file"),
    ("DETACH other", (SQLITE,), "detach", "attached"),
    ("VACUUM", (SQLITE,), "vacuum", "rewrites the database file"),
    ("VACUUM INTO '/tmp/copy.db'", (SQLITE,), "vacuum", "VACUUM INTO"),
    ("PRAGMA journal_mode = WAL", (SQLITE,), "pragma", "sets a value"),
    ("PRAGMA main.user_version=1", (SQLITE,), "pragma", "sets a value"),
    ("PRAGMA query_only(0)", (SQLITE,), "pragma", "with an argument"),
    ("PRAGMA query_only = 0", (SQLITE,), "pragma", "sets a value"),
    ("PRAGMA wal_checkpoint", (SQLITE,), "pragma", "acts on the database"),
    ("PRAGMA wal_checkpoint(TRUNCATE)", (SQLITE,), "pragma", "with an argument"),
    ("PRAGMA optimize", (SQLITE,), "pragma", "acts"),
    ("PRAGMA incremental_vacuum(10)", (SQLITE,), "pragma", "with an argument"),
    ("PRAGMA table_info(a, b)", (SQLITE,), "pragma", "with an argument"),
    ("PRAGMA journal_mode", (MYSQL,), "pragma", "PRAGMA is a SQLite statement; MySQL/MariaDB"),
    ("ANALYZE", (SQLITE,), "analyze", "table maintenance"),
    ("ANALYZE TABLE t", (MYSQL,), "analyze", "table maintenance"),
    ("ANALYZE SELECT * FROM t", (MYSQL,), "analyze", "table maintenance"),
    ("REINDEX", (SQLITE,), "reindex", "table maintenance"),
    ("CHECK TABLE t", (MYSQL,), "check", "table maintenance"),
    ("OPTIMIZE TABLE t", (MYSQL,), "optimize", "table maintenance"),
    ("REPAIR TABLE t", (MYSQL,), "repair", "table maintenance"),
    ("CACHE INDEX t IN hot", (MYSQL,), "cache", "table maintenance"),
    ("SET GLOBAL max_connections = 1", (MYSQL,), "set", "SET GLOBAL changes"),
    ("SET SESSION TRANSACTION READ WRITE", (MYSQL,), "set", "SET SESSION"),
    ("SET @x = 1", (MYSQL,), "set", "changes session or server settings"),
    ("SET NAMES utf8mb4", (MYSQL,), "set", "SET NAMES"),
    ("SET STATEMENT max_statement_time=5 FOR UPDATE t SET a = 1", (MYSQL,), "update", "UPDATE"),
    ("SET STATEMENT sql_mode='' FOR SELECT 1", (MYSQL,), "set", "SET STATEMENT"),
    ("SELECT * INTO OUTFILE '/tmp/x' FROM t", (MYSQL,), "into", "writes a file on the database"),
    ("SELECT * FROM t INTO DUMPFILE '/tmp/x'", (MYSQL,), "into", "writes a file"),
    ("SELECT a INTO @v FROM t", (MYSQL,), "into", "assigns variables"),
    ("SELECT @v := 1", (MYSQL,), "assignment", "assigns a user variable"),
    ("LOCK TABLES t READ", (MYSQL,), "lock", "LOCK TABLES"),
    ("UNLOCK TABLES", (MYSQL,), "unlock", "table locks"),
    ("FLUSH TABLES", (MYSQL,), "flush", "server's state"),
    ("HANDLER t OPEN", (MYSQL,), "handler", "table cursor"),
    ("PREPARE s FROM 'DELETE FROM t'", (MYSQL,), "prepare", "cannot check beforehand"),
    ("EXECUTE s", (MYSQL,), "execute", "cannot check beforehand"),
    ("DEALLOCATE PREPARE s", (MYSQL,), "deallocate", "cannot check beforehand"),
    ("CALL p()", (MYSQL,), "call", "stored procedure"),
    ("DO GET_LOCK('a', 10)", (MYSQL,), "do", "side effects"),
    ("KILL QUERY 5", (MYSQL,), "kill", "another session"),
    ("LOAD DATA INFILE '/tmp/x' INTO TABLE t", (MYSQL,), "load", "LOAD DATA changes data"),
    ("LOAD XML INFILE '/tmp/x' INTO TABLE t", (MYSQL,), "load", "LOAD XML"),
    ("GRANT ALL ON *.* TO x", (MYSQL,), "grant", "rights"),
    ("REVOKE ALL ON *.* FROM x", (MYSQL,), "revoke", "rights"),
    ("INSTALL PLUGIN x SONAME 'x.so'", (MYSQL,), "install", "server's state"),
    ("UNINSTALL PLUGIN x", (MYSQL,), "uninstall", "server's state"),
    ("BEGIN", BOTH, "begin", "controls the transaction"),
    ("BEGIN IMMEDIATE", (SQLITE,), "begin", "controls the transaction"),
    ("START TRANSACTION READ ONLY", (MYSQL,), "start", "START TRANSACTION"),
    ("COMMIT", BOTH, "commit", "controls the transaction"),
    ("END", (SQLITE,), "end", "controls the transaction"),
    ("ROLLBACK", BOTH, "rollback", "controls the transaction"),
    ("SAVEPOINT a", BOTH, "savepoint", "controls the transaction"),
    ("RELEASE SAVEPOINT a", BOTH, "release", "controls the transaction"),
    ("XA START 'x'", (MYSQL,), "xa", "controls the transaction"),
    ("RESET MASTER", (MYSQL,), "reset", "server's state"),
    ("PURGE BINARY LOGS BEFORE NOW()", (MYSQL,), "purge", "server's state"),
    ("CHANGE MASTER TO MASTER_HOST = 'x'", (MYSQL,), "change", "replication"),
    ("BINLOG 'abc'", (MYSQL,), "binlog", "server's state"),
    ("SHUTDOWN", (MYSQL,), "shutdown", "server's state"),
    ("START SLAVE", (MYSQL,), "start", "replication"),
    ("USE other", (MYSQL,), "use", "default database"),
    ("HELP 'contents'", (SQLITE,), "help", "HELP is a MySQL/MariaDB statement; SQLite"),
    ("SHOW TABLES", (SQLITE,), "show", "SHOW is a MySQL/MariaDB statement; SQLite"),
    ("DESCRIBE chapters", (SQLITE,), "describe", "DESCRIBE is a MySQL/MariaDB statement"),
    ("SELECT 1; DELETE FROM t", BOTH, "stacked", "Send one statement per call"),
    ("SELECT 1; SELECT 2", BOTH, "stacked", "several statements"),
    ("SELECT 1;;", BOTH, "stacked", "several statements"),
    ("; SELECT 1", BOTH, "stacked", "several statements"),
    ("SELECT 1 /*! , SLEEP(1) */", (MYSQL,), "conditional_comment", "run by MySQL and MariaDB"),
    ("/*!50000 DELETE FROM t */", (MYSQL,), "conditional_comment", "/*!"),
    ("SELECT 1 /*M!100000 , 2 */", (MYSQL,), "conditional_comment", "/*M!"),
    ("SELECT 1 /*!*/", (MYSQL,), "conditional_comment", "not ignored"),
    ("SELECT * FROM t FOR UPDATE", BOTH, "locking", "block the live app's writers"),
    ("SELECT * FROM t FOR UPDATE NOWAIT", (MYSQL,), "locking", "FOR UPDATE"),
    ("SELECT * FROM t FOR UPDATE SKIP LOCKED", (MYSQL,), "locking", "FOR UPDATE"),
    ("SELECT * FROM t FOR SHARE", (MYSQL,), "locking", "FOR SHARE"),
    ("SELECT * FROM t LOCK IN SHARE MODE", (MYSQL,), "locking", "LOCK IN SHARE MODE"),
    ("(SELECT * FROM t) FOR UPDATE", (MYSQL,), "locking", "FOR UPDATE"),
    ("SELECT * FROM (SELECT * FROM t FOR UPDATE) x", (MYSQL,), "locking", "FOR UPDATE"),
    ("EXPLAIN UPDATE t SET a = 1", (MYSQL,), "update", "EXPLAIN ANALYZE runs it"),
    ("EXPLAIN ANALYZE DELETE FROM t", (MYSQL,), "delete", "DELETE changes data"),
    ("EXPLAIN QUERY PLAN DELETE FROM t", (SQLITE,), "delete", "DELETE changes data"),
    ("EXPLAIN SELECT * FROM t FOR UPDATE", (MYSQL,), "locking", "block"),
    ("EXPLAIN FOR CONNECTION 5", (MYSQL,), "for", f"FOR {UNKNOWN}"),
    ("EXPLAIN PRAGMA journal_mode", (SQLITE,), "explain", "explains SELECT, WITH, VALUES"),
    ("EXPLAIN SHOW TABLES", (MYSQL,), "explain", "EXPLAIN SHOW is not checked"),
    ("SELECT GET_LOCK('a', 10)", (MYSQL,), "function", "GET_LOCK() takes a named lock"),
    ("SELECT 1 FROM t WHERE get_lock ('a', 1) = 1", (MYSQL,), "function", "GET_LOCK()"),
    ("SELECT `get_lock`('a', 1)", (MYSQL,), "function", "GET_LOCK()"),
    ("SELECT RELEASE_LOCK('a')", (MYSQL,), "function", "RELEASE_LOCK()"),
    ("SELECT RELEASE_ALL_LOCKS()", (MYSQL,), "function", "RELEASE_ALL_LOCKS()"),
    ("SELECT NEXTVAL(s)", (MYSQL,), "function", "advances a sequence"),
    ("SELECT SETVAL(s, 10)", (MYSQL,), "function", "sets a sequence"),
    ("SELECT LASTVAL(s)", (MYSQL,), "function", "LASTVAL()"),
    ("SELECT NEXT VALUE FOR s", (MYSQL,), "function", "NEXT VALUE FOR"),
    ("SELECT PREVIOUS VALUE FOR s", (MYSQL,), "function", "PREVIOUS VALUE FOR"),
    ("SELECT MASTER_POS_WAIT('log', 4)", (MYSQL,), "function", "replication"),
    ("SELECT SYS_EXEC('rm -rf /')", (MYSQL,), "function", "runs a program"),
    ("SELECT LAST_INSERT_ID(5)", (MYSQL,), "function", "last insert id"),
    ("SELECT version_tokens_set('a=1')", (MYSQL,), "function", "server's state"),
    ("SELECT load_extension('evil')", (SQLITE,), "function", "native code"),
    ("SELECT writefile('/tmp/x', 'data')", (SQLITE,), "function", "writes a file"),
    ("SELECT edit('text')", (SQLITE,), "function", "editor"),
    ("SELECT fts3_tokenizer('x', X'00')", (SQLITE,), "function", "tokenizer"),
    ("SELECT * FROM t WHERE x IN (SELECT GET_LOCK('a', 1))", (MYSQL,), "function", "GET_LOCK"),
    ("ＳＥＬＥＣＴ 1", BOTH, "unknown", UNKNOWN),
    ('"SELECT" 1', (SQLITE,), "unknown", f"'SELECT' {UNKNOWN}"),
]


def _cases(table: list[tuple]) -> list:  # type: ignore[type-arg]
    return [
        pytest.param(sql, dialect, *rest, id=f"{dialect}:{sql[:50]}")
        for sql, dialects, *rest in table
        for dialect in dialects
    ]


@pytest.mark.parametrize(("sql", "dialect", "kind"), _cases(ALLOWED))
def test_allowed(sql: str, dialect: str, kind: str) -> None:
    verdict = classify(sql, dialect)  # type: ignore[arg-type]
    assert verdict == Classification(kind, True)
    check_read_only(sql, dialect)  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", BOTH)
def test_a_typo_is_refused_as_unknown_sql_not_as_a_write(dialect: str) -> None:
    """Was: 'novelkit runs SQL read-only: SELEC is not a statement novelkit can check as
    read-only on SQLite. Send one SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that reads
    statement.' (a garbled sentence, and a typo called a write)."""
    verdict = classify("SELEC * FROM chapters", dialect)  # type: ignore[arg-type]
    assert not verdict.read_only  # still refused: what is not known is not proved read-only
    assert verdict.reason.startswith(f"SELEC {UNKNOWN} on ")
    assert "(a typo for SELECT?)" in verdict.reason
    assert "read-only: " not in verdict.reason
    assert "reads statement" not in verdict.reason
    assert classify("FROBNICATE", dialect).reason.startswith(f"FROBNICATE {UNKNOWN}")  # type: ignore[arg-type]
    assert "typo" not in classify("FROBNICATE", dialect).reason  # type: ignore[arg-type]
    with pytest.raises(ReadOnlyError, match="a typo for SELECT"):
        check_read_only("selec 1", dialect)  # type: ignore[arg-type]


@pytest.mark.parametrize(("sql", "dialect", "kind", "words"), _cases(REFUSED))
def test_refused(sql: str, dialect: str, kind: str, words: str) -> None:
    verdict = classify(sql, dialect)  # type: ignore[arg-type]
    assert not verdict.read_only
    assert verdict.kind == kind
    assert words in verdict.reason
    # A statement novelkit does not know is refused as such, not called a write.
    assert verdict.reason.startswith("novelkit runs SQL read-only: ") or (
        UNKNOWN in verdict.reason or "has no such statement" in verdict.reason
    )
    assert verdict.locking == (kind == "locking")
    with pytest.raises(ReadOnlyError) as info:
        check_read_only(sql, dialect)  # type: ignore[arg-type]
    assert str(info.value) == verdict.reason


def test_message_says_what_why_and_how() -> None:
    with pytest.raises(ReadOnlyError) as info:
        check_read_only("UPDATE chapters SET title = ''", "sqlite")
    assert str(info.value) == (
        "novelkit runs SQL read-only: UPDATE changes data. Pass read_only=False to connect() "
        "with an account allowed to write, if you really mean to."
    )


# --- not fooled -------------------------------------------------------------

NOT_FOOLED_ALLOWED = [
    ("SELECT 'DELETE FROM x; DROP TABLE y'", BOTH),
    ("SELECT 'FOR UPDATE', 'GET_LOCK(1)', 'INTO OUTFILE', '/*! 1 */'", BOTH),
    ("SELECT 1 -- ; DROP TABLE x", BOTH),
    ("SELECT 1 /* ; DROP TABLE x */", BOTH),
    ("SELECT 1 /* /*! nested-looking */", BOTH),
    ("SELECT 1 # ; DROP TABLE x", (MYSQL,)),
    ("SELECT `update`, `lock`, `set`, `get_lock` FROM `delete`", BOTH),
    ('SELECT "lock", "into", "for" FROM "update"', (SQLITE,)),
    ("SELECT [set], [delete] FROM [insert]", (SQLITE,)),
    ('SELECT "x; DELETE FROM t"', BOTH),  # a string on MySQL, a name on SQLite
    ("SELECT 'it''s; DELETE FROM t'", BOTH),
    ("SELECT 'it\\'s; DELETE FROM t'", (MYSQL,)),  # backslash escape on MySQL
    ("SELECT 'C:\\', ';DELETE'", (SQLITE,)),  # backslash is plain on SQLite
    ("SELECT\t*\nFROM\r\nchapters\fWHERE\x0bid = 1", (MYSQL,)),  # \v is white space on MySQL
    ("SELECT 1 -- x\r, GET_LOCK('a', 1)\n", BOTH),  # \r does not end a -- comment
]


@pytest.mark.parametrize(("sql", "dialect"), _cases(NOT_FOOLED_ALLOWED))
def test_not_fooled_into_refusing(sql: str, dialect: str) -> None:
    check_read_only(sql, dialect)  # type: ignore[arg-type]


NOT_FOOLED_REFUSED = [
    # '#' is not a comment on SQLite, '--x' is not one on MySQL (it is 1 - -x there).
    ("SELECT 1 # ; DELETE FROM t", (SQLITE,), "stacked"),
    ("SELECT 1 --GET_LOCK('a', 1)", (MYSQL,), "function"),
    ("SELECT 1 --\xa0, GET_LOCK('a', 1)", (MYSQL,), "unreadable"),
    # Unicode spaces are part of a name to both servers; sqlglot skips them.
    ("SELECT a\u00a0FROM t", BOTH, "unreadable"),
    ("SELECT\u3000 1", BOTH, "unreadable"),
    ("SELECT 1\u2028", BOTH, "unreadable"),
    ("SELECT 1\x0b", (SQLITE,), "unreadable"),  # \v is not white space on SQLite
    ("GROUP\u00a0BY", BOTH, "unreadable"),
    ("SELECT {# x #} 1", BOTH, "unreadable"),  # a comment to sqlglot only
    ("SELECT 1 \x00", BOTH, "unreadable"),
    ('SELECT "a\\"b"', (MYSQL,), "unreadable"),  # ANSI_QUOTES reads a name `a\`
    # With NO_BACKSLASH_ESCAPES the string ends at the backslash and GET_LOCK runs.
    ("SELECT 'a\\', GET_LOCK('n', 1), ' -- '\n", (MYSQL,), "function"),
    ("SeLeCt 1 fOr UpDaTe", BOTH, "locking"),
    ("SELECT 1 /**/; DELETE FROM t", BOTH, "stacked"),
    ("SELECT 1;\n-- comment\nDELETE FROM t", BOTH, "stacked"),
]


@pytest.mark.parametrize(("sql", "dialect", "kind"), _cases(NOT_FOOLED_REFUSED))
def test_not_fooled_into_allowing(sql: str, dialect: str, kind: str) -> None:
    verdict = classify(sql, dialect)  # type: ignore[arg-type]
    assert (verdict.kind, verdict.read_only) == (kind, False), verdict.reason


def test_no_backslash_escapes_reading_is_named() -> None:
    reason = classify("SELECT 'a\\', GET_LOCK('n', 1), ' -- '\n", "mysql").reason
    assert "NO_BACKSLASH_ESCAPES" in reason
    assert "GET_LOCK()" in reason
    lexed = lex("SELECT 'a\\'', 1", "mysql")
    assert lexed.alternative is None  # unreadable that way: such a server refuses it


def test_unicode_space_message_names_the_character() -> None:
    reason = classify("SELECT a\u00a0FROM t", "sqlite").reason
    assert "U+00A0" in reason
    assert "character 8" in reason


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT 'unclosed", "sqlite"),
        ("SELECT 'unclosed\\'", "mysql"),
        ('SELECT "unclosed', "sqlite"),
        ("SELECT `unclosed", "mysql"),
        ("SELECT [unclosed", "sqlite"),
        ("SELECT 1 /* unclosed", "sqlite"),
        ("SELECT 1 /* unclosed", "mysql"),
        ("SELECT X'4G'", "sqlite"),
    ],
)
def test_unreadable_sql_is_a_configuration_error(sql: str, dialect: str) -> None:
    with pytest.raises(ConfigurationError, match="not closed"):
        check_read_only(sql, dialect)  # type: ignore[arg-type]


@pytest.mark.parametrize("sql", ["", "   ", "\n\t", "-- only a comment", "/* x */", ";"])
@pytest.mark.parametrize("dialect", BOTH)
def test_empty_sql_is_a_configuration_error(sql: str, dialect: str) -> None:
    with pytest.raises(ConfigurationError):
        check_read_only(sql, dialect)  # type: ignore[arg-type]


def test_unknown_dialect_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="'postgresql' is not known"):
        check_read_only("SELECT 1", "postgresql")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_literal_content_is_harmless(content: str) -> None:
    sqlite_literal = "'" + content.replace("'", "''") + "'"
    check_read_only(f"SELECT {sqlite_literal} AS x", "sqlite")
    mysql_literal = "'" + content.replace("\\", "\\\\").replace("'", "''") + "'"
    check_read_only(f"SELECT {mysql_literal} AS x", "mysql")


@settings(max_examples=300, deadline=None)
@given(st.text().filter(lambda s: "*/" not in s and not s.startswith(("!", "M!"))))
def test_any_block_comment_content_is_harmless(content: str) -> None:
    for dialect in BOTH:
        check_read_only(f"SELECT 1 /*{content}*/", dialect)  # type: ignore[arg-type]


# --- what SQLAlchemy and novelkit send ------------------------------------------

# Every statement a MariaDB 11 server received (general log) while SQLAlchemy 2.1
# with asyncmy initialised connections, reflected two tables and a view, and
# novelkit ran queries with statement_timeout=5.
MYSQL_SENT_THROUGH_CURSOR_EXECUTE = [
    "SELECT @@lower_case_table_names",
    "SELECT @@sql_mode",
    "SELECT @@tx_isolation",
    "SELECT @@transaction_isolation",
    "SELECT DATABASE()",
    "SELECT VERSION()",
    "SHOW VARIABLES LIKE 'sql_mode'",
    "SHOW VARIABLES LIKE 'lower_case_table_names'",
    "SHOW COLLATION",
    "SELECT CAST('test plain returns' AS CHAR(60)) AS anon_1",
    "SELECT CAST('test unicode returns' AS CHAR(60)) AS anon_1",
    "DESCRIBE `nkdb`.`chapters`",
    "DESCRIBE `v1`",
    "SHOW CREATE TABLE `chapters`",
    "SHOW FULL TABLES FROM `nkdb`",
    "SHOW schemas",
    "SELECT 1",
    "SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())",
    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
    "SELECT * FROM chapters WHERE project_id IN (%s, %s) AND title LIKE %s",
    "SELECT * FROM chapters WHERE id = %(id_1)s",
    "SET STATEMENT max_statement_time=5 FOR SELECT * FROM chapters WHERE word_count > %s",
    "SET STATEMENT max_statement_time=5 FOR SHOW CREATE TABLE `chapters`",
    "SELECT /*+ MAX_EXECUTION_TIME(5000) */ * FROM chapters",
]


@pytest.mark.parametrize("sql", MYSQL_SENT_THROUGH_CURSOR_EXECUTE)
def test_accepts_what_sqlalchemy_sends_to_mysql(sql: str) -> None:
    check_read_only(sql, "mysql")


# The driver and novelkit's connect event send these outside before_cursor_execute
# (the same log shows them; a listener never sees them), so refusing them is safe.
MYSQL_SENT_OUTSIDE_THE_GUARD = [
    "SET NAMES utf8mb4",
    "SET AUTOCOMMIT = 0",
    "SET SESSION TRANSACTION READ ONLY",
    "COMMIT",
    "ROLLBACK",
]


@pytest.mark.parametrize("sql", MYSQL_SENT_OUTSIDE_THE_GUARD)
def test_driver_statements_are_refused_if_ever_seen(sql: str) -> None:
    assert not classify(sql, "mysql").read_only


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "arboris.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE novel_projects (id TEXT PRIMARY KEY, title TEXT UNIQUE,
                CHECK (length(id) > 0));
            CREATE TABLE chapters (id INTEGER PRIMARY KEY, project_id TEXT
                REFERENCES novel_projects(id) ON DELETE CASCADE, word_count INTEGER);
            CREATE INDEX ix_chapters_project ON chapters (project_id);
            CREATE VIEW chapter_words AS SELECT project_id, sum(word_count) AS words
                FROM chapters GROUP BY project_id;
            INSERT INTO novel_projects VALUES ('p1', 'One');
            INSERT INTO chapters VALUES (1, 'p1', 1200);
            """
        )
    conn.close()
    return path


def test_guard_on_a_real_sqlite_engine(sqlite_file: Path) -> None:
    """SQLAlchemy's own statements pass the guard; a write is stopped before SQLite sees it."""
    engine = sa.create_engine(f"sqlite:///{sqlite_file}")
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _guard(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)
        check_read_only_cached(statement, "sqlite")

    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for table in inspector.get_table_names():
                inspector.get_columns(table)
                inspector.get_pk_constraint(table)
                inspector.get_foreign_keys(table)
                inspector.get_indexes(table)
                inspector.get_unique_constraints(table)
                inspector.get_check_constraints(table)
                inspector.get_table_options(table)
            assert inspector.get_view_names() == ["chapter_words"]
            inspector.get_view_definition("chapter_words")
            assert inspector.has_table("chapters")
            sa.MetaData().reflect(conn, views=True)
            rows = conn.execute(
                sa.text("SELECT id FROM chapters WHERE project_id = :p"), {"p": "p1"}
            ).all()
            assert rows == [(1,)]
            with pytest.raises(ReadOnlyError, match="DELETE changes data"):
                conn.exec_driver_sql("DELETE FROM chapters")
            conn.rollback()
    finally:
        engine.dispose()
    assert any(s.startswith("PRAGMA main.table_xinfo(") for s in seen)
    assert any("sqlite_master" in s for s in seen)
    with sqlite3.connect(sqlite_file) as check:
        assert check.execute("SELECT count(*) FROM chapters").fetchone() == (1,)
    check.close()


# SQLAlchemy's expanding "IN :ids" is not SQLite syntax until SQLAlchemy renders it.
SQLITE_ALLOWED = [
    (sql, (SQLITE,), kind) for sql, d, kind in ALLOWED if SQLITE in d and ":ids" not in sql
]


@pytest.mark.parametrize(("sql", "dialect", "kind"), _cases(SQLITE_ALLOWED))
def test_allowed_sqlite_statements_run_on_sqlite(
    sqlite_file: Path, sql: str, dialect: str, kind: str
) -> None:
    """Allowed SQLite rows are real SQLite: they run (or fail only on missing names)."""
    conn = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    try:
        conn.execute(sql, (1,) if "?" in sql else ()).fetchall()
    except sqlite3.OperationalError as exc:
        error = str(exc)
    else:
        error = "no such (ran)"
    finally:
        conn.close()
    assert "no such" in error


# --- cost -----------------------------------------------------------------------

LOADER_SELECT = (
    "SELECT c.id, c.project_id, c.chapter_number, c.title, c.word_count, c.created_at, "
    "c.updated_at, p.title AS project_title FROM chapters AS c JOIN novel_projects AS p "
    "ON p.id = c.project_id WHERE c.project_id IN (?, ?, ?) AND c.word_count > ? "
    "AND c.title NOT LIKE '%draft%' ORDER BY c.project_id, c.chapter_number LIMIT 500"
)


def test_cache_returns_the_same_verdicts_and_skips_long_statements() -> None:
    assert 250 <= len(LOADER_SELECT) <= 350
    assert classify_cached(LOADER_SELECT, "sqlite") == classify(LOADER_SELECT, "sqlite")
    assert classify_cached("DELETE FROM t", "sqlite") == classify("DELETE FROM t", "sqlite")
    with pytest.raises(ReadOnlyError):
        check_read_only_cached("DELETE FROM t", "sqlite")
    long_sql = "SELECT '" + "x" * 20_000 + "'"
    check_read_only_cached(long_sql, "sqlite")
    from novelkit.sql._classify import _classify_memo

    cached = _classify_memo.cache_info()
    check_read_only_cached(long_sql, "sqlite")
    assert _classify_memo.cache_info().currsize == cached.currsize


def test_cost_per_check() -> None:
    """Prints the cost per check of a ~300-character loader SELECT (``pytest -s``)."""
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        check_read_only(LOADER_SELECT, "sqlite")
    uncached = (time.perf_counter() - start) / rounds
    check_read_only_cached(LOADER_SELECT, "sqlite")
    start = time.perf_counter()
    for _ in range(rounds * 50):
        check_read_only_cached(LOADER_SELECT, "sqlite")
    cached = (time.perf_counter() - start) / (rounds * 50)
    print(f"\ncheck_read_only: {uncached * 1e6:.0f} µs uncached, {cached * 1e6:.2f} µs cached")
    assert cached < uncached
    assert uncached < 0.05  # generous: a loaded CI machine


@pytest.mark.parametrize("dialect", BOTH)
def test_one_megabyte_literal_or_comments_in_well_under_a_second(dialect: str) -> None:
    big_string = "SELECT '" + "林" * 1_000_000 + "' AS x"
    many_comments = "SELECT 1 " + "/* c */ -- d\n" * 80_000
    for sql in (big_string, many_comments):
        start = time.perf_counter()
        check_read_only(sql, dialect)  # type: ignore[arg-type]
        assert time.perf_counter() - start < 5  # measured: 0.01 s and 0.7 s
    stacked = big_string + "; DELETE FROM t"
    assert classify(stacked, dialect).kind == "stacked"  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("dialect", BOTH)
def test_one_megabyte_of_tokens_in_seconds(dialect: str) -> None:
    """500,000 tokens: sqlglot's pure-Python tokenizer takes most of the ~5 s measured."""
    many_tokens = "SELECT " + " + ".join(["1"] * 250_000) + "; DELETE FROM t"
    start = time.perf_counter()
    assert classify(many_tokens, dialect).kind == "stacked"  # type: ignore[arg-type]
    assert time.perf_counter() - start < 60
