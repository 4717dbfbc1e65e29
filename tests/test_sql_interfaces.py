"""The other ways in: the CLI's ``novelkit sql``, the magic in a real IPython kernel, the docs.

Plus what importing novelkit must not do, and iter_sql's memory bound.
"""

from __future__ import annotations

import doctest
import gc
import io
import json
import sqlite3
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from nktest_support import MySQLDatabase

import novelkit
from novelkit.cli import main

# -- CLI -------------------------------------------------------------------------------------


def _cli(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=stdin)


def test_cli_sql_formats_params_and_stdin(fixture_sqlite: Path) -> None:
    sql = "SELECT id, status, word_count FROM chapters WHERE status = :s ORDER BY id"
    out = _cli("sql", sql, str(fixture_sqlite), "--param", "s=successful", "--format", "csv")
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(io.StringIO(out.output))
    conn = sqlite3.connect(fixture_sqlite)
    expected = conn.execute(
        "SELECT id FROM chapters WHERE status = 'successful' ORDER BY id"
    ).fetchall()
    conn.close()
    assert frame["id"].tolist() == [r[0] for r in expected]
    piped = _cli("sql", "-", str(fixture_sqlite), "--format", "json", stdin="SELECT 1 AS one")
    assert json.loads(piped.output) == [{"one": 1}]
    table = _cli("sql", "SELECT 'a b' AS x", str(fixture_sqlite))
    assert table.exit_code == 0
    assert "a b" in table.output


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["DELETE FROM chapters"], "DELETE changes data"),
        (["SELEC * FROM chapters"], "SELEC does not start any SQL statement"),
        (["SELECT nope FROM chapters"], "no such column"),
        (["SELECT :x AS x"], ":x"),
        (["SELECT 1", "--param", "novalue"], "NAME=VALUE"),
    ],
)
def test_cli_sql_errors_are_one_line(fixture_sqlite: Path, args: list[str], phrase: str) -> None:
    before = fixture_sqlite.read_bytes()
    out = _cli("sql", args[0], str(fixture_sqlite), *args[1:])
    assert out.exit_code == 1
    assert "Traceback" not in out.output
    assert phrase in out.output
    assert fixture_sqlite.read_bytes() == before


