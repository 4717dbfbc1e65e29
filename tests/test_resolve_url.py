"""resolve_url: where novelkit finds the database, and how it normalises the URL.

Precedence: explicit argument > NOVELKIT_DATABASE_URL > the Arboris app's own
settings (process environment over the env file) > the embedded default under
NOVELKIT_HOME, computed at call time. The autouse fixture in conftest clears
every variable involved, so each test sets exactly what it needs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import URL, make_url

import novelkit
from novelkit import ConfigurationError, resolve_url
from novelkit.db import DEMO_FILENAME, read_env_file

if TYPE_CHECKING:
    from nktest_support import MySQLDatabase

PASSWORD = "p@ss:w/rd%X9"
ENCODED_PASSWORD = "p%40ss%3Aw%2Frd%25X9"


def write_env(folder: Path, text: str) -> Path:
    env = folder / ".env"
    env.write_text(text, encoding="utf-8")
    return env


# --- normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:////srv/arboris/storage/arboris.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:////srv/arboris.db", "sqlite+aiosqlite"),
        ("sqlite+pysqlite:////srv/arboris.db", "sqlite+aiosqlite"),
        ("mysql://reader:pw@db:3306/arboris", "mysql+asyncmy"),
        ("mysql+pymysql://reader:pw@db:3306/arboris", "mysql+asyncmy"),
        ("mysql+asyncmy://reader:pw@db:3306/arboris", "mysql+asyncmy"),
        ("mariadb://reader:pw@db:3306/arboris", "mysql+asyncmy"),
    ],
)
def test_schemes_are_normalised_to_async_drivers(given: str, driver: str) -> None:
    url = resolve_url(given)
    assert url.drivername == driver
    original = make_url(given)
    assert (url.host, url.port, url.database, url.username, url.password) == (
        original.host,
        original.port,
        original.database,
        original.username,
        original.password,
    )


def test_url_object_is_accepted_and_normalised() -> None:
    url = resolve_url(URL.create("mysql+pymysql", username="u", host="h", database="arboris"))
    assert url.drivername == "mysql+asyncmy"
    assert url.database == "arboris"


@pytest.mark.parametrize("as_path", [False, True])
def test_plain_path_becomes_absolute_sqlite_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_path: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    given: str | Path = Path("storage/arboris.db") if as_path else "storage/arboris.db"
    url = resolve_url(given)
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(tmp_path / "storage" / "arboris.db")


def test_in_memory_sqlite_stays_in_memory() -> None:
    url = resolve_url("sqlite://")
    assert url.drivername == "sqlite+aiosqlite"
    assert not url.database


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://u:pw@db/arboris",
        "postgresql+asyncpg://u:pw@db/arboris",
        "oracle://u:pw@db/arboris",
        "mssql+pyodbc://u:pw@db/arboris",
    ],
)
def test_unsupported_scheme_lists_what_is_supported(given: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_url(given)
    message = str(info.value)
    assert make_url(given).drivername in message
    for scheme in ("sqlite", "mysql", "mariadb", "mysql+pymysql"):
        assert scheme in message
    assert "url argument" in message


@pytest.mark.parametrize(
    "given",
    [
        "://nothing",
        "mysql://user:pw@host:notaport/arboris",
        # a password with unencoded ':' and '/' breaks the port
        f"mysql://reader:{PASSWORD}@db:3306/arboris",
        # an unencoded '@' alone parses as a host with '@' in it
        "mysql://reader:p@ss@db:3306/arboris",
    ],
)
def test_malformed_url_is_a_configuration_error(given: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_url(given)
    message = str(info.value)
    assert "malformed" in message or "unencoded" in message
    assert "URL-encod" in message  # names the fix
    for piece in ("p@ss", "ss:w/rd", "rd%X9"):
        assert piece not in message


# --- precedence ----------------------------------------------------------------


def test_explicit_argument_beats_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOVELKIT_DATABASE_URL", "sqlite:////from/novelkit.db")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////from/app.db")
    env = write_env(tmp_path, "DATABASE_URL=sqlite:////from/file.db\n")
    url = resolve_url("sqlite:////explicit.db", env_file=env)
    assert url.database == "/explicit.db"


def test_novelkit_variable_beats_app_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOVELKIT_DATABASE_URL", "mariadb://u:pw@nk-host/arboris")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////from/app.db")
    env = write_env(tmp_path, "DB_PROVIDER=sqlite\nSQLITE_DB_PATH=/from/file.db\n")
    url = resolve_url(env_file=env)
    assert url.drivername == "mysql+asyncmy"
    assert url.host == "nk-host"


def test_empty_novelkit_variable_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOVELKIT_DATABASE_URL", "")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////from/app.db")
    assert resolve_url().database == "/from/app.db"


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql+asyncmy://app:pw@app-db:3307/arboris")
    url = resolve_url()
    assert (url.drivername, url.host, url.port, url.database) == (
        "mysql+asyncmy",
        "app-db",
        3307,
        "arboris",
    )


def test_database_url_beats_db_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////from/database_url.db")
    monkeypatch.setenv("DB_PROVIDER", "mysql")
    monkeypatch.setenv("MYSQL_HOST", "ignored")
    assert resolve_url().database == "/from/database_url.db"


def test_process_environment_beats_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = write_env(tmp_path, "DATABASE_URL=sqlite:////from/file.db\n")
    assert resolve_url(env_file=env).database == "/from/file.db"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////from/process.db")
    assert resolve_url(env_file=env).database == "/from/process.db"


def test_environment_variable_overrides_one_key_of_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = write_env(
        tmp_path,
        "DB_PROVIDER=mysql\nMYSQL_HOST=file-host\nMYSQL_USER=file-user\nMYSQL_DATABASE=novels\n",
    )
    monkeypatch.setenv("MYSQL_HOST", "env-host")
    url = resolve_url(env_file=env)
    assert (url.host, url.username, url.database) == ("env-host", "file-user", "novels")


def test_env_file_mysql_provider_encodes_password(tmp_path: Path) -> None:
    env = write_env(
        tmp_path,
        "# Arboris backend settings\n"
        "DB_PROVIDER=mysql\n"
        "MYSQL_HOST=db.example\n"
        "MYSQL_PORT=3307\n"
        "MYSQL_USER=arboris\n"
        f"MYSQL_PASSWORD='{PASSWORD}'\n"
        "MYSQL_DATABASE=novels\n",
    )
    url = resolve_url(env_file=env)
    assert url.drivername == "mysql+asyncmy"
    assert (url.host, url.port, url.username, url.database) == (
        "db.example",
        3307,
        "arboris",
        "novels",
    )
    assert url.password == PASSWORD
    rendered = url.render_as_string(hide_password=False)
    assert f":{ENCODED_PASSWORD}@" in rendered
    assert make_url(rendered).password == PASSWORD
    # hidden in every ordinary rendering
    assert PASSWORD not in str(url)
    assert PASSWORD not in repr(url)


def test_mysql_provider_uses_the_apps_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PROVIDER", "mysql")
    url = resolve_url()
    assert (url.drivername, url.host, url.port, url.username, url.database) == (
        "mysql+asyncmy",
        "localhost",
        3306,
        "root",
        "arboris",
    )
    assert url.password is None


def test_mysql_provider_from_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PROVIDER", "MySQL")
    monkeypatch.setenv("MYSQL_HOST", "10.0.0.5")
    monkeypatch.setenv("MYSQL_PASSWORD", PASSWORD)
    url = resolve_url()
    assert url.host == "10.0.0.5"
    assert url.password == PASSWORD


@pytest.mark.parametrize("port", ["three", "0", "99999"])
def test_bad_mysql_port_names_variable(monkeypatch: pytest.MonkeyPatch, port: str) -> None:
    monkeypatch.setenv("DB_PROVIDER", "mysql")
    monkeypatch.setenv("MYSQL_PORT", port)
    with pytest.raises(ConfigurationError, match="MYSQL_PORT"):
        resolve_url()


def test_unknown_db_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PROVIDER", "oracle")
    with pytest.raises(ConfigurationError, match="DB_PROVIDER") as info:
        resolve_url()
    assert "sqlite" in str(info.value)
    assert "mysql" in str(info.value)


def test_sqlite_provider_relative_path_is_relative_to_env_file(tmp_path: Path) -> None:
    backend = tmp_path / "backend"
    backend.mkdir()
    env = write_env(backend, "DB_PROVIDER=sqlite\nSQLITE_DB_PATH=storage/arboris.db\n")
    url = resolve_url(env_file=env)
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(backend.resolve() / "storage" / "arboris.db")


def test_sqlite_provider_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "data dir" / "arboris.db"
    monkeypatch.setenv("DB_PROVIDER", "sqlite")
    monkeypatch.setenv("SQLITE_DB_PATH", str(target))
    assert resolve_url().database == str(target)


def test_sqlite_provider_without_path_uses_backend_storage(tmp_path: Path) -> None:
    env = write_env(tmp_path, "DB_PROVIDER=sqlite\n")
    url = resolve_url(env_file=env)
    assert url.database == str(tmp_path.resolve() / "storage" / "arboris.db")


def test_stray_mysql_variables_alone_do_not_select_mysql(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the process environment, the app settings count only with DATABASE_URL or DB_PROVIDER."""
    monkeypatch.setenv("MYSQL_HOST", "somewhere")
    monkeypatch.setenv("MYSQL_PASSWORD", PASSWORD)
    url = resolve_url()
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(Path(os.environ["NOVELKIT_HOME"]) / DEMO_FILENAME)


