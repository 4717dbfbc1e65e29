"""The bad-input table: each mistake gets its own error class and a message with the fix.

Configuration mistakes fail in create_engine; a file or server problem fails at
first use (the first query), within connect_timeout plus a generous margin, with
the driver's error chained as ``__cause__``.
"""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import URL

import novelkit
from novelkit import (
    AuthenticationError,
    ConfigurationError,
    DatabaseNotFoundError,
    NotArborisDatabaseError,
    NovelkitError,
    ServerUnavailableError,
    create_engine,
)
from novelkit.cli import main
from novelkit.errors import WrongTypeError

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

CONNECT_TIMEOUT = 3
MARGIN = 30  # generous: a deadline check, never a speed check


async def first_use(url: Any, **kwargs: Any) -> float:
    """Create an engine, run the first query, dispose. Returns seconds until it failed."""
    engine = create_engine(url, connect_timeout=CONNECT_TIMEOUT, **kwargs)
    started = time.monotonic()
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT count(*) FROM novel_projects"))
    finally:
        elapsed = time.monotonic() - started
        await engine.dispose()
    return elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A local port that accepts TCP connections but never speaks MySQL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def assert_no_password(message: str, url: URL) -> None:
    assert url.password
    for form in (url.password, quote_plus(url.password)):
        assert form not in message


def assert_chained(error: BaseException) -> None:
    assert error.__cause__ is not None, "the driver error must be chained with 'from'"
    assert not isinstance(error.__cause__, NovelkitError)


# --- configuration -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["://no-scheme", "mysql://user:pw@host:port/arboris", "mysql://u:p@ss:w/rd@db/arboris"],
)
def test_malformed_url(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        create_engine(url)
    message = str(info.value)
    assert "malformed" in message
    assert "sqlite:///" in message  # shows the expected form
    assert "URL-encod" in message


def test_unsupported_scheme() -> None:
    with pytest.raises(ConfigurationError) as info:
        create_engine("postgresql+asyncpg://u:pw@pg:5432/shop")
    message = str(info.value)
    assert "postgresql+asyncpg" in message
    assert "Supported schemes" in message
    assert "mysql" in message
    assert "sqlite" in message


def test_sqlite_file_uri_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="plain path"):
        create_engine(f"sqlite:///file:{tmp_path}/x.db?mode=rwc")
    assert list(tmp_path.iterdir()) == []


# --- SQLite files ------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    target = tmp_path / "storage" / "arboris.db"
    with pytest.raises(DatabaseNotFoundError) as info:
        create_engine(target)
    message = str(info.value)
    assert str(target) in message
    assert "does not exist" in message
    # Read-only, create=True would make an empty file, then a NotArborisDatabaseError.
    assert "create=True" not in message
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DatabaseNotFoundError) as info:
        create_engine(target, read_only=False)
    assert "or pass create=True to start an empty database." in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_directory(tmp_path: Path) -> None:
    with pytest.raises(DatabaseNotFoundError) as info:
        create_engine(tmp_path)
    message = str(info.value)
    assert "folder" in message
    assert "arboris.db" in message  # where the file usually is
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("read_only", [True, False])
async def test_empty_file(tmp_path: Path, read_only: bool) -> None:
    target = tmp_path / "arboris.db"
    target.touch()
    with pytest.raises(NotArborisDatabaseError) as info:
        await first_use(target, read_only=read_only)
    assert "empty" in str(info.value)
    assert "storage/arboris.db" in str(info.value)
    assert_chained(info.value)
    # nothing was written into it, nothing appeared next to it
    assert target.stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir()] == ["arboris.db"]


@pytest.mark.parametrize(
    "content",
    [b"hello, this is not a database\n" * 200, bytes(range(256)) * 64, b"SQLite format 2\x00" * 8],
    ids=["text", "binary", "near-miss-header"],
)
@pytest.mark.parametrize("read_only", [True, False])
async def test_not_a_sqlite_file(tmp_path: Path, content: bytes, read_only: bool) -> None:
    target = tmp_path / "arboris.db"
    target.write_bytes(content)
    with pytest.raises(NotArborisDatabaseError) as info:
        await first_use(target, read_only=read_only)
    message = str(info.value)
    assert "not a SQLite database" in message
    assert str(target) in message
    assert_chained(info.value)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
    assert target.read_bytes() == content


