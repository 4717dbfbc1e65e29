"""Hostile input never reaches SQL text, never matches loosely and never escapes raw.

Property-based (hypothesis) on a real SQLite file and a real MariaDB database,
each built once per module: the tiny demo plus projects whose ids are hostile
strings (quotes, backslashes, ``;``, ``--``, ``/*``, non-ASCII, emoji, trailing
spaces, case variants) and a ``canary`` table with one row. Loaders run through
a READ-WRITE engine, so a value that reached SQL text as code could really drop
the canary; read-only enforcement is not what protects it here.

Properties, each on both backends:

(a) ``novel_id`` filters on ids that exist equal the same filter in pandas on
    the whole table, for every loader, ``load_table`` and ``iter_frames``;
(b) ids that do not exist raise ``UnknownObjectError``, byte-exact: a case,
    trailing-space, emoji or normalisation variant of an existing id never
    matches (MariaDB's default collation would say ``'abc' = 'ABC '``);
(c) table and column names that do not exist raise ``UnknownObjectError``;
(d) after every example the canary, the table list and the project count are
    unchanged, and no statement the engine sent (``before_cursor_execute``)
    contains a filter value or name, a string literal or a ``;``;
(e) whatever the value (lone surrogates, NUL, 100,000 characters), the error is
    a ``NovelkitError``, and the same engine keeps working afterwards.

The number of inputs tried per property goes to ``$NOVELKIT_RELIABILITY_OUT``
(``injection.json`` in that folder, or merged under ``"injection"`` when it
names a ``.json`` file).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest
import sqlalchemy as sa
from _loaders_support import scratch_database
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import novelkit
from novelkit.demo import build_demo
from novelkit.errors import ConfigurationError, NovelkitError, UnknownObjectError
from novelkit.loaders import (
    iter_frames,
    load_activity,
    load_chapters,
    load_characters,
    load_conversations,
    load_evaluations,
    load_foreshadowings,
    load_novels,
    load_outlines,
    load_relationships,
    load_table,
    load_versions,
)

T = TypeVar("T")

# --- the figures (RELIABILITY.md quotes them) ------------------------------------------

#: Examples per property per backend.
MAX_EXAMPLES = 60
#: Properties run on each backend.
PROPERTIES = ("filters_match_pandas", "unknown_ids", "unknown_names", "any_input_novelkit_error")
#: Rows in the canary table, checked after every example.
CANARY_ROWS = 1
#: The longest generated value, in characters.
LONGEST_VALUE = 100_000
#: Chunk size iter_frames pages with in property (a) (small: several pages per table).
PAGE_ROWS = 20

PROPERTY_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- hostile data ------------------------------------------------------------------------

#: Project ids planted on both backends (at most 36 characters: MariaDB's VARCHAR(36)),
#: pairwise distinct under MariaDB's default collation (utf8mb4_general_ci, PAD SPACE).
HOSTILE_IDS = (
    "it's",
    'say "hi"',
    "back\\slash\\",
    "1; DROP TABLE canary",
    "x' OR '1'='1",
    "-- comment",
    "/* c */ id",
    "abc",
    "trailing ",
    "星海 🌙",
    "🐉",
    "café",
    "100%_done",
    "tab\there",
    "`tick`",
)

#: Ids that collide with a HOSTILE_IDS entry under MariaDB's collation: planted on
#: SQLite only (binary comparison there); on MariaDB they are the variants that
#: must NOT match.
SQLITE_ONLY_IDS = ("ABC ", "🐲", "trailing")

SPECIAL_PIECES = (
    "'",
    '"',
    "\\",
    "\\'",
    ";",
    "--",
    "/*",
    "*/",
    "#",
    "`",
    "%",
    "_",
    "\x00",
    "\n",
    "\r",
    "\t",
    " ",
    "\u200b",
    "\ufeff",
    "\u0301",
    "é",
    "星",
    "🐉",
    "\U0010ffff",
    "\ud800",
    "\udfff",
    "DROP TABLE canary",
    "1; DROP TABLE canary",
    "'; DROP TABLE canary; --",
    "`; DROP TABLE canary; --",
    '"; DROP TABLE canary; --',
    "' OR '1'='1",
    "0x27",
    "CHAR(39)",
    "); DELETE FROM novel_projects; /*",
)

#: Any code point, lone surrogates included (st.text() leaves category Cs out).
ALPHABET = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),
    st.sampled_from(SPECIAL_PIECES).filter(lambda s: len(s) == 1),
)
PIECES = st.one_of(st.sampled_from(SPECIAL_PIECES), st.text(ALPHABET, max_size=6))
hostile_text = st.one_of(
    st.text(ALPHABET, max_size=40),
    st.lists(PIECES, max_size=8).map("".join),
    st.builds(
        lambda piece, n: (piece * n)[:LONGEST_VALUE],
        st.text(ALPHABET, min_size=1, max_size=4),
        st.integers(min_value=37, max_value=LONGEST_VALUE),
    ),
)

# Variants of an existing id that must not match it (byte-exact comparison), unless
# they are a UUID prefix in another case or with spaces around it.
#: What novelkit takes as an abbreviated project id (a UUID's first 6+ characters).
ID_PREFIX = re.compile(r"[0-9a-f-]{6,}")

VARIANTS: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.lower,
    str.swapcase,
    lambda s: s + " ",
    lambda s: s + "  ",
    lambda s: " " + s,
    lambda s: s.rstrip(),
    lambda s: s + "\t",
    lambda s: s + "\x00",
    lambda s: s + "\u200b",
    lambda s: "\ufeff" + s,
    lambda s: s.upper() + " ",
    lambda s: s[:-1],
    lambda s: s[:-1] + "%",
    lambda s: s[:-1] + "_",
    lambda s: s.replace("-", "_"),
    lambda s: unicodedata.normalize("NFD", s),
    lambda s: unicodedata.normalize("NFKC", s).upper(),
    lambda s: re.sub("[\U00010000-\U0010ffff]", "🐲", s) if s != "🐲" else "🐉",
    lambda s: re.sub("[\U00010000-\U0010ffff]", "😀", s),
    lambda s: s + "'",
    lambda s: s + "\\",
    lambda s: s + "'; DROP TABLE canary; --",
)

# --- the harness: one event loop, one engine per backend for the module ------------------


@dataclass
class Captured:
    statements: list[str] = field(default_factory=list)
    parameters: list[Any] = field(default_factory=list)


@dataclass
class Harness:
    """One backend's database, a read-write engine on its own loop, and checks."""

    backend: str
    url: str
    runner: asyncio.Runner
    engine: AsyncEngine
    raw: Callable[[], Any]
    ids: list[str]
    tables: list[str]
    linked: list[str]
    pageable: list[str]
    columns: dict[str, list[str]]
    baseline_sql: str = ""
    captured: Captured = field(default_factory=Captured)
    whole: dict[str, pd.DataFrame] = field(default_factory=dict)
    tried: dict[str, int] = field(default_factory=dict)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    async def call(self, fn: Callable[[AsyncSession], Coroutine[Any, Any, T]]) -> T:
        async with novelkit.open_session(self.engine) as session:
            return await fn(session)

    def count(self, name: str) -> None:
        self.tried[name] = self.tried.get(name, 0) + 1

    def start(self) -> None:
        self.captured = Captured()

    def check_after(self, values: Sequence[str]) -> None:
        """(d): nothing dropped or deleted; no value in SQL text; the engine still works."""
        with self.raw() as conn:
            assert _scalar(conn, "SELECT COUNT(*) FROM canary") == CANARY_ROWS
            assert _scalar(conn, "SELECT COUNT(*) FROM novel_projects") == len(self.ids)
            assert sorted(_table_names(conn, self.backend)) == self.tables
        for statement in self.captured.statements:
            bare = _strip_identifiers(statement)
            assert "'" not in bare, statement
            assert ";" not in bare, statement
            for value in values:
                if value and value not in self.baseline_sql:
                    assert value not in statement, (value, statement)
        rows = self.run(self.call(lambda s: load_table(s, "canary")))
        assert len(rows) == CANARY_ROWS