def test_env_file_without_provider_is_mysql_as_the_app_reads_it(tmp_path: Path) -> None:
    """The app's DB_PROVIDER defaults to mysql: an explicit .env with MYSQL_* means MySQL."""
    env = write_env(
        tmp_path,
        f"MYSQL_HOST=db.example\nMYSQL_PORT=3307\nMYSQL_USER=arboris\nMYSQL_PASSWORD={PASSWORD}\n"
        "MYSQL_DATABASE=novels\n",
    )
    url = resolve_url(env_file=env)
    assert url.drivername == "mysql+asyncmy"
    assert (url.host, url.port, url.username, url.database) == (
        "db.example",
        3307,
        "arboris",
        "novels",
    )
    assert url.password == PASSWORD
    # Only some MYSQL_*: the app's defaults for the rest, as the app uses them.
    (tmp_path / "partial").mkdir()
    partial = write_env(tmp_path / "partial", "MYSQL_PASSWORD=pw\n")
    url = resolve_url(env_file=partial)
    assert (url.host, url.port, url.username, url.database) == (
        "localhost",
        3306,
        "root",
        "arboris",
    )


def test_env_file_naming_no_database_is_an_error_not_the_demo(tmp_path: Path) -> None:
    env = write_env(tmp_path, "# an Arboris .env with nothing about the database\nDEBUG=true\n")
    with pytest.raises(ConfigurationError, match="names no database") as info:
        resolve_url(env_file=env)
    assert str(env) in str(info.value)
    assert "DB_PROVIDER" in str(info.value)