# --- MariaDB ----------------------------------------------------------------------------------


async def test_wrong_password(mysql_db: MySQLDatabase) -> None:
    url: URL = mysql_db.url.set(password="definitely-wrong")
    started = time.monotonic()
    with pytest.raises(AuthenticationError) as info:
        await first_use(url)
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN
    message = str(info.value)
    assert "password" in message
    assert repr(url.username) in message
    assert "MYSQL_PASSWORD" in message  # where to fix it
    assert "definitely-wrong" not in message
    assert_chained(info.value)


async def test_wrong_password_within_deadline(mysql_db: MySQLDatabase) -> None:
    started = time.monotonic()
    with pytest.raises(AuthenticationError):
        await first_use(mysql_db.ro_url.set(password="p@ss:w/rd%X9"))
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN


async def test_unknown_host(mysql_db: MySQLDatabase) -> None:
    started = time.monotonic()
    with pytest.raises(ServerUnavailableError) as info:
        await first_use(mysql_db.url.set(host="nohost.invalid"))
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN
    message = str(info.value)
    assert "nohost.invalid" in message
    assert "host and port" in message
    assert_chained(info.value)


async def test_connection_refused(mysql_db: MySQLDatabase) -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(ServerUnavailableError) as info:
        await first_use(mysql_db.url.set(host="127.0.0.1", port=port))
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "server is running" in str(info.value)
    assert_chained(info.value)


async def test_server_that_never_answers(mysql_db: MySQLDatabase, silent_server: int) -> None:
    """A peer that accepts TCP but never sends the handshake: bounded by connect_timeout."""
    started = time.monotonic()
    with pytest.raises(ServerUnavailableError) as info:
        await first_use(mysql_db.url.set(host="127.0.0.1", port=silent_server))
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN
    assert "connect_timeout" in str(info.value)
    assert_chained(info.value)


@pytest.mark.parametrize(
    ("query", "keyword", "used"),
    [("?connect_timeout=1", None, "1"), ("?connect_timeout=30", 1, "1"), ("", 1.5, "1.5")],
)
async def test_connect_timeout_from_the_url_or_the_keyword(
    silent_server: int, query: str, keyword: float | None, used: str
) -> None:
    """The URL's ?connect_timeout= is used unless the keyword is given (was: always
    overridden by the keyword's default, 10 s). No server needed: the peer is silent."""
    url = f"mysql+asyncmy://nk:secret@127.0.0.1:{silent_server}/arboris{query}"
    engine = create_engine(url, connect_timeout=keyword)
    started = time.monotonic()
    try:
        with pytest.raises(ServerUnavailableError) as info:
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
    assert f"connect_timeout={used} s" in str(info.value)
    assert time.monotonic() - started < float(used) + MARGIN
    assert "secret" not in str(info.value)


@pytest.mark.parametrize("bad", [0, -1, True, "10"])
def test_bad_connect_timeout_is_a_configuration_error(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"connect_timeout=.* is not valid; give seconds"):
        create_engine("mysql+asyncmy://nk:secret@127.0.0.1:3306/arboris", connect_timeout=bad)


async def test_unknown_database(mysql_db: MySQLDatabase) -> None:
    started = time.monotonic()
    with pytest.raises(DatabaseNotFoundError) as info:
        await first_use(mysql_db.url.set(database="nktest_missing_xyz"))
    assert time.monotonic() - started < CONNECT_TIMEOUT + MARGIN
    message = str(info.value)
    assert "nktest_missing_xyz" in message
    assert "does not exist" in message
    assert "MYSQL_DATABASE" in message
    assert_chained(info.value)


async def test_database_the_account_cannot_see(mysql_db: MySQLDatabase) -> None:
    """MariaDB answers 'access denied' (1044), not 'unknown database', outside the grants."""
    with pytest.raises(DatabaseNotFoundError) as info:
        await first_use(mysql_db.ro_url.set(database="not_granted_xyz"))
    message = str(info.value)
    assert "not_granted_xyz" in message
    assert "GRANT" in message
    assert_chained(info.value)