def _scalar(conn: Any, sql: str) -> Any:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql).fetchone()[0]
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def _table_names(conn: Any, backend: str) -> list[str]:
    if backend == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        return [r[0] for r in conn.execute(sql).fetchall()]
    with conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        return [r[0] for r in cur.fetchall()]


_IDENTIFIER = re.compile(r'"(?:[^"]|"")*"|`(?:[^`]|``)*`')


def _strip_identifiers(statement: str) -> str:
    return _IDENTIFIER.sub("", statement)


def _planted(backend: str) -> tuple[str, ...]:
    return HOSTILE_IDS + (SQLITE_ONLY_IDS if backend == "sqlite" else ())


async def _plant(url: str | URL, backend: str) -> None:
    """Hostile projects (with an outline, chapter, version, evaluation, turn, character)."""
    engine = novelkit.create_engine(url, read_only=False)
    stamp = "2025-01-02 03:04:05"
    try:
        async with engine.begin() as conn:
            user = (await conn.execute(sa.text("SELECT MIN(id) FROM users"))).scalar_one()
            for n, pid in enumerate(_planted(backend)):
                p = {"p": pid, "t": stamp, "n": n}
                await conn.execute(
                    sa.text(
                        "INSERT INTO novel_projects (id, user_id, title, initial_prompt, status, "
                        "created_at, updated_at) VALUES (:p, :u, :title, NULL, 'writing', :t, :t)"
                    ),
                    {**p, "u": user, "title": f"hostile {n}: {pid}"},
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO chapter_outlines (project_id, chapter_number, title, summary) "
                        "VALUES (:p, 1, :p, NULL)"
                    ),
                    p,
                )
                chapter = await conn.execute(
                    sa.text(
                        "INSERT INTO chapters (project_id, chapter_number, real_summary, status, "
                        "word_count, selected_version_id, created_at, updated_at) "
                        "VALUES (:p, 1, :p, 'successful', 5, NULL, :t, :t)"
                    ),
                    p,
                )
                version = await conn.execute(
                    sa.text(
                        "INSERT INTO chapter_versions (chapter_id, version_label, content, "
                        "created_at) VALUES (:c, 'v1', :p, :t)"
                    ),
                    {**p, "c": chapter.lastrowid},
                )
                await conn.execute(
                    sa.text("UPDATE chapters SET selected_version_id = :v WHERE id = :c"),
                    {"v": version.lastrowid, "c": chapter.lastrowid},
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO chapter_evaluations (chapter_id, version_id, decision, "
                        "feedback, created_at) VALUES (:c, :v, 'reviewed', :p, :t)"
                    ),
                    {**p, "c": chapter.lastrowid, "v": version.lastrowid},
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO novel_conversations (project_id, seq, role, content, "
                        "created_at) VALUES (:p, 1, 'user', '{}', :t)"
                    ),
                    p,
                )
                await conn.execute(
                    sa.text(
                        "INSERT INTO blueprint_characters (project_id, name, position) "
                        "VALUES (:p, :p, 0)"
                    ),
                    p,
                )
            await conn.execute(
                sa.text("CREATE TABLE canary (id INTEGER PRIMARY KEY, note VARCHAR(64) NOT NULL)")
            )
            await conn.execute(sa.text("INSERT INTO canary (id, note) VALUES (1, 'alive')"))
    finally:
        await engine.dispose()