def test_env_file_syntax(tmp_path: Path) -> None:
    env = write_env(
        tmp_path,
        "\n# comment line\n"
        "export DB_PROVIDER=mysql\n"
        'MYSQL_HOST="quoted host"\n'
        "MYSQL_USER=arboris   # trailing comment\n"
        "not a setting\n"
        "MYSQL_DATABASE='novels'\n",
    )
    url = resolve_url(env_file=env)
    assert (url.host, url.username, url.database) == ("quoted host", "arboris", "novels")


def test_env_file_is_read_as_python_dotenv_reads_it(tmp_path: Path) -> None:
    """Quotes, escapes, comments after quotes, ${VAR}: as the app (pydantic-settings) reads."""
    env = write_env(
        tmp_path,
        'DB_PROVIDER="mysql"   # provider\n'
        'SPACED="x y" # c\n'
        "SINGLE='single' # c\n"
        'ESCAPED="a\\"b"\n'
        'NEWLINE="x\\ny"\n'
        "BASE=arboris\n"
        "EXPANDED=${BASE}_copy\n"
        "BARE\n"
        "EMPTY=\n",
    )
    assert read_env_file(env) == {
        "DB_PROVIDER": "mysql",
        "SPACED": "x y",
        "SINGLE": "single",
        "ESCAPED": 'a"b',
        "NEWLINE": "x\ny",
        "BASE": "arboris",
        "EXPANDED": "arboris_copy",
        "EMPTY": "",
    }


