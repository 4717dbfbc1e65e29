"""Where the database is: explicit URL, novelkit's variable, the app's settings, the demo.

Everything is read when :func:`resolve_url` is called, never at import. Also how a
resolved URL reads: its backend, its SQLite file, one value of its query.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from dotenv import dotenv_values
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .._redact import mask_url
from ..errors import ConfigurationError, WrongTypeError

__all__ = [
    "APP_SETTINGS",
    "DATABASE_VARIABLES",
    "DEMO_FILENAME",
    "SUPPORTED_SCHEMES",
    "default_demo_path",
    "is_sqlite",
    "query_value",
    "read_env_file",
    "relative_url_hint",
    "resolve_url",
    "sqlite_path",
]

DEMO_FILENAME = "arboris-demo.db"

# What a user may write, and the async driver novelkit uses for it.
_NORMALISED_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "mysql": "mysql+asyncmy",
    "mysql+pymysql": "mysql+asyncmy",
    "mysql+asyncmy": "mysql+asyncmy",
    "mariadb": "mysql+asyncmy",
    "mariadb+pymysql": "mysql+asyncmy",
    "mariadb+asyncmy": "mysql+asyncmy",
}
SUPPORTED_SCHEMES = tuple(sorted(_NORMALISED_DRIVERS))
_LAST_PORT = 65535
# A scheme of two letters or more (so not a Windows drive) followed by ':' and not '//'.
_SCHEME_TYPO = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:(?!//)")


def default_demo_path() -> Path:
    """The embedded demo database: ``$NOVELKIT_HOME`` or the per-user data folder."""
    home = os.environ.get("NOVELKIT_HOME")
    folder = Path(home).expanduser() if home else Path(platformdirs.user_data_dir("novelkit"))
    return folder / DEMO_FILENAME


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a dotenv file exactly as the Arboris app does.

    The app's settings come from pydantic-settings, which reads the file with
    python-dotenv's ``dotenv_values``; so does this: ``KEY=value`` lines, optional
    ``export``, single or double quotes (escapes such as ``\\"`` and ``\\n`` inside
    double quotes), ``#`` comments after a value, and ``${VAR}`` expanded from
    earlier lines or the environment. A name without a value (a bare ``KEY``) is
    left out; names keep their case (callers match them case-insensitively).
    """
    env_path = Path(path)
    if not env_path.is_file():
        raise ConfigurationError(
            f"The env file {env_path} does not exist. Pass env_file= the path of the "
            "Arboris backend's .env (usually backend/.env or deploy/.env)."
        )
    try:
        parsed = dotenv_values(env_path, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"Cannot read the env file {env_path}: {type(exc).__name__}. Give a readable "
            "UTF-8 text file (the Arboris backend's .env), or a URL instead of env_file=."
        ) from exc
    return {key: value for key, value in parsed.items() if value is not None}


#: The Arboris app's settings that say where its database is, as it names them.
APP_SETTINGS = (
    "DATABASE_URL",
    "DB_PROVIDER",
    "MYSQL_HOST",
    "MYSQL_PORT",
    "MYSQL_USER",
    "MYSQL_PASSWORD",
    "MYSQL_DATABASE",
    "SQLITE_DB_PATH",
)
#: Every environment variable that can choose the database novelkit opens.
DATABASE_VARIABLES = ("NOVELKIT_DATABASE_URL", *APP_SETTINGS)


def _app_settings(
    env_file: str | os.PathLike[str] | None,
) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """The app's settings: process environment over the env file.

    Returns (values, origins): where each value came from, for error messages.
    Names in the file are matched case-insensitively, as pydantic-settings does.
    """
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    if env_file is not None:
        for key, value in read_env_file(env_file).items():
            if key.upper() in APP_SETTINGS:
                values[key.upper()] = value
                origins[key.upper()] = f"the env file {env_file}"
    for key in APP_SETTINGS:
        if key in os.environ:
            values[key] = os.environ[key]
            origins[key] = "the environment"
    return values, origins