NAMED_LOADERS: dict[str, Callable[..., Coroutine[Any, Any, pd.DataFrame]]] = {
    "load_novels": load_novels,
    "load_outlines": load_outlines,
    "load_chapters": load_chapters,
    "load_versions": load_versions,
    "load_evaluations": load_evaluations,
    "load_characters": load_characters,
    "load_relationships": load_relationships,
    "load_conversations": load_conversations,
    "load_foreshadowings": load_foreshadowings,
    "load_activity": load_activity,
}


async def _iter_all(session: AsyncSession, table: str, **kwargs: Any) -> pd.DataFrame:
    chunks = [chunk async for chunk in iter_frames(session, table, **kwargs)]
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


def _make_harness(backend: str, url: str | URL, raw: Callable[[], Any]) -> Iterator[Harness]:
    asyncio.run(_plant(url, backend))
    runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
    engine = runner.run(_create(url))
    try:
        with raw() as conn:
            tables = sorted(_table_names(conn, backend))
            ids = sorted(r for (r,) in _rows(conn, "SELECT id FROM novel_projects"))
        shapes = runner.run(_shapes(engine, tables))
        linked = [t for t, cols in shapes.items() if "project_id" in cols or "chapter_id" in cols]
        pageable = [t for t in linked if "id" in shapes[t]]
        h = Harness(backend, str(url), runner, engine, raw, ids, tables, linked, pageable, shapes)
        sa.event.listen(engine.sync_engine, "before_cursor_execute", _recorder(h))
        _warm_up(h)
        yield h
        _write_figures(h)
    finally:
        runner.run(engine.dispose())
        runner.close()


