"""The secret sweep: the password never shows, whatever fails.

The read-write CI account's real password is ``p@ss:w/rd%X9``: every character
in it needs URL-encoding. It is used as the real password and as a wrong one,
across every failure mode, echo at debug level, reprs and full tracebacks
(chained causes included). Neither the raw password nor any encoded form, nor a
telling piece of it, may appear anywhere.
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from novelkit import NovelkitError, create_engine, pool_counters, pool_status, resolve_url
from novelkit.db import describe_engine

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

PASSWORD = "p@ss:w/rd%X9"
FORMS = {
    PASSWORD,
    quote(PASSWORD),
    quote(PASSWORD, safe=""),
    quote_plus(PASSWORD),
    # telling pieces: what a mis-parse or a half-masking would leave behind
    "ss:w/rd",
    "rd%X9",
    "%2Frd%25X9",
    "w%2Frd",
}


def leaks(blob: str) -> set[str]:
    return {form for form in FORMS if form in blob}


def test_the_sweep_sees_a_leak() -> None:
    """Negative control: the forms the sweep looks for do show when a URL is rendered raw."""
    url = URL.create("mysql+asyncmy", username="u", password=PASSWORD, host="h")
    assert leaks(url.render_as_string(hide_password=False))
    assert leaks(f"connect(password={PASSWORD!r})")
    assert leaks(f"mysql://u:{quote_plus(PASSWORD)}@h/db")


def describe_error(error: BaseException) -> str:
    parts = [
        str(error),
        repr(error),
        repr(error.args),
        "".join(traceback.format_exception(error)),
    ]
    cause: BaseException | None = error
    while cause is not None:
        parts += [str(cause), repr(cause), repr(getattr(cause, "args", ()))]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(parts)


def describe_engine_state(engine: AsyncEngine) -> str:
    status = pool_status(engine)
    return "\n".join(
        [
            repr(engine),
            repr(engine.sync_engine),
            str(engine.url),
            repr(engine.url),
            describe_engine(engine),
            repr(status),
            str(status.to_dict()),
            status.to_frame().to_string(),
            status._repr_html_(),
            repr(pool_counters(engine)),
            repr(engine.pool),
            engine.pool.status(),
        ]
    )


@pytest.fixture
def capture_everything(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root: novelkit, sqlalchemy, asyncio, everything
    return caplog


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = [caplog.text]
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            lines.append(describe_error(record.exc_info[1]))
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def rw_url(mysql_db: MySQLDatabase) -> URL:
    url = mysql_db.url
    assert url.password == PASSWORD, (
        "the sweep needs the CI read-write account's password to be p@ss:w/rd%X9 "
        "(see .ci/mariadb-accounts.sh)"
    )
    return url


async def fail_on_first_use(engine: AsyncEngine, sql: str = "SELECT 1") -> BaseException:
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
            await conn.commit()
    except NovelkitError as error:
        return error
    raise AssertionError("expected a novelkit error")


# --- configuration failures: no server needed -------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        f"mysql://reader:{PASSWORD}@db:3306/arboris",  # unencoded: malformed
        "mysql://reader:p@ss@db:3306/arboris",  # unencoded '@' only
        f"postgresql://reader:{quote(PASSWORD, safe='')}@pg/shop",  # unsupported
        f"mysql://reader:{quote(PASSWORD, safe='')}@db:not-a-port/arboris",
    ],
)
def test_configuration_errors_hide_the_password(given: str) -> None:
    with pytest.raises(NovelkitError) as info:
        create_engine(given)
    blob = describe_error(info.value)
    assert leaks(blob) == set(), blob


def test_configuration_error_from_environment_hides_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://django:{quote_plus(PASSWORD)}@pg/shop")
    with pytest.raises(NovelkitError) as info:
        resolve_url()
    assert leaks(describe_error(info.value)) == set()
    monkeypatch.setenv("NOVELKIT_DATABASE_URL", f"mysql://u:{PASSWORD}@db/arboris")
    with pytest.raises(NovelkitError) as info:
        resolve_url()
    assert leaks(describe_error(info.value)) == set()


def test_resolved_url_reprs_hide_the_password(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"DB_PROVIDER=mysql\nMYSQL_PASSWORD={PASSWORD}\n", encoding="utf-8")
    url = resolve_url(env_file=env)
    assert url.password == PASSWORD
    assert leaks(f"{url}\n{url!r}\n{url.render_as_string()}") == set()


# --- failures against the real server -------------------------------------------------------


def _with_password(url: URL, **changes: Any) -> URL:
    return url.set(password=PASSWORD, **changes)


FAILURES: dict[str, Callable[[MySQLDatabase], URL]] = {
    # the real password, every failure the server or network can produce
    "unknown_host": lambda db: _with_password(db.url, host="nohost.invalid"),
    "refused": lambda db: _with_password(db.url, host="127.0.0.1", port=free_port()),
    "unknown_database": lambda db: _with_password(db.url, database="nktest_missing_xyz"),
    # the same string as a wrong password
    "wrong_password_ro": lambda db: _with_password(db.ro_url),
    "wrong_password_admin": lambda db: _with_password(db.admin_url),
    "wrong_user": lambda db: _with_password(db.url, username="nk_nobody"),
}


@pytest.mark.parametrize("case", list(FAILURES))
async def test_connection_failures_hide_the_password(
    rw_url: URL,
    mysql_db: MySQLDatabase,
    capture_everything: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    url = FAILURES[case](mysql_db)
    engine = create_engine(url, echo="debug", connect_timeout=5)
    try:
        error = await fail_on_first_use(engine)
        state = describe_engine_state(engine)
    finally:
        await engine.dispose()
    out = capsys.readouterr()
    blob = "\n".join([describe_error(error), state, log_text(capture_everything), out.out, out.err])
    assert leaks(blob) == set()


async def test_server_that_never_answers_hides_the_password(
    rw_url: URL, capture_everything: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = rw_url.set(host="127.0.0.1", port=silent.getsockname()[1])
        engine = create_engine(url, connect_timeout=2)
        try:
            error = await fail_on_first_use(engine)
        finally:
            await engine.dispose()
    assert leaks(describe_error(error) + log_text(capture_everything)) == set()


async def test_working_engine_with_debug_echo_hides_the_password(
    rw_url: URL,
    capture_everything: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    errors: list[BaseException] = []
    engine = create_engine(rw_url, echo="debug")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT CURRENT_USER(), DATABASE(), @@tx_read_only"))
        # a refused write (read-only engine) and an unknown table
        errors.append(await fail_on_first_use(engine, "CREATE TABLE t (a INT)"))
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
        except Exception as error:  # noqa: BLE001 - whatever it is, it must not leak
            errors.append(error)
        state = describe_engine_state(engine)
    finally:
        await engine.dispose()
    assert len(errors) == 2
    out = capsys.readouterr()
    blob = "\n".join(
        [describe_error(e) for e in errors]
        + [state, log_text(capture_everything), out.out, out.err]
    )
    assert "CURRENT_USER()" in blob  # echo really was on
    assert leaks(blob) == set()


async def test_killed_connection_and_pre_ping_hide_the_password(
    rw_url: URL, mysql_db: MySQLDatabase, capture_everything: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(rw_url, echo="debug", pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            conn_id = (await conn.execute(text("SELECT CONNECTION_ID()"))).scalar()
        with mysql_db.connect(admin=True) as admin, admin.cursor() as cur:
            cur.execute(f"KILL CONNECTION {int(conn_id)}")
        # pre-ping notices the dead connection and reconnects
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT CONNECTION_ID()"))).scalar() != conn_id
        assert pool_counters(engine).invalidations >= 1
    finally:
        await engine.dispose()
    assert leaks(log_text(capture_everything)) == set()


async def test_untranslated_errors_hide_the_password(
    rw_url: URL, capture_everything: pytest.LogCaptureFixture
) -> None:
    """An error novelkit does not translate still carries no password."""
    engine = create_engine(rw_url, read_only=False)
    try:
        async with engine.connect() as conn:
            try:
                await conn.execute(text("SELEC broken syntax"))
            except Exception as error:  # noqa: BLE001
                blob = describe_error(error)
            else:
                raise AssertionError("expected a syntax error")
    finally:
        await engine.dispose()
    assert leaks(blob + log_text(capture_everything)) == set()


# --- any password, written into a URL string by hand ----------------------------------------

# Characters that need (or might need) URL-encoding; the marker in the middle of
# every generated password never occurs in novelkit's own text.
SPECIALS = "@:/%?#&=+!$'\"()*,;[]~^|{}<>\\`."
MARKER = "Zq9"


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.text(alphabet=SPECIALS + "ab", max_size=6),
    suffix=st.text(alphabet=SPECIALS + "ab", max_size=6),
    encode=st.sampled_from(["raw", "quote", "quote_plus"]),
)
def test_any_password_in_a_url_string_stays_hidden(prefix: str, suffix: str, encode: str) -> None:
    password = prefix + MARKER + suffix
    written = {
        "raw": password,
        "quote": quote(password, safe=""),
        "quote_plus": quote_plus(password),
    }[encode]
    given_url = f"mysql://reader:{written}@db.example:3306/arboris"
    failure: NovelkitError | None = None
    try:
        url = resolve_url(given_url)
    except NovelkitError as error:
        failure = error
    if failure is not None:
        assert MARKER not in describe_error(failure)
        return
    assert MARKER not in f"{url}\n{url!r}\n{url.render_as_string()}"
    assert MARKER not in (url.host or "")
    assert MARKER not in (url.database or "")
    assert MARKER not in str(dict(url.query))
    if encode != "raw":
        assert url.password == password
        assert (url.host, url.database) == ("db.example", "arboris")


#: A URL with a password typed where the CLI expects something else: its usage errors
#: (and the one-line errors of a command that took the URL as an id or a pattern)
#: quoted the argument back whole.
CLI_URL = f"mysql://reader:{quote(PASSWORD, safe='')}@db.invalid:3306/arboris"


@pytest.mark.parametrize(
    "argv",
    [
        ["sql", "SELECT", "1", CLI_URL],  # the SQL not quoted: the URL is an extra argument
        ["novels", "extra", CLI_URL],
        ["outlines", CLI_URL],  # NOVEL_ID left out: the URL is taken as the id
        ["export-text", CLI_URL, "--out", "-"],
        [CLI_URL, "novels"],  # the URL before the command
        ["novels", CLI_URL, "--format", "xml"],
    ],
)
def test_cli_usage_errors_hide_the_password(argv: list[str], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from novelkit.cli import main

    result = CliRunner().invoke(main, argv)
    assert result.exit_code != 0, result.output
    assert leaks(result.output) == set(), result.output