def _from_app_settings(env_file: str | os.PathLike[str] | None) -> tuple[str | URL, str] | None:
    values, origins = _app_settings(env_file)
    if values.get("DATABASE_URL"):
        return values["DATABASE_URL"], f"DATABASE_URL (from {origins['DATABASE_URL']})"
    provider = values.get("DB_PROVIDER", "").strip().lower()
    if provider:
        origin = origins["DB_PROVIDER"]
    elif env_file is None:
        # Stray MYSQL_* values in the process environment alone never point novelkit
        # at a server: only DATABASE_URL or DB_PROVIDER there, or a settings file.
        return None
    elif not any(values.get(key) for key in APP_SETTINGS):
        raise ConfigurationError(
            f"The env file {env_file} names no database: it sets none of "
            f"{', '.join(APP_SETTINGS)}. Give the Arboris backend's .env (usually "
            "backend/.env), or a URL instead of env_file=."
        )
    else:
        # A settings file given explicitly is read as the app reads it: without
        # DB_PROVIDER, the app's own default, MySQL.
        provider = "mysql"
        origin = f"the env file {env_file}, without DB_PROVIDER (the app's default: mysql)"
    if provider == "sqlite":
        base = Path(env_file).resolve().parent if env_file is not None else Path.cwd()
        raw = values.get("SQLITE_DB_PATH") or "storage/arboris.db"
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = base / path
        return URL.create("sqlite+aiosqlite", database=str(path)), f"SQLITE_DB_PATH (from {origin})"
    if provider == "mysql":
        port = values.get("MYSQL_PORT") or "3306"
        if not port.isdigit() or not 0 < int(port) <= _LAST_PORT:
            raise ConfigurationError(
                f"MYSQL_PORT={port!r} in {origins['MYSQL_PORT']} is not a port number "
                f"(1 to {_LAST_PORT}); set it to e.g. 3306."
            )
        url = URL.create(
            "mysql+asyncmy",
            username=values.get("MYSQL_USER") or "root",
            # The app quote_plus-encodes the password into its URL string; URL.create
            # takes it raw and encodes it when rendered, which gives the same URL.
            password=values.get("MYSQL_PASSWORD") or None,
            host=values.get("MYSQL_HOST") or "localhost",
            port=int(port),
            database=values.get("MYSQL_DATABASE") or "arboris",
        )
        return url, f"DB_PROVIDER=mysql with MYSQL_* (from {origin})"
    raise ConfigurationError(
        f"DB_PROVIDER={provider!r} in {origin} is not supported: Arboris knows 'sqlite' "
        "and 'mysql'. Fix DB_PROVIDER, or pass a URL to novelkit explicitly."
    )


_MALFORMED_HINT = (
    "Write it as sqlite:///path/to/arboris.db or mysql://user:password@host:3306/arboris, "
    "URL-encoding special characters in the password (urllib.parse.quote_plus)."
)


def _make_url_or_none(raw: str) -> URL | None:
    try:
        return make_url(raw)
    except (ArgumentError, ValueError):
        # ValueError: a port that is not a number, often a password with an
        # unencoded ':' or '@' in it.
        return None


def _parse(raw: str | URL, source: str) -> URL:
    if isinstance(raw, URL):
        url = raw
    elif "://" not in raw:
        if _SCHEME_TYPO.match(raw):
            # "mysql:/user:pw@host/db" is a URL with a typo, not a file name; saying
            # so also keeps its password out of a "file not found" message.
            raise ConfigurationError(
                f"The database URL from {source} starts with a scheme but lacks '//' after "
                "it. Write it as mysql://user:password@host:3306/arboris or "
                "sqlite:///path/to/arboris.db, or give a plain file path."
            )
        # A plain file path: the common way to name an Arboris SQLite database.
        return URL.create("sqlite+aiosqlite", database=str(Path(raw).expanduser().resolve()))
    else:
        parsed = _make_url_or_none(raw)
        if parsed is None:
            # Raised outside the except block: neither chained nor carried as
            # __context__, since the parser's message may hold a piece of a password.
            raise ConfigurationError(
                f"The database URL from {source} is malformed: {mask_url(raw)!r}. "
                + _MALFORMED_HINT
            )
        url = parsed
    if url.get_backend_name() != "sqlite" and isinstance(raw, str) and raw.count("@") > 1:
        # Encoded, a server URL has one '@', after the password. More means an
        # unencoded '@' in the password, and the parser then moves its tail into the
        # host, port, database or query: 'mysql://u:p@ss@host/db' has host 'ss@host'.
        raise ConfigurationError(
            f"The database URL from {source} has an '@' after the password's, which "
            "usually means the password holds an unencoded '@'. " + _MALFORMED_HINT
        )
    driver = _NORMALISED_DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigurationError(
            f"The database URL from {source} uses {url.drivername!r}, which novelkit does not "
            f"support. Supported schemes: {', '.join(SUPPORTED_SCHEMES)}. " + _override_hint(source)
        )
    url = url.set(drivername=driver)
    if not is_sqlite(url) and url.port is not None and not 0 < url.port <= _LAST_PORT:
        # The URL parser takes any digits; the driver would fail at the first connect
        # with a bare OverflowError.
        raise ConfigurationError(
            f"The database URL from {source} has port {url.port}, which is not a TCP port: "
            f"give one from 1 to {_LAST_PORT} (MySQL's default is 3306)."
        )
    if not is_sqlite(url) and not url.database:
        # Without a name the server connects to no database, and the first
        # reflection dies deep in SQLAlchemy quoting a None schema.
        raise ConfigurationError(
            f"The database URL from {source} names no database: {mask_url(url)!r}. "
            "Add the database's name after the host and port, as in "
            "mysql://user:password@host:3306/DBNAME (the Arboris app's default is "
            "'arboris')."
        )
    return url