async def _create(url: str | URL) -> AsyncEngine:
    return novelkit.create_engine(url, read_only=False)


async def _shapes(engine: AsyncEngine, tables: list[str]) -> dict[str, list[str]]:
    def read(sync_conn: Any) -> dict[str, list[str]]:
        inspector = sa.inspect(sync_conn)
        return {t: [c["name"] for c in inspector.get_columns(t)] for t in tables}

    async with engine.connect() as conn:
        return await conn.run_sync(read)


def _rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql).fetchall()
    with conn.cursor() as cur:
        cur.execute(sql)
        return list(cur.fetchall())


def _recorder(h: Harness) -> Callable[..., None]:
    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        h.captured.statements.append(statement)
        h.captured.parameters.append(parameters)

    return record


def _warm_up(h: Harness) -> None:
    """Whole tables once (the pandas side of (a)) and the benign SQL vocabulary for (d)."""
    h.start()
    some = [h.ids[0], h.ids[-1]]

    async def everything(session: AsyncSession) -> None:
        for name, loader in NAMED_LOADERS.items():
            h.whole[name] = await loader(session)
            await loader(session, novel_id=some)
            with pytest.raises(UnknownObjectError):
                await loader(session, novel_id="no such project")
        for table in h.linked:
            h.whole[f"load_table:{table}"] = await load_table(session, table)
            await load_table(session, table, novel_id=some)
        for table in h.pageable:
            h.whole[f"iter_frames:{table}"] = await _iter_all(session, table, chunksize=10_000)
            await _iter_all(session, table, novel_id=some, chunksize=PAGE_ROWS)
        with pytest.raises(UnknownObjectError):
            await load_table(session, "no such table")

    h.run(h.call(everything))
    h.baseline_sql = "\n".join(h.captured.statements)


def _write_figures(h: Harness) -> None:
    target = os.environ.get("NOVELKIT_RELIABILITY_OUT")
    if not target:
        return
    path = Path(target)
    if path.suffix != ".json":
        path.mkdir(parents=True, exist_ok=True)
        path = path / "injection.json"
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    section = data.setdefault("injection", {}) if path.name != "injection.json" else data
    section.setdefault("max_examples", MAX_EXAMPLES)
    section.setdefault("longest_value_chars", LONGEST_VALUE)
    section.setdefault("canary_rows", CANARY_ROWS)
    section.setdefault("hostile_ids_planted", {})[h.backend] = len(_planted(h.backend))
    section.setdefault("inputs_tried", {})[h.backend] = dict(sorted(h.tried.items()))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def sqlite_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    path = tmp_path_factory.mktemp("injection") / "hostile.sqlite"
    build_demo(path, scale="tiny", seed=0, generation="fusion", progress=False)

    def raw() -> Any:
        from contextlib import closing

        return closing(sqlite3.connect(path))

    yield from _make_harness("sqlite", str(path), raw)


@pytest.fixture(scope="module")
def mysql_harness() -> Iterator[Harness]:
    for db in scratch_database("inj"):
        build_demo(db.url, scale="tiny", seed=0, generation="fusion", progress=False)

        def raw(db: Any = db) -> Any:
            from contextlib import closing

            return closing(db.connect())

        yield from _make_harness("mysql", db.url, raw)


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)], scope="module")
def h(request: pytest.FixtureRequest) -> Harness:
    return request.getfixturevalue(f"{request.param}_harness")


# --- helpers for the properties -----------------------------------------------------------


def _expected(h: Harness, key: str, ids: list[str]) -> pd.DataFrame:
    """The same filter in pandas on the whole table (or via chapters for chapter_id)."""
    whole = h.whole[key]
    if whole.empty and not len(whole.columns):
        return whole  # iter_frames yielded nothing: an empty table
    if "project_id" in whole.columns:
        keep = whole["project_id"].isin(ids)
    else:
        chapters = h.whole["load_table:chapters"]
        in_novels = chapters.loc[chapters["project_id"].isin(ids), "id"]
        keep = whole["chapter_id"].isin(in_novels)
    return whole[keep.fillna(False).astype(bool)].reset_index(drop=True)


def _same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, obj=what)


def _id_values(novel_id: str | Sequence[str]) -> list[str]:
    return [novel_id] if isinstance(novel_id, str) else list(novel_id)