@pytest.mark.parametrize("tail", ["", "/"])
def test_server_url_without_a_database(mysql_db: MySQLDatabase, tail: str, tmp_path: Path) -> None:
    """No database name: a ConfigurationError at connect time, from a URL or a .env alike.

    (Was: connecting worked, then the first reflection raised AttributeError.)
    """
    with_name = mysql_db.url.render_as_string(hide_password=False)
    raw = with_name.removesuffix("/" + mysql_db.name) + tail
    assert mysql_db.name not in raw
    env = tmp_path / ".env"
    # Single quotes: the password's characters stay as written (no ${...} expansion).
    env.write_text(f"DATABASE_URL='{raw}'\n", encoding="utf-8")
    for target in ({"url": raw}, {"env_file": env}):
        with pytest.raises(ConfigurationError, match="names no database") as info:
            novelkit.connect(**target).novels()
        message = str(info.value)
        assert "/DBNAME" in message  # how to add it
        assert_no_password(message, mysql_db.url)
    assert "DATABASE_URL" in message  # where it came from
    assert str(env) in message
    for command in ("novels", "info"):
        result = CliRunner().invoke(main, [command, raw])
        assert result.exit_code == 1, result.output
        assert "names no database" in result.output
        assert "Traceback" not in result.output
        assert_no_password(result.output, mysql_db.url)


@pytest.mark.parametrize(
    ("query", "named", "hint"),
    [
        ("charset=latin1&foo=bar", "'foo'", "Accepted there: charset, client_flag"),
        ("compress=true", "'compress'", "ssl_ca"),
        ("connect_timeout=abc", "connect_timeout='abc'", "whole number >= 1"),
        ("read_timeout=-5", "read_timeout='-5'", "whole number >= 1"),
        ("use_unicode=maybe", "use_unicode='maybe'", "true or false"),
        ("charset=utf8mb4&charset=latin1", "'charset' more than once", "give it once"),
        # A read-only tool never loads client files; a hostile server could ask for them.
        ("local_infile=1", "'local_infile'", "Accepted there"),
        # novelkit's TLS context would drop these without a word.
        ("ssl_cipher=AES256-SHA", "'ssl_cipher'", "Accepted there"),
    ],
)
def test_bad_url_query_option(mysql_db: MySQLDatabase, query: str, named: str, hint: str) -> None:
    """Caught when connecting, naming the option (was: TypeError/ValueError at first use)."""
    raw = f"{mysql_db.url.render_as_string(hide_password=False)}?{query}"
    with pytest.raises(ConfigurationError) as info:
        novelkit.connect(raw).novels()
    message = str(info.value)
    assert named in message
    assert hint in message
    assert_no_password(message, mysql_db.url)