def test_env_file_with_quoted_values_and_comments_opens_mariadb(
    mysql_fixture_db: MySQLDatabase, tmp_path: Path
) -> None:
    """The same syntax end to end: a .env the app accepts opens its MariaDB database."""
    url = mysql_fixture_db.ro_url
    assert url.password
    assert "'" not in url.password
    prefix, _, suffix = mysql_fixture_db.name.partition("_")
    env = write_env(
        tmp_path,
        'DB_PROVIDER="mysql"   # provider\n'
        f"MYSQL_HOST='{url.host}' # c\n"
        f'MYSQL_PORT="{url.port or 3306}" # c\n'
        f"mysql_user={url.username}\n"
        f"MYSQL_PASSWORD='{url.password}' # single quotes: taken as written\n"
        f"PREFIX={prefix}\n"
        f'MYSQL_DATABASE="${{PREFIX}}_{suffix}"\n',
    )
    with novelkit.connect(env_file=env) as db:
        assert len(db.novels()) == 6


def test_missing_env_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="env_file"):
        resolve_url(env_file=tmp_path / "nope.env")


# --- a DATABASE_URL meant for another tool --------------------------------------


def test_postgresql_database_url_names_variable_and_override(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://django:{ENCODED_PASSWORD}@pg/shop")
    with pytest.raises(ConfigurationError) as info:
        resolve_url()
    message = str(info.value)
    assert "DATABASE_URL" in message
    assert "postgresql" in message
    assert "NOVELKIT_DATABASE_URL" in message  # how to override
    assert "sqlite" in message
    assert "mysql" in message
    assert "environment" in message
    assert ENCODED_PASSWORD not in message
    assert PASSWORD not in message


def test_postgresql_database_url_in_env_file_names_the_file(tmp_path: Path) -> None:
    env = write_env(tmp_path, "DATABASE_URL=postgresql+asyncpg://u:pw@pg/shop\n")
    with pytest.raises(ConfigurationError) as info:
        resolve_url(env_file=env)
    message = str(info.value)
    assert "DATABASE_URL" in message
    assert str(env) in message
    assert "NOVELKIT_DATABASE_URL" in message


def test_bad_novelkit_variable_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOVELKIT_DATABASE_URL", "postgresql://u:pw@pg/shop")
    with pytest.raises(ConfigurationError, match="NOVELKIT_DATABASE_URL"):
        resolve_url()


def test_postgresql_database_url_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@pg/shop")
    monkeypatch.setenv("NOVELKIT_DATABASE_URL", "sqlite:////srv/arboris.db")
    assert resolve_url().database == "/srv/arboris.db"
    assert resolve_url("mysql://u@h/arboris").drivername == "mysql+asyncmy"


# --- embedded default -------------------------------------------------------------


def test_embedded_default_under_novelkit_home_computed_at_call_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    monkeypatch.setenv("NOVELKIT_HOME", str(first))
    assert resolve_url().database == str(first / DEMO_FILENAME)
    monkeypatch.setenv("NOVELKIT_HOME", str(second))
    url = resolve_url()
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(second / DEMO_FILENAME)
    # resolving creates nothing
    assert not first.exists()
    assert not second.exists()


def test_embedded_default_without_novelkit_home_uses_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOVELKIT_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = resolve_url()
    assert url.database is not None
    assert Path(url.database).is_relative_to(tmp_path / "xdg")
    assert Path(url.database).name == DEMO_FILENAME
    assert not (tmp_path / "xdg").exists()


# --- nothing at import -----------------------------------------------------------------


def test_import_reads_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://bogus:bogus@nowhere/db",
        "NOVELKIT_DATABASE_URL": "not a url ://",
        "DB_PROVIDER": "oracle",
        "MYSQL_PORT": "not-a-port",
        "NOVELKIT_HOME": str(home),
    }
    code = (
        "import logging, warnings, novelkit, novelkit.db\n"
        "assert novelkit.__version__\n"
        "print('imported')\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
    assert not home.exists()