def _shapes_of(draw: st.DataObject, ids: list[str]) -> str | list[str] | tuple[str, ...]:
    """A novel_id argument: one string, a list or a tuple (duplicates allowed)."""
    form = draw.draw(st.sampled_from(["str", "list", "tuple"]), label="form")
    if form == "str":
        return ids[0]
    return ids if form == "list" else tuple(ids)


existing_weighting = st.sampled_from(["hostile", "any"])


# --- (a) filters on ids that exist equal the pandas filter ---------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_filters_on_existing_ids_equal_pandas(h: Harness, data: st.DataObject) -> None:
    hostile = [i for i in h.ids if i in _planted(h.backend)]
    pool = hostile if data.draw(existing_weighting, label="pool") == "hostile" else h.ids
    ids = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4), label="ids")
    novel_id = _shapes_of(data, ids)
    wanted = list(dict.fromkeys(_id_values(novel_id)))
    names = data.draw(
        st.lists(st.sampled_from(sorted(NAMED_LOADERS)), min_size=1, max_size=2, unique=True),
        label="loaders",
    )
    table = data.draw(st.sampled_from(h.linked), label="table")
    paged = data.draw(st.sampled_from(h.pageable), label="paged")
    h.count("filters_match_pandas")
    h.start()

    async def check(session: AsyncSession) -> None:
        for name in names:
            got = await NAMED_LOADERS[name](session, novel_id=novel_id)
            _same(got, _expected(h, name, wanted), name)
        got = await load_table(session, table, novel_id=novel_id)
        _same(got, _expected(h, f"load_table:{table}", wanted), f"load_table({table!r})")
        got = await _iter_all(session, paged, novel_id=novel_id, chunksize=PAGE_ROWS)
        want = _expected(h, f"iter_frames:{paged}", wanted)
        if want.empty:
            assert got.empty
        else:
            _same(got, want, f"iter_frames({paged!r})")

    h.run(h.call(check))
    # Every id went to the database as a bound parameter, never as text.
    sent = repr(h.captured.parameters)
    assert all(repr(v) in sent or repr(v.encode()) in sent for v in wanted)
    h.check_after(wanted)


# --- (b) ids that do not exist raise UnknownObjectError, byte-exact ------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_unknown_ids_raise(h: Harness, data: st.DataObject) -> None:
    if data.draw(st.booleans(), label="variant"):
        base = data.draw(st.sampled_from(h.ids), label="base")
        bad = data.draw(st.sampled_from(VARIANTS), label="how")(base)
    else:
        bad = data.draw(hostile_text, label="random")
    assume(bad not in h.ids)
    # The start of a project's UUID (6+ of its characters, in either case, spaces around
    # it ignored) stands for that project.
    prefix = bad.strip().lower()
    assume(not (ID_PREFIX.fullmatch(prefix) and any(i.lower().startswith(prefix) for i in h.ids)))
    real = data.draw(st.lists(st.sampled_from(h.ids), max_size=2), label="real")
    novel_id = _shapes_of(data, [bad, *real])
    names = data.draw(
        st.lists(st.sampled_from(sorted(NAMED_LOADERS)), min_size=1, max_size=3, unique=True),
        label="loaders",
    )
    table = data.draw(st.sampled_from(h.linked), label="table")
    paged = data.draw(st.sampled_from(h.pageable), label="paged")
    h.count("unknown_ids")
    h.start()
    _unknown_everywhere(h, novel_id, table, paged, names)
    h.check_after([bad, *real])


def _unknown_everywhere(
    h: Harness,
    novel_id: str | Sequence[str],
    table: str,
    paged: str,
    names: Sequence[str] = tuple(NAMED_LOADERS),
) -> None:
    async def check(session: AsyncSession) -> None:
        for name in names:
            with pytest.raises(UnknownObjectError):
                await NAMED_LOADERS[name](session, novel_id=novel_id)
        with pytest.raises(UnknownObjectError):
            await load_table(session, table, novel_id=novel_id)
        with pytest.raises(UnknownObjectError):
            await _iter_all(session, paged, novel_id=novel_id)

    h.run(h.call(check))