@pytest.mark.mysql
def test_cli_sql_on_mariadb_masks_the_password(mysql_fixture_db: MySQLDatabase) -> None:
    url = mysql_fixture_db.url.render_as_string(hide_password=False)
    ok = _cli("sql", "SELECT COUNT(*) AS n FROM chapters", url, "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)[0]["n"] > 0
    bad = _cli("sql", "SELECT nope FROM chapters WHERE id = :i", url, "--param", "i=secret-1")
    assert bad.exit_code == 1
    assert "Unknown column" in bad.output
    assert mysql_fixture_db.url.password not in bad.output
    assert "secret-1" not in bad.output


# -- the magic in a real IPython kernel -----------------------------------------------------


class Kernel:
    """A python3 Jupyter kernel; :meth:`run` executes a cell and returns its outputs."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def complete(self, code: str) -> list[str]:
        self.client.complete(code, len(code))
        reply = self.client.get_shell_msg(timeout=60)
        return list(reply["content"]["matches"])

    def run(self, code: str) -> list[dict[str, Any]]:
        outputs: list[dict[str, Any]] = []

        def hook(message: dict[str, Any]) -> None:
            kind = message["header"]["msg_type"]
            if kind in ("execute_result", "display_data", "stream", "error"):
                outputs.append({"type": kind, **message["content"]})

        reply = self.client.execute_interactive(code, output_hook=hook, timeout=120)
        outputs.append({"type": "reply", "status": reply["content"]["status"]})
        return outputs


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kernel]:
    from jupyter_client.manager import start_new_kernel

    monkeypatch.setenv("NOVELKIT_PROGRESS", "0")
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _text(outputs: list[dict[str, Any]]) -> str:
    parts = []
    for output in outputs:
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
        parts.append(output.get("evalue", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_magic_in_a_real_kernel(kernel: Kernel, fixture_sqlite: Path) -> None:
    assert kernel.run("%load_ext novelkit") == [{"type": "reply", "status": "ok"}]
    kernel.run(f"import novelkit\ndb = novelkit.connect({str(fixture_sqlite)!r})")
    kernel.run("status = 'successful'\nlow = 0\nt = db.tables")
    # Tab completion of tables and of their columns (the kernel's own completer).
    assert "chapters" in kernel.complete("t.chap")
    assert kernel.complete("t.chapters.c.chapter_n") == ["chapter_number"]
    shown = kernel.run(
        "%nksql -o found SELECT id, word_count FROM chapters "
        "WHERE status = :status AND word_count >= :low ORDER BY id"
    )
    assert shown[0]["type"] == "execute_result"
    assert "text/html" in shown[0]["data"]  # pandas' own display
    conn = sqlite3.connect(fixture_sqlite)
    expected = conn.execute(
        "SELECT COUNT(*) FROM chapters WHERE status = 'successful' AND word_count >= 0"
    ).fetchone()[0]
    conn.close()
    assert _text(kernel.run("print(len(found), found['id'].dtype)")).strip() == f"{expected} Int64"
    cell = kernel.run("%%nksql --db db\nSELECT ':status' AS literal, :status AS bound")
    assert "successful" in _text(cell)
    assert ":status" in _text(cell)
    # Values are bound, not substituted: a hostile one is only a value.
    kernel.run("evil = \"x' OR '1'='1\"")
    none = kernel.run("%nksql -o rows SELECT id FROM chapters WHERE project_id = :evil")
    assert _text(kernel.run("print(len(rows))")).strip() == "0", none
    # Errors are one line (IPython's UsageError), the cell fails.
    missing = kernel.run("%nksql SELECT :undefined_name AS x")
    assert missing[-1]["status"] == "error"
    assert "UsageError: The query has :undefined_name" in _text(missing)
    refused = kernel.run("%nksql DELETE FROM chapters")
    assert refused[-1]["status"] == "error"
    assert "UsageError: ReadOnlyError: novelkit runs SQL read-only: DELETE" in _text(refused)
    assert "Traceback" not in _text(refused)
    kernel.run("db.close()")
    demo = kernel.run("%nksql SELECT COUNT(*) AS n FROM novel_projects")  # the embedded demo
    # (building the demo may warn that ipywidgets is missing, on stderr)
    assert [o["type"] for o in demo if o["type"] != "stream"] == ["execute_result", "reply"], demo
    text = _text(shown + cell + demo)
    assert "0x" not in text
    assert str(fixture_sqlite) not in text


@pytest.mark.slow
def test_magic_never_formats_notebook_variables_into_the_sql(
    kernel: Kernel, fixture_sqlite: Path
) -> None:
    """IPython expands ``{x}`` and ``$x`` in a magic's line unless the magic opts out."""
    kernel.run("%load_ext novelkit")
    kernel.run(f"import novelkit\ndb = novelkit.connect({str(fixture_sqlite)!r})\nx = 'draft'")
    braces = _text(kernel.run("%nksql SELECT '{x}' AS braces"))
    assert "{x}" in braces
    assert "draft" not in braces
    # ``$x`` reaches novelkit as written, which refuses it as a placeholder kind it does not bind.
    dollar = kernel.run("%nksql SELECT $x AS dollar")
    assert dollar[-1]["status"] == "error"
    assert "'$x' is another kind" in _text(dollar)
    cell = _text(kernel.run("%%nksql\nSELECT '{x}' AS braces, '$x' AS dollar"))
    assert "{x}" in cell
    assert "draft" not in cell
    cell_dollar = kernel.run("%%nksql\nSELECT $x AS dollar")
    assert cell_dollar[-1]["status"] == "error"
    assert "'$x' is another kind" in _text(cell_dollar)
    # Nor is the cell form's option line expanded: ``-o {x}`` is not a variable name.
    option = kernel.run("%%nksql -o {x}\nSELECT 1 AS one")
    assert option[-1]["status"] == "error"
    assert _text(kernel.run("print('draft' in dir())")).strip() == "False"


def test_magic_line_parsing() -> None:
    failures, _ = doctest.testmod(novelkit.sql._magic, verbose=False)
    assert failures == 0
    from novelkit.sql._magic import parse_magic_line

    assert parse_magic_line("SELECT 1") == ({}, "SELECT 1")
    assert parse_magic_line("  -o out  SELECT  2 ") == ({"out": "out"}, "SELECT  2")
    with pytest.raises(ValueError, match="--bad"):
        parse_magic_line("--bad x SELECT 1")
    with pytest.raises(ValueError, match="-o"):
        parse_magic_line("-o 1x SELECT 1")
    # Was: 'cannot read the option -x SELECT' (the query's first word taken as a value).
    with pytest.raises(ValueError, match=r"^unknown option -x; the options are") as unknown:
        parse_magic_line("-x SELECT 1")
    assert str(unknown.value) == (
        "unknown option -x; the options are -o NAME (or --out NAME) and --db NAME"
    )
    with pytest.raises(ValueError, match=r"^-o takes a variable name, not '1x'$"):
        parse_magic_line("-o 1x SELECT 1")
    with pytest.raises(ValueError, match=r"^--db takes a variable name, not nothing$"):
        parse_magic_line("--db")


def test_docstring_examples_of_the_cli_module() -> None:
    import novelkit.cli._sql

    failures, _ = doctest.testmod(novelkit.cli._sql, verbose=False)
    assert failures == 0


def test_importing_novelkit_loads_neither_sqlglot_nor_ipython() -> None:
    code = (
        "import sys, novelkit\nprint(sorted(m for m in ('sqlglot', 'IPython') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- memory -----------------------------------------------------------------------------------


@pytest.mark.slow
async def test_iter_sql_memory_is_bounded_by_a_chunk(tmp_path: Path) -> None:
    """Streaming every version text holds about one chunk, not the table."""
    path = tmp_path / "demo.db"
    await novelkit.build_demo_async(path, scale="default", progress=False)
    conn = sqlite3.connect(path)
    total_text = conn.execute("SELECT SUM(LENGTH(CAST(content AS BLOB))) FROM chapter_versions")
    total = int(total_text.fetchone()[0])
    conn.close()
    engine = novelkit.create_engine(path, statement_timeout=600)
    try:
        async with novelkit.open_session(engine) as session:
            gc.collect()
            tracemalloc.start()
            largest = rows = 0
            async for chunk in novelkit.iter_sql(
                session, "SELECT id, content FROM chapter_versions", chunksize=100
            ):
                rows += len(chunk)
                largest = max(largest, int(chunk.memory_usage(deep=True).sum()))
                del chunk
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await engine.dispose()
    assert rows > 1000
    assert total > 10 * largest  # the table is much bigger than a chunk...
    assert peak < 4 * largest + 8_000_000  # ...and the peak follows the chunk
    assert peak < total / 2


@pytest.mark.slow
def test_a_users_sql_script_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(
        "import pandas as pd\n"
        "from sqlalchemy import func, select\n"
        "import novelkit\n\n\n"
        "def main() -> None:\n"
        "    db = novelkit.connect()\n"
        "    t = db.tables\n"
        "    chapters = t['chapters']\n"
        "    counts: pd.DataFrame = db.sql(\n"
        "        select(chapters.c.project_id, func.count()).group_by(chapters.c.project_id)\n"
        "    )\n"
        "    rows: pd.DataFrame = db.sql('SELECT 1 AS one WHERE :x = 1', {'x': 1})\n"
        "    for chunk in db.iter_sql('SELECT id FROM chapters', chunksize=10):\n"
        "        print(len(chunk))\n"
        "    print(len(counts), len(rows))\n"
        "    db.close()\n",
        encoding="utf-8",
    )
    bad = tmp_path / "typo.py"
    bad.write_text(
        "import novelkit\n\n\ndef main() -> None:\n    db = novelkit.connect()\n    db.sql(42)\n",
        encoding="utf-8",
    )
    run = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent"]
    good = subprocess.run([*run, str(script)], capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = subprocess.run([*run, str(bad)], capture_output=True, text=True, check=False)
    assert wrong.returncode == 1, wrong.stdout
    # db.sql is overloaded on to= (each output its own type): mypy names the overloads.
    assert 'No overload variant of "sql" of "LoaderMethods"' in wrong.stdout
