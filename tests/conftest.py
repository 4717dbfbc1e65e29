"""Shared fixtures: real SQLite files in tmp folders, real MariaDB databases over TCP.

MySQL tests need NOVELKIT_TEST_MYSQL_URL (and _RO_URL, _ADMIN_URL): run
``eval "$(bash .ci/mariadb-accounts.sh)"`` as root on a machine with MariaDB.
Without them they skip, unless NOVELKIT_REQUIRE_MYSQL=1 (CI), where they fail.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from nktest_support import (
    FIXTURE_SQLITE,
    MySQLDatabase,
    load_mysql_dump,
    make_database,
)

from novelkit.db import DATABASE_VARIABLES

#: The fixtures that reach the MariaDB server (directly or through another fixture).
MYSQL_FIXTURES = frozenset(
    {"mysql_db", "mysql_fixture_db", "texts_mysql", "mysql_harness", "demo_mysql", "built_mysql"}
)


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects: it must see the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``mysql`` every test that uses a MariaDB fixture, so that ``-m "not mysql"``
    (``make test-fast``) leaves it out even where its own mark was forgotten."""
    for item in items:
        if MYSQL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.mysql)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test sees the developer's Arboris settings or demo database."""
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NOVELKIT_HOME", str(tmp_path_factory.mktemp("novelkit-home")))


@pytest.fixture
def fixture_sqlite(tmp_path: Path) -> Path:
    """A private, writable copy of the app-created fusion SQLite database."""
    target = tmp_path / "arboris.db"
    shutil.copyfile(FIXTURE_SQLITE, target)
    return target


@pytest.fixture
def mysql_db() -> Iterator[MySQLDatabase]:
    """An empty nktest_ database, dropped after the test."""
    yield from make_database("t")


@pytest.fixture(scope="session")
def mysql_fixture_db() -> Iterator[MySQLDatabase]:
    """The app-created fusion fixture restored into MariaDB once per session (read it only)."""
    for db in make_database("fixture"):
        load_mysql_dump(db)
        yield db
