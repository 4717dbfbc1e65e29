"""Everything novelkit does for MySQL/MariaDB engines, in one place.

- **Connecting**: asyncmy connections made by novelkit itself, so that the whole
  handshake is bounded by ``connect_timeout``, a half-open connection is closed,
  TLS is verified (``ssl_ca``, ``ssl_cert``, ``ssl_key``) and the client's
  multi-statement flag is off: the server then refuses ``SELECT 1; DELETE ...``
  as a syntax error instead of running both.
- **Read-only sessions**: ``SET SESSION TRANSACTION READ ONLY`` on every new
  connection and again every time one goes back to the pool (with the pool's
  own reset), so a session that switched its connection to READ WRITE cannot
  hand it on writable. A connection that cannot be reset is discarded by the
  pool, never handed on.
- **Stopping a statement**: the server's own ``max_statement_time`` (MariaDB) or
  ``MAX_EXECUTION_TIME`` hint (MySQL, SELECTs) for statement timeouts; for a
  cancelled task or the interrupt button, ``KILL QUERY <thread id>`` sent from a
  fresh connection outside the pool (same account and TLS), because the server
  keeps running a statement whose client merely stopped waiting. Killing one's
  own queries needs no privilege.
- **Error translation** of server and client error numbers into
  :mod:`novelkit.errors`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import ssl
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import asyncmy
import asyncmy.errors
from asyncmy.constants.CLIENT import MULTI_STATEMENTS
from sqlalchemy import event, exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import asbool

from .. import errors
from ._settings import query_value

__all__ = [
    "QUERY_OPTIONS",
    "TLS_OPTIONS",
    "Connector",
    "create_mysql_engine",
    "tls_context",
    "translate_mysql_error",
]

log = logging.getLogger("novelkit.db")

#: Opens a new driver connection with the engine's account and settings.
Connector = Callable[[], Awaitable[Any]]

# -- TLS ----------------------------------------------------------------------------

#: The TLS settings novelkit reads from keywords or the URL query; a keyword wins.
TLS_OPTIONS = ("ssl_ca", "ssl_cert", "ssl_key")


def _encrypted_key() -> NoReturn:
    # Called by OpenSSL instead of prompting on the terminal for a passphrase.
    raise errors.ConfigurationError(
        "ssl_key is encrypted with a passphrase; give novelkit an unencrypted key file "
        "(e.g. 'openssl pkey -in key.pem -out plain-key.pem')."
    )


def tls_context(url: URL, given: dict[str, str | os.PathLike[str] | None]) -> ssl.SSLContext | None:
    """The SSLContext for ``url`` and the TLS keywords in ``given``, or None without TLS.

    Built once, when the engine is created, so a missing or unreadable file fails
    at once. With a CA the server's certificate is verified, host name included
    (``?ssl_check_hostname=false`` turns the host check off): a server whose
    certificate that CA did not sign is refused, never used unverified.
    """
    options: dict[str, str] = {}
    for name in TLS_OPTIONS:
        value = given.get(name)
        if value is None:
            value = query_value(url, name)
        if value is not None and str(value) != "":
            options[name] = os.fspath(value)
    if not options:
        return None
    if "ssl_key" in options and "ssl_cert" not in options:
        raise errors.ConfigurationError(
            "ssl_key was given without ssl_cert; a client key needs its certificate "
            "(give both, or neither)."
        )
    for name, path in options.items():
        # Checked here: the ssl module's FileNotFoundError for a missing CA file
        # carries no file name.
        if not os.path.isfile(path):
            what = "is a folder, not a file" if os.path.isdir(path) else "not found"
            raise errors.ConfigurationError(
                f"TLS file {what}: {name}={path!r}. Check ssl_ca/ssl_cert/ssl_key "
                "(PEM files on this machine, readable by this user)."
            )
    ca = options.get("ssl_ca")
    try:
        context = ssl.create_default_context(cafile=ca)
        if "ssl_cert" in options:
            context.load_cert_chain(
                options["ssl_cert"], keyfile=options.get("ssl_key"), password=_encrypted_key
            )
    except (ssl.SSLError, OSError) as exc:
        raise errors.ConfigurationError(
            f"Cannot load the TLS files (ssl_ca={ca!r}, ssl_cert={options.get('ssl_cert')!r}, "
            f"ssl_key={options.get('ssl_key')!r}): {type(exc).__name__}. Give PEM files: "
            "the CA certificate, the client certificate and its unencrypted key."
        ) from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    check_hostname = query_value(url, "ssl_check_hostname")
    # check_url_query has made sure the value is one asbool reads, as SQLAlchemy does.
    if check_hostname is not None and not asbool(check_hostname):
        context.check_hostname = False  # still CERT_REQUIRED: the chain is verified
    return context


# -- the URL query ------------------------------------------------------------------

# SQLAlchemy's MySQL dialect turns a few query options into numbers or booleans and
# hands every one to asyncmy as a keyword, so a name asyncmy does not take, or a
# value int() cannot read, would fail only at the first connect, as a bare TypeError
# or ValueError. These are the options that work from a URL; init_command is not
# among them: it would run SQL on every connection before the read-only guard.
_QUERY_WHOLE_NUMBERS = {"client_flag": 0, "connect_timeout": 1, "read_timeout": 1}  # the least
# Not taken either: local_infile (a read-only tool never loads files, and it would let
# a hostile server ask for the client's files), ssl_cipher and ssl_capath (novelkit's
# own TLS context, built from ssl_ca/ssl_cert/ssl_key, would drop them unsaid).
_QUERY_BOOLEANS = ("ssl_check_hostname", "use_unicode")
_QUERY_TEXT = ("charset", "program_name", "sql_mode", "unix_socket")
#: The options a MySQL URL's query may set.
QUERY_OPTIONS = tuple(sorted((*_QUERY_WHOLE_NUMBERS, *_QUERY_BOOLEANS, *_QUERY_TEXT, *TLS_OPTIONS)))


def check_url_query(url: URL) -> None:
    """Refuse a query option of ``url`` that the MySQL driver would not take.

    Run when the engine is made; the message names the option, never the password.
    """
    for name, value in url.query.items():
        if name not in QUERY_OPTIONS:
            raise errors.ConfigurationError(
                f"The database URL sets {name!r} in its query (after '?'), which novelkit "
                f"cannot pass to MySQL. Accepted there: {', '.join(QUERY_OPTIONS)}. Remove "
                f"{name}=... from the URL (other driver settings: connect_args={{...}})."
            )
        if isinstance(value, tuple):
            raise errors.ConfigurationError(
                f"The database URL sets {name!r} more than once in its query; give it once."
            )
        if name in _QUERY_WHOLE_NUMBERS:
            least = _QUERY_WHOLE_NUMBERS[name]
            try:
                valid = int(value) >= least
            except ValueError:
                valid = False
            if not valid:
                raise errors.ConfigurationError(
                    f"{name}={value!r} in the database URL's query is not valid: give a whole "
                    f"number >= {least}, e.g. {name}={max(least, 10)}."
                )
        elif name in _QUERY_BOOLEANS:
            try:
                asbool(value)
            except ValueError:
                raise errors.ConfigurationError(
                    f"{name}={value!r} in the database URL's query is not valid: give true or "
                    "false (also yes/no, on/off, 1/0)."
                ) from None


# -- stopping a statement -----------------------------------------------------------

_UNKNOWN_THREAD = 1094  # ER_NO_SUCH_THREAD
_INTERRUPTED = 1317  # ER_QUERY_INTERRUPTED: what a statement stopped by KILL QUERY ends with
_SELECT = re.compile(r"^\s*(\(\s*)*(SELECT|WITH)\b", re.IGNORECASE)


async def kill_query(connect: Connector, thread_id: int, timeout: float) -> None:
    """Send ``KILL QUERY thread_id`` from a new connection that is closed right after."""
    side = await connect()
    try:
        async with asyncio.timeout(timeout), side.cursor() as cursor:
            await cursor.execute(f"KILL QUERY {int(thread_id)}")
    finally:
        await _close_side(side)


async def _close_side(side: Any) -> None:
    try:
        await side.ensure_closed()  # COM_QUIT, then close the socket
    except (OSError, asyncmy.errors.Error):
        pass  # a broken connection: dropped below
    finally:
        # After a clean close there is nothing left; after an error, or a cancel
        # while waiting for the server's TLS close, the socket is dropped now.
        _drop_connection(side)


def _drop_connection(conn: Any) -> None:
    """Close an asyncmy connection's socket now, without a word to the server.

    asyncmy's ``close()`` calls ``transport.close()``, which on a TLS connection
    only starts the TLS close: the socket is closed once the server's reply has
    arrived, a few loop passes later. asyncmy forgets the transport at once, so
    when the loop closes first (a failed connect at the end of ``asyncio.run``,
    a test's loop) the socket stays open and Python reports an unclosed
    transport when it is collected, in whatever code runs then. Aborting the
    transport the connection's protocol still holds closes it on the next pass.
    """
    conn.close()
    # asyncmy offers no public handle on its transport; read defensively, so that
    # another asyncmy version only loses this clean-up, never the caller's error.
    protocol = getattr(conn, "_proto", None)
    transport = getattr(protocol, "transport", None) if protocol is not None else None
    if transport is not None:
        transport.abort()


_side_connectors: weakref.WeakKeyDictionary[Any, tuple[Connector, float]] = (
    weakref.WeakKeyDictionary()
)


def remember_side_connector(engine: AsyncEngine, connect: Connector, timeout: float) -> None:
    """Keep how to open a connection outside ``engine``'s pool (and its read-only guard)."""
    _side_connectors[engine.sync_engine] = (connect, timeout)


async def kill_tagged_queries(engine: AsyncEngine, tag: str) -> list[int]:
    """``KILL QUERY`` every statement of this account whose text holds ``tag``.

    One connection outside the pool finds them in the process list and stops them:
    the caller is a cancelled task, and the pool does not open connections for a
    task whose cancellation is pending (see :func:`create_mysql_engine`). Returns
    the server threads stopped.
    """
    known = _side_connectors.get(engine.sync_engine)
    if known is None:
        return []
    connect, timeout = known
    side = await connect()
    threads: list[int] = []
    try:
        async with asyncio.timeout(timeout), side.cursor() as cursor:
            await cursor.execute(
                "SELECT id FROM information_schema.processlist "
                "WHERE info LIKE %s AND id <> CONNECTION_ID()",
                (f"%{tag}%",),
            )
            threads = [int(row[0]) for row in await cursor.fetchall()]
            for thread_id in threads:
                try:
                    await cursor.execute(f"KILL QUERY {thread_id}")
                except asyncmy.errors.Error as exc:
                    if not (exc.args and exc.args[0] == _UNKNOWN_THREAD):
                        raise
    finally:
        await _close_side(side)
    return threads


def close_stopped_result(connection: Any, result: Any) -> None:
    """Close a streamed result whose statement ``KILL QUERY`` stopped (sync, in a greenlet).

    Closing reads what the server still sends, which ends with its "query execution
    was interrupted" error: expected here, so not raised (through SQLAlchemy it would
    be logged as a failure to close), and the connection is in step again after it.
    Any other error there (the statement's own timeout came first, the connection
    was lost) leaves the connection in an unknown state: it is discarded, and the
    caller's own exception (a KeyboardInterrupt, the end of its loop) goes on.
    """
    try:
        result.cursor.close()
    except asyncmy.errors.Error as exc:
        if not (exc.args and exc.args[0] == _INTERRUPTED):
            log.debug("closing a stopped stream: %s; its connection is discarded", exc)
            connection.invalidate()
            return
    result.close()


async def check_login(engine: AsyncEngine) -> None:
    """Log in once outside ``engine``'s pool, as a new connection would now, and close.

    Bounded by the engine's connect timeout; a refused login raises the driver's
    error. (For readers that open their own connections and would otherwise retry
    a refused login for much longer: connectorx's pool.)
    """
    known = _side_connectors.get(engine.sync_engine)
    if known is None:
        return
    connect, _timeout = known
    await _close_side(await connect())


def make_stopper(connect: Connector, timeout: float) -> Callable[[Any], Awaitable[None]]:
    """Stop the statement running on an asyncmy connection, logging what could not be done."""

    async def stop(driver: Any) -> None:
        thread_id = getattr(driver, "thread_id", None)
        if not callable(thread_id):
            return
        server_thread = int(thread_id())
        try:
            await kill_query(connect, server_thread, timeout)
        except asyncmy.errors.Error as exc:
            if exc.args and exc.args[0] == _UNKNOWN_THREAD:
                # The connection was gone already (cancelled while it was opening
                # or idle): its thread ended with it, nothing runs.
                log.debug("stop: server thread %s had already ended", server_thread)
                return
            log.warning("could not stop the query of server thread %s: %s", server_thread, exc)
        except (OSError, TimeoutError, errors.NovelkitError) as exc:
            log.warning("could not stop the query of server thread %s: %s", server_thread, exc)
        else:
            log.debug("stop: sent KILL QUERY %s", server_thread)

    return stop


def _install_statement_timeout(engine: AsyncEngine, seconds: float) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute", retval=True)
    def _limit(
        conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> tuple[str, Any]:
        if conn.dialect.is_mariadb:
            # Every statement, DDL included; the server stops it at the deadline.
            return f"SET STATEMENT max_statement_time={seconds:g} FOR {statement}", parameters
        if _SELECT.match(statement):
            millis = max(1, int(seconds * 1000))
            return _SELECT.sub(
                lambda m: f"{m.group(0)} /*+ MAX_EXECUTION_TIME({millis}) */", statement, count=1
            ), parameters
        return statement, parameters


# -- the engine ---------------------------------------------------------------------


def _read_only_sessions(engine: AsyncEngine) -> None:
    def read_only(dbapi_connection: Any, *_args: Any) -> None:
        # SET SESSION, not START TRANSACTION READ ONLY: DDL commits implicitly
        # and would slip past a transaction-level flag.
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        cursor.close()

    def read_only_on_checkout(dbapi_connection: Any, *_args: Any) -> None:
        # Again as the connection comes out of the pool, whatever happened to it
        # in between. A connection that cannot take the SET is dead: the pool
        # discards it and checks out another (DisconnectionError), so the caller
        # gets a live read-only connection or the connect error, never this one.
        try:
            read_only(dbapi_connection)
        except (asyncmy.errors.Error, OSError) as exc:
            raise sa_exc.DisconnectionError(
                f"SET SESSION TRANSACTION READ ONLY failed on checkout: {type(exc).__name__}"
            ) from exc

    event.listen(engine.sync_engine, "connect", read_only)
    # On return too: a session that switched its connection to READ WRITE must not
    # hand it on writable, even to code that bypasses the checkout (a raw pool).
    event.listen(engine.sync_engine, "reset", read_only)
    event.listen(engine.sync_engine, "checkout", read_only_on_checkout)
    _refuse_writes(engine)


def _refuse_writes(engine: AsyncEngine) -> None:
    """Check every statement of a read-only engine before the server sees it.

    The session flag alone does not hold within one connection: ``COMMIT`` then
    ``SET SESSION TRANSACTION READ WRITE`` sent as plain statements switch it off
    for the statements that follow. The read-only classifier refuses those (and
    every other write, lock or server-state change it can tell) with
    :class:`~novelkit.errors.ReadOnlyError` before they run; verdicts of
    repeated statements are cached. SQLite needs no such check: its guards are
    in the connection itself.
    """
    # Imported here: sqlglot is not loaded by ``import novelkit``.
    from ..sql._classify import check_read_only_cached

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _check(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        check_read_only_cached(statement, "mysql")


#: Seconds to wait for a MySQL server when neither the keyword nor the URL says.
DEFAULT_CONNECT_TIMEOUT = 10.0


def connect_timeout_of(url: URL, given: float | None) -> float:
    """The connect timeout: the keyword's, else the URL query's (``?connect_timeout=30``,
    as the app's own driver would read it), else :data:`DEFAULT_CONNECT_TIMEOUT`."""
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int | float) or not given > 0:
            raise errors.ConfigurationError(
                f"connect_timeout={given!r} is not valid; give seconds > 0 (default: the "
                f"URL's ?connect_timeout=, else {DEFAULT_CONNECT_TIMEOUT:g})."
            )
        return float(given)
    check_url_query(url)
    in_url = query_value(url, "connect_timeout")
    return float(in_url) if in_url is not None else DEFAULT_CONNECT_TIMEOUT


def create_mysql_engine(
    url: URL,
    *,
    read_only: bool,
    connect_timeout: float,
    statement_timeout: float | None,
    tls: dict[str, Any],
    options: dict[str, Any],
) -> tuple[AsyncEngine, Connector]:
    """The engine for a MySQL URL, and the function that opens a connection outside its pool."""
    check_url_query(url)
    connect_args: dict[str, Any] = {"connect_timeout": connect_timeout, "charset": "utf8mb4"}
    context = tls_context(url, tls)
    if context is not None:
        connect_args["ssl"] = context  # in place of the dialect's dict from the URL query
    connect_args.update(options.pop("connect_args", {}))
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_recycle", 3600)

    async def connect() -> Any:
        # asyncmy's connect_timeout covers the TCP connect only: a server (or
        # anything else) that accepts the connection but never sends the MySQL
        # handshake would hang forever. Bound the whole handshake instead.
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
        # cancellation that lands as the connect completes, and the cancelled
        # task would then go on to run its query. A connect that is cancelled or
        # fails midway closes its socket here (asyncmy leaves it open).
        cargs, cparams = engine.sync_engine.dialect.create_connect_args(engine.url)
        cparams.update(connect_args)
        conn = asyncmy.Connection(*cargs, **cparams)
        # asyncmy always asks for multi-statements; drop the capability before the
        # handshake so that stacked statements are a syntax error on the server.
        conn._client_flag &= ~MULTI_STATEMENTS  # type: ignore[attr-defined]
        try:
            async with asyncio.timeout(connect_timeout):
                await conn.connect()
        except TimeoutError as exc:
            _drop_connection(conn)
            raise asyncmy.errors.OperationalError(
                2013,
                f"no MySQL handshake from {url.host}:{url.port or 3306} within "
                f"connect_timeout={connect_timeout:g} s",
            ) from exc
        except BaseException:
            # asyncmy has called close(), which over TLS leaves the socket open until
            # the server answers (a refused login): see _drop_connection.
            _drop_connection(conn)
            raise
        return conn

    async def connect_for_the_pool() -> Any:
        conn = await connect()
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            # A cancellation of this task arrived during the connect and was swallowed
            # (asyncmy opens its socket under Python 3.11's asyncio.wait_for, which
            # returns the connection when it completes as the cancellation lands).
            # Going on would run the cancelled task's statement to its end (seen under
            # load: a task cancelled at 25 ms ran to its 1 s statement timeout). The
            # code that stops statements for a cancelled task uses side connections,
            # outside the pool, so it is not refused here.
            _drop_connection(conn)
            raise asyncio.CancelledError
        return conn

    engine = create_async_engine(url, async_creator=connect_for_the_pool, **options)
    if read_only:
        _read_only_sessions(engine)
    if statement_timeout is not None:
        _install_statement_timeout(engine, statement_timeout)
    return engine, connect


# -- errors -------------------------------------------------------------------------

_AUTH = {1045, 1698}
_NO_DB_ACCESS = {1044}
_UNKNOWN_DB = {1049}
# 1927: the connection was killed (KILL from an admin); 4031: MySQL 8 closed an
# idle connection (wait_timeout). Both are disconnects that a new connection fixes.
_UNREACHABLE = {1927, 2002, 2003, 2005, 2006, 2013, 2055, 4031}
_TLS_FAILURES = ("certificate_verify_failed", "[ssl")  # ssl module: "[SSL: CODE] ..."
_READ_ONLY_TRANSACTION = {1792}  # the session is READ ONLY (novelkit's guard)
_WRITE_DENIED = {1142, 1290}  # no privilege; server started --read-only
_TIMEOUT = {1969, 3024, 1317}
#: SELECT/SHOW denied on a table (1142) or a column (1143): a read the account lacks
#: the rights for, told apart from a write the same codes refuse.
_READ_DENIED = {1142, 1143}
_READ_COMMANDS = re.compile(r"\b(SELECT|SHOW|SHOW VIEW)\b command denied", re.IGNORECASE)
_LOCK = {1205}


def _code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


def translate_mysql_error(
    exc: BaseException, detail: str, where: str, url: URL, statement_timeout: float | None
) -> errors.NovelkitError | None:
    """The novelkit error for a MySQL error, or None to let it through unchanged."""
    code = _code(exc)
    if code is None:
        return None
    user = url.username or "?"
    if code in _AUTH:
        return errors.AuthenticationError(
            f"The server refused user {user!r} for the {where}: wrong user name or password. "
            "Check MYSQL_USER/MYSQL_PASSWORD or the URL (URL-encode special characters)."
        )
    if code in _NO_DB_ACCESS:
        # MariaDB answers 1044, not 1049, for a database the account may not see,
        # so that it does not reveal which databases exist.
        return errors.DatabaseNotFoundError(
            f"User {user!r} cannot open the {where}: it does not exist or the account has "
            "no rights on it. Check MYSQL_DATABASE or the URL's database name, or GRANT "
            "SELECT on it to this account."
        )
    if code in _UNKNOWN_DB:
        return errors.DatabaseNotFoundError(
            f"The {where} does not exist. Check MYSQL_DATABASE or the database part of the "
            "URL (Arboris uses 'arboris' by default)."
        )
    if code in _UNREACHABLE and any(mark in detail.lower() for mark in _TLS_FAILURES):
        return errors.ServerUnavailableError(
            f"The TLS handshake with the {where} failed, so nothing was sent: {detail}. "
            "Check that ssl_ca is the CA that signed the server's certificate (and that the "
            "certificate names this host), and that ssl_cert/ssl_key are a pair the server accepts."
        )
    if code in _UNREACHABLE:
        return errors.ServerUnavailableError(
            f"Cannot reach the {where}: {detail}. Check that the server is running and that "
            "host and port are right; raise connect_timeout= for a slow network."
        )
    if code in _READ_ONLY_TRANSACTION:
        return errors.ReadOnlyError(
            f"The {where} refused a write: {detail}. novelkit opens databases read-only by "
            "default; pass read_only=False (and use an account allowed to write) to change data."
        )
    if code in _READ_DENIED and _READ_COMMANDS.search(detail):
        database = url.database or "the database"
        return errors.QueryError(
            f"User {user!r} may not read this on the {where}: {detail}. Ask for "
            f"GRANT SELECT ON `{database}`.* TO the account (tables it has no rights on are "
            "not listed either), or connect with an account that can read every table."
        )
    if code in _WRITE_DENIED and "select command denied" not in detail.lower():
        return errors.ReadOnlyError(
            f"User {user!r} may not write to the {where}: {detail}. The account (or the "
            "server) is read-only, whatever read_only= says; connect with an account that "
            "has write rights to change data."
        )
    if code in _TIMEOUT:
        return errors._statement_timed_out(f"the {where}", statement_timeout, detail)
    if code in _LOCK:
        return errors.LockTimeoutError(
            f"The {where} stayed locked too long: {detail}. Retry when the app is idle."
        )
    return None
