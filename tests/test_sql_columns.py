"""column_origins: which table column each result column plainly refers to, if any."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from novelkit.sql._columns import ColumnOrigin as O, Star, column_origins

CASES = [
    # The brief's two examples: an alias keeps the origin; name != column tells it was renamed.
    ("SELECT c.word_count FROM chapters c", [O("word_count", "chapters", "word_count")]),
    ("SELECT word_count AS wc FROM chapters", [O("wc", "chapters", "word_count")]),
    (
        "SELECT chapters.id, title, `title` AS t2 FROM chapters",
        [O("id", "chapters", "id"), O("title", "chapters", "title"), O("t2", "chapters", "title")],
    ),
    ("SELECT Word_Count FROM Chapters", [O("Word_Count", "Chapters", "Word_Count")]),
    ("SELECT c.id FROM main.chapters AS c", [O("id", "chapters", "id")]),
    ("SELECT c.id FROM `arboris`.`chapters` c", [O("id", "chapters", "id")]),
    # Expressions.
    (
        "SELECT COUNT(*), 1 + 1, upper(title), CASE WHEN a THEN b END AS k, (SELECT 1) AS s "
        "FROM chapters",
        [
            O("COUNT(*)", None, None),
            O("1 + 1", None, None),
            O("UPPER(title)", None, None),
            O("k", None, None),
            O("s", None, None),
        ],
    ),
    ("SELECT CAST(word_count AS TEXT) AS word_count FROM chapters", [O("word_count", None, None)]),
    # Stars: expanded by the caller with the schema.
    ("SELECT * FROM chapters", [Star("chapters")]),
    ("SELECT *, 1 AS one FROM chapters c", [Star("chapters"), O("one", None, None)]),
    (
        "SELECT c.*, p.title FROM chapters c JOIN novel_projects p ON p.id = c.project_id",
        [Star("chapters", "c"), O("title", "novel_projects", "title")],
    ),
    ("SELECT chapters.* FROM chapters", [Star("chapters", "chapters")]),
    ("SELECT * FROM chapters c JOIN novel_projects p ON p.id = c.project_id", [Star(None)]),
    ("SELECT s.* FROM (SELECT id FROM chapters) s", [Star(None, "s")]),
    ("SELECT x.* FROM chapters c", [Star(None, "x")]),
    # Several sources: unqualified names are ambiguous without the schema.
    (
        "SELECT title, p.title AS project_title FROM chapters c, novel_projects p",
        [O("title", None, None), O("project_title", "novel_projects", "title")],
    ),
    (
        "SELECT c.title FROM chapters c LEFT JOIN novel_projects p ON p.id = c.project_id",
        [O("title", "chapters", "title")],
    ),
    # Subqueries and CTEs: resolved when the inner column is plain.
    (
        "SELECT s.a, s.b, c FROM (SELECT c.word_count AS a, 1 AS b, c.id AS c FROM chapters c) s",
        [O("a", "chapters", "word_count"), O("b", None, None), O("c", "chapters", "id")],
    ),
    ("SELECT a FROM (SELECT * FROM chapters) s", [O("a", None, None)]),
    (
        "WITH w AS (SELECT id, title AS t FROM chapters) SELECT w.id, t, w.* FROM w",
        [O("id", "chapters", "id"), O("t", "chapters", "title"), Star(None, "w")],
    ),
    (
        "WITH chapters AS (SELECT 1 AS id) SELECT id FROM chapters",
        [O("id", None, None)],  # the CTE, not the table
    ),
    (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
        [O("i", None, None)],
    ),
    ("SELECT id FROM (SELECT id FROM (SELECT id FROM chapters) a) b", [O("id", "chapters", "id")]),
    # Set operations: an origin only where all branches agree.
    (
        "SELECT id, title FROM chapters UNION SELECT id, name FROM chapters",
        [O("id", "chapters", "id"), O("title", None, None)],
    ),
    ("(SELECT id FROM chapters) UNION ALL (SELECT id FROM chapters)", [O("id", "chapters", "id")]),
    ("SELECT * FROM chapters UNION SELECT id FROM chapters", None),
    # Placeholders parse.
    (
        "SELECT id FROM chapters WHERE project_id IN :ids AND word_count > :n LIMIT :k",
        [O("id", "chapters", "id")],
    ),
    ("SELECT 1", [O("1", None, None)]),
    # Not a query with a select list, several statements, unparseable.
    ("PRAGMA table_info(chapters)", None),
    ("VALUES (1, 2)", None),
    ("DELETE FROM chapters", None),
    ("SELECT 1; SELECT 2", None),
    ("SELECT FROM WHERE", None),
    ("SELECT 'unclosed", None),
    ("", None),
]


@pytest.mark.parametrize(("sql", "expected"), CASES, ids=[sql[:50] for sql, _ in CASES])
@pytest.mark.parametrize("dialect", ["sqlite", "mysql"])
def test_column_origins(sql: str, expected: list[object] | None, dialect: str) -> None:
    if dialect == "sqlite" and "`" in sql:
        sql = sql.replace("`", '"')
    assert column_origins(sql, dialect) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sql", "dialect"), [("SHOW TABLES", "mysql"), ("EXPLAIN SELECT 1", "mysql")]
)
def test_mysql_statements_without_a_select_list(sql: str, dialect: str) -> None:
    assert column_origins(sql, dialect) is None  # type: ignore[arg-type]


def test_origins_are_plain_tuples() -> None:
    (origin,) = column_origins("SELECT word_count AS wc FROM chapters", "sqlite") or []
    assert origin == ("wc", "chapters", "word_count")
    assert isinstance(origin, tuple)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet="SELECT*FROM(),.a b'`\";:-/", max_size=60))
def test_never_raises(sql: str) -> None:
    for dialect in ("sqlite", "mysql"):
        result = column_origins(sql, dialect)  # type: ignore[arg-type]
        assert result is None or isinstance(result, list)


def test_deep_nesting_gives_unknown_not_an_error() -> None:
    sql = "SELECT id FROM chapters"
    for depth in range(40):
        sql = f"SELECT id FROM ({sql}) s{depth}"
    assert column_origins(sql, "sqlite") == [O("id", None, None)]