def _override_hint(source: str) -> str:
    if source.startswith("DATABASE_URL"):
        return (
            "DATABASE_URL may be set for another tool: point novelkit at Arboris with "
            "NOVELKIT_DATABASE_URL, an explicit url=..., or env_file= the Arboris .env."
        )
    if source.startswith("NOVELKIT_DATABASE_URL"):
        return "Fix NOVELKIT_DATABASE_URL or unset it to fall back to the Arboris settings."
    return "Pass a supported URL or a path to a SQLite file."


def resolve_url(
    url: str | URL | os.PathLike[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
) -> URL:
    """Find the database to open and return its async SQLAlchemy URL.

    Precedence: ``url`` (a URL or a plain SQLite file path); then the
    ``NOVELKIT_DATABASE_URL`` variable; then the Arboris app's own settings
    (process environment over ``env_file``): ``DATABASE_URL``, else
    ``DB_PROVIDER`` with ``MYSQL_*`` or ``SQLITE_DB_PATH``; then the embedded
    demo database under ``NOVELKIT_HOME`` or the per-user data folder. An
    ``env_file`` is read as the app reads it (no ``DB_PROVIDER`` means MySQL) and
    never falls back to the demo; from the environment alone, the app's settings
    count only when ``DATABASE_URL`` or ``DB_PROVIDER`` is set.

    ``sqlite://``, ``mysql://``, ``mysql+pymysql://`` and ``mariadb://`` are
    normalised to ``sqlite+aiosqlite`` and ``mysql+asyncmy``.

    Raises
    ------
    ConfigurationError
        The URL is malformed, names an unsupported backend or (a server URL)
        no database; the message names the variable it came from and how to fix it.

    Examples
    --------
    >>> resolve_url("sqlite:////srv/arboris/storage/arboris.db").drivername
    'sqlite+aiosqlite'
    >>> resolve_url("mysql://reader:secret@db:3306/arboris").render_as_string()
    'mysql+asyncmy://reader:***@db:3306/arboris'
    """
    if url is not None:
        raw = os.fspath(url) if isinstance(url, os.PathLike) else url
        if not isinstance(raw, str | URL):
            raise WrongTypeError(
                f"url must be a database URL or a SQLite file path: a str, a pathlib.Path "
                f"or a sqlalchemy URL, not {type(url).__name__}. For example "
                "'storage/arboris.db' or 'mysql://user:password@host:3306/arboris'."
            )
        return _parse(raw, "the url argument")
    env_url = os.environ.get("NOVELKIT_DATABASE_URL")
    if env_url:
        return _parse(env_url, "NOVELKIT_DATABASE_URL")
    found = _from_app_settings(env_file)
    if found is not None:
        raw_app, source = found
        return _parse(raw_app, source)
    return URL.create("sqlite+aiosqlite", database=str(default_demo_path()))


def is_sqlite(url: URL) -> bool:
    """True when ``url`` names a SQLite database."""
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        raise ConfigurationError(
            "SQLite 'file:' URIs are not accepted; give the plain path "
            "(sqlite:///path/to/arboris.db) and novelkit opens it read-only itself."
        )
    return Path(database).expanduser()


def relative_url_hint(path: Path) -> str:
    """What ``sqlite:///{path}`` names, as an absolute URL; and ``/{path}``, when that looks meant.

    ``sqlite:////{path}`` is not offered for a bare file name: ``/arboris.db`` is
    rarely what anyone means, while ``sqlite:///srv/arboris.db`` usually means
    ``/srv/arboris.db``.
    """
    here = Path.cwd() / path
    hint = (
        f" sqlite:///{path} (three slashes) is relative to the current folder, "
        f"{Path.cwd()}, so it names {here}; an absolute path after four slashes names a "
        f"file from anywhere: sqlite:///{here}."
    )
    rooted = Path("/") / path
    try:
        looks_meant = rooted.exists() or (len(path.parts) > 1 and rooted.parent.is_dir())
    except OSError:
        # A folder this user may not look into (PermissionError on 3.11): no hint
        # about it, rather than an error in place of the one being built.
        looks_meant = False
    if looks_meant:
        hint += f" For {rooted}: sqlite:///{rooted}."
    return hint


def query_value(url: URL, name: str) -> str | None:
    """The value ``url``'s query gives ``name`` (the last, if given more than once), or None."""
    value = url.query.get(name)
    if isinstance(value, tuple):
        value = value[-1] if value else None
    return value