async def test_url_query_options_that_are_accepted_reach_the_server(
    mysql_db: MySQLDatabase,
) -> None:
    url = mysql_db.url.update_query_dict(
        {
            "charset": "utf8mb4",
            "connect_timeout": "5",
            "read_timeout": "30",
            "use_unicode": "true",
            "program_name": "novelkit-test",
        }
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("port", [0, 65536, 99999])
def test_port_out_of_range(mysql_db: MySQLDatabase, port: int) -> None:
    """Was: OverflowError from the driver at first use."""
    with pytest.raises(ConfigurationError, match=f"port {port}, which is not a TCP port") as info:
        novelkit.connect(mysql_db.url.set(port=port)).novels()
    assert "65535" in str(info.value)
    assert_no_password(str(info.value), mysql_db.url)


@pytest.mark.parametrize("how", ["keyword", "url_query"])
def test_missing_tls_file_is_named(mysql_db: MySQLDatabase, tmp_path: Path, how: str) -> None:
    """Was: 'TLS file not found: None.' (the ssl module gives no name for a missing CA)."""
    missing_ca = str(tmp_path / "nonexistent" / "ca.pem")
    url = mysql_db.url
    options: dict[str, Any] = {"ssl_ca": missing_ca}
    if how == "url_query":
        url, options = url.update_query_dict(options), {}
    with pytest.raises(ConfigurationError) as info:
        novelkit.connect(url, **options).novels()
    message = str(info.value)
    assert f"ssl_ca={missing_ca!r}" in message
    assert "not found" in message
    assert_no_password(message, mysql_db.url)
    # The CA there, the client certificate missing: that one is named.
    present_ca = tmp_path / "ca.pem"
    present_ca.write_text("not checked before the missing file is reported", encoding="utf-8")
    missing_cert = str(tmp_path / "client-cert.pem")
    with pytest.raises(ConfigurationError, match="not found") as info:
        create_engine(mysql_db.url, ssl_ca=present_ca, ssl_cert=missing_cert)
    assert f"ssl_cert={missing_cert!r}" in str(info.value)


async def test_errors_share_the_root(mysql_db: MySQLDatabase, tmp_path: Path) -> None:
    with pytest.raises(NovelkitError):
        await first_use(mysql_db.url.set(host="nohost.invalid"))
    with pytest.raises(NovelkitError):
        create_engine(tmp_path / "missing.db")


def test_url_with_a_missing_double_slash_is_not_a_file_path() -> None:
    """A scheme typo is a ConfigurationError, and its password is not repeated."""
    from novelkit import resolve_url
    from novelkit.errors import ConfigurationError

    for typo in ("mysql:/nk_rw:p@ss:w/rd%X9@127.0.0.1/db", "sqlite:relative.db"):
        with pytest.raises(ConfigurationError, match="lacks '//'") as info:
            resolve_url(typo)
        assert "p@ss" not in str(info.value)
        assert "rd%X9" not in str(info.value)
    # Plain paths, including ones with ':' or '@' further in, stay file paths.
    for path in ("/srv/arboris/storage/arboris.db", "storage/a:b@c.db", "C:/data/arboris.db"):
        assert resolve_url(path).drivername == "sqlite+aiosqlite"


@pytest.mark.parametrize("url", [42, 3.5, b"/srv/arboris/storage/arboris.db", ["arboris.db"]])
def test_a_url_of_the_wrong_type_says_what_is_accepted(url: Any) -> None:
    with pytest.raises(WrongTypeError, match="url must be") as info:
        novelkit.connect(url)
    assert type(url).__name__ in str(info.value)


@pytest.mark.parametrize(
    ("options", "meant"),
    [
        ({"snaphot": True}, "snapshot="),
        ({"read_onyl": False}, "read_only="),
        ({"statment_timeout": 3}, "statement_timeout="),
        ({"pool_sise": 3}, "pool_size="),
    ],
)
def test_a_misspelt_option_names_the_one_meant(
    fixture_sqlite: Path, options: dict[str, Any], meant: str
) -> None:
    """novelkit hands options it does not have to SQLAlchemy, whose TypeError named
    neither connect() nor the option meant."""
    (name,) = options
    with pytest.raises(WrongTypeError, match=f"{name}=.*did you mean {meant}"):
        novelkit.connect(fixture_sqlite, **options)
    with pytest.raises(WrongTypeError, match=f"{name}=.*did you mean {meant}"):
        create_engine(fixture_sqlite, **options)


def test_an_unknown_option_without_a_near_name_is_still_named(fixture_sqlite: Path) -> None:
    with pytest.raises(WrongTypeError, match="foo=, bar=") as info:
        novelkit.connect(fixture_sqlite, foo=1, bar=2)
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda db: db.chapters(dedupe="no"), "dedupe"),
        (lambda db: db.versions(content="no"), "content"),
        (lambda db: db.outlines(parse_json="no"), "parse_json"),
        (lambda db: db.table("users", include_secrets="no"), "include_secrets"),
        (lambda db: db.users(extra_columns=0), "extra_columns"),
        (lambda db: list(db.iter_frames("users", include_secrets="no")), "include_secrets"),
    ],
)
def test_a_loader_flag_that_is_not_a_bool_is_refused(
    fixture_sqlite: Path, call: Callable[[Any], Any], name: str
) -> None:
    """A string was taken for True: include_secrets="no" returned the password hashes,
    dedupe="no" deduplicated. The text functions already refused such flags."""
    with (
        novelkit.connect(fixture_sqlite) as db,
        pytest.raises(WrongTypeError, match=f"{name} must be True or False"),
    ):
        call(db)