def test_collation_variants_of_planted_ids_are_unknown(h: Harness) -> None:
    """Every planted id upper-cased plus a space, padded, stripped; the other dragon."""
    variants = {
        v
        for pid in _planted(h.backend)
        for v in (pid.upper() + " ", pid + " ", pid.rstrip(), pid.replace("🐉", "🐲"))
    } | set(SQLITE_ONLY_IDS)
    unknown = sorted(variants - set(h.ids))
    assert len(unknown) >= len(HOSTILE_IDS)
    for value in unknown:
        h.start()
        _unknown_everywhere(h, value, "chapters", "chapter_versions")
        h.check_after([value])


# --- (c) table and column names that do not exist -----------------------------------------

NAME_VARIANTS: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.title,
    lambda s: s + " ",
    lambda s: " " + s,
    lambda s: s + ";",
    lambda s: s + "`",
    lambda s: s + '"',
    lambda s: s + "'",
    lambda s: s + "\x00",
    lambda s: s + "; DROP TABLE canary",
    lambda s: f'{s}" ; DROP TABLE canary; --',
    lambda s: f"{s}`; DROP TABLE canary; --",
    lambda s: "main." + s,
    lambda s: s + " /*",
    lambda s: s + " --",
    lambda s: s + "\ud800",
)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_unknown_names_raise(h: Harness, data: st.DataObject) -> None:
    table = data.draw(st.sampled_from(h.pageable), label="table")
    if data.draw(st.booleans(), label="variant"):
        base = data.draw(st.sampled_from([*h.tables, *h.columns[table]]), label="base")
        name = data.draw(st.sampled_from(NAME_VARIANTS), label="how")(base)
    else:
        name = data.draw(hostile_text, label="name")
    assume(name not in h.tables and name not in h.columns[table])
    real_column = data.draw(st.sampled_from(h.columns[table]), label="real_column")
    h.count("unknown_names")
    h.start()

    async def check(session: AsyncSession) -> None:
        with pytest.raises(UnknownObjectError):
            await load_table(session, name)
        with pytest.raises(UnknownObjectError):
            await _iter_all(session, name)
        with pytest.raises(UnknownObjectError):
            await load_table(session, table, [real_column, name])
        with pytest.raises(UnknownObjectError):
            await load_table(session, table, name)
        with pytest.raises(UnknownObjectError):
            await _iter_all(session, table, columns=[name, real_column])

    h.run(h.call(check))
    h.check_after([name])


# --- (e) whatever the input, only NovelkitErrors ------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_input_is_a_novelkit_error(h: Harness, data: st.DataObject) -> None:
    values = data.draw(st.lists(hostile_text | st.sampled_from(h.ids), max_size=4), label="v")
    where = data.draw(st.sampled_from(["novel_id", "table", "columns", "tz"]), label="where")
    zone = data.draw(hostile_text, label="tz") if where == "tz" else None
    h.count("any_input_novelkit_error")
    _only_novelkit_errors(h, values, where, zone)


def test_surrogates_nul_and_oversized_ids_are_unknown(h: Harness) -> None:
    """Lone surrogates anywhere, NUL, and an id past MariaDB's max_allowed_packet (16 MiB)."""
    values = ["\ud800", "a\udfffb", h.ids[0] + "\ud800", "\x00", "x" * (17 * 2**20)]
    for value in values:
        _only_novelkit_errors(h, [h.ids[0], value], "novel_id", None, expect={"UnknownObjectError"})
    _only_novelkit_errors(h, values, "table", None, expect={"UnknownObjectError"})
    _only_novelkit_errors(h, values, "columns", None, expect={"UnknownObjectError"})


def _only_novelkit_errors(
    h: Harness,
    values: list[str],
    where: str,
    zone: str | None,
    expect: set[str] | None = None,
) -> None:
    h.start()

    async def attempt(session: AsyncSession) -> list[str]:
        outcomes = []
        calls: list[Callable[[], Coroutine[Any, Any, Any]]]
        if where == "novel_id":
            calls = [lambda f=f: f(session, novel_id=values) for f in NAMED_LOADERS.values()]
            calls.append(lambda: _iter_all(session, "chapters", novel_id=values))
        elif where == "table":
            calls = [lambda v=v: load_table(session, v) for v in values]
            calls += [lambda v=v: _iter_all(session, v) for v in values]
        elif where == "columns":
            calls = [lambda: load_table(session, "chapters", values)]
            calls.append(lambda: _iter_all(session, "chapters", columns=values))
        else:
            calls = [lambda: load_chapters(session, server_timezone=zone)]
            calls.append(lambda: load_activity(session, server_timezone=zone))
        for call in calls:
            try:
                await call()
            except NovelkitError as exc:
                outcomes.append(type(exc).__name__)
            else:
                outcomes.append("ok")
        return outcomes

    outcomes = h.run(h.call(attempt))
    if expect is None:
        expect = {"ok", "UnknownObjectError"}
        if where == "tz" or (where == "columns" and not values):
            expect = {"ok", "ConfigurationError"}
    assert set(outcomes) <= expect, outcomes
    h.check_after([v for v in values if len(v) < 10_000] + ([zone] if zone else []))


# --- deterministic checks that name the fixes ---------------------------------------------


def test_planted_ids_match_only_themselves(h: Harness) -> None:
    """MariaDB's collation: 'abc' = 'ABC ' and '🐉' = '🐲'; novelkit compares bytes."""
    pairs = [("abc", "ABC "), ("🐉", "🐲"), ("trailing ", "trailing"), ("café", "cafe\u0301")]

    async def check(session: AsyncSession) -> None:
        for planted, variant in pairs:
            got = await load_novels(session, novel_id=planted)
            assert got["project_id"].tolist() == [planted]
            if variant in h.ids:
                assert (await load_novels(session, novel_id=variant))["project_id"].tolist() == [
                    variant
                ]
            else:
                with pytest.raises(UnknownObjectError):
                    await load_novels(session, novel_id=variant)

    h.run(h.call(check))


def test_many_unknown_ids_are_looked_up_in_bounded_statements(h: Harness) -> None:
    ids = [h.ids[0], *(f"missing-{i}" for i in range(2_000))]
    h.start()

    async def check(session: AsyncSession) -> None:
        with pytest.raises(UnknownObjectError, match="and 1999 more"):
            await load_outlines(session, novel_id=ids)

    h.run(h.call(check))
    assert max(len(s) for s in h.captured.statements) < 100_000


def test_bad_server_timezone_is_a_configuration_error(h: Harness) -> None:
    async def check(session: AsyncSession) -> None:
        for zone in ("Nowhere/Land", "\ud800", "a\x00b", "", "../etc/passwd", "x" * 5000):
            with pytest.raises(ConfigurationError, match="server_timezone"):
                await load_chapters(session, server_timezone=zone)

    h.run(h.call(check))


def test_an_empty_column_list_is_a_configuration_error(h: Harness) -> None:
    """It used to reach SQLite as "SELECT FROM chapters" (a raw OperationalError)."""

    async def check(session: AsyncSession) -> None:
        with pytest.raises(ConfigurationError, match="columns= is empty"):
            await load_table(session, "chapters", [])
        with pytest.raises(ConfigurationError, match="columns= is empty"):
            await _iter_all(session, "chapters", columns=())

    h.run(h.call(check))


# --- negative controls: the checks above can fail --------------------------------------


def test_control_mariadb_collation_matches_variants_without_the_binary_comparison(
    h: Harness,
) -> None:
    """A plain = on MariaDB matches 'ABC ' to 'abc' and '🐲' to '🐉': exact_in is needed.

    On SQLite the same plain = compares byte for byte: each variant (planted there as
    a project of its own) matches only itself.
    """
    pairs = (("ABC ", "abc"), ("🐲", "🐉"), ("trailing", "trailing "))
    with h.raw() as conn:
        if h.backend == "mysql":
            with conn.cursor() as cur:
                for variant, planted in pairs:
                    cur.execute("SELECT id FROM novel_projects WHERE id = %s", (variant,))
                    assert [r[0] for r in cur.fetchall()] == [planted]
        else:
            for variant, _planted in pairs:
                rows = conn.execute("SELECT id FROM novel_projects WHERE id = ?", (variant,))
                assert [r[0] for r in rows] == [variant]


def test_control_a_value_in_sql_text_is_caught(h: Harness) -> None:
    """A statement with the value rendered as a literal fails the (d) check."""
    value = "1; DROP TABLE canary"
    h.start()

    async def leak(session: AsyncSession) -> None:
        statement = sa.select(sa.literal(value)).compile(
            dialect=h.engine.dialect, compile_kwargs={"literal_binds": True}
        )
        await session.execute(sa.text(str(statement)))

    h.run(h.call(leak))
    with pytest.raises(AssertionError):
        h.check_after([value])
