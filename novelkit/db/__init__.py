"""The engine layer: where the database is, engines and sessions per backend, pools.

``create_engine`` makes an async engine with the Arboris app's per-backend
settings, read-only by default; everything a backend needs lives in one private
module (``_sqlite``, ``_mysql``), what every engine shares beside them
(``_engine``, ``_errors``, ``_control``, ``_sessions``), and pool introspection
in ``_pool``. Nothing here runs at import: engines exist only when you ask for
one, and whoever creates an engine disposes it (``await engine.dispose()``).
"""

from ._engine import EchoLevel, create_engine, describe_engine
from ._pool import LeakReport, PoolCounters, PoolStatus, pool_counters, pool_status, track_leaks
from ._sessions import echo, get_session, open_session, session_factory, set_echo
from ._settings import (
    APP_SETTINGS,
    DATABASE_VARIABLES,
    DEMO_FILENAME,
    SUPPORTED_SCHEMES,
    default_demo_path,
    is_sqlite,
    read_env_file,
    resolve_url,
    sqlite_path,
)
from ._snapshot import snapshot_sqlite

__all__ = [
    "APP_SETTINGS",
    "DATABASE_VARIABLES",
    "DEMO_FILENAME",
    "SUPPORTED_SCHEMES",
    "EchoLevel",
    "LeakReport",
    "PoolCounters",
    "PoolStatus",
    "create_engine",
    "default_demo_path",
    "describe_engine",
    "echo",
    "get_session",
    "is_sqlite",
    "open_session",
    "pool_counters",
    "pool_status",
    "read_env_file",
    "resolve_url",
    "session_factory",
    "set_echo",
    "snapshot_sqlite",
    "sqlite_path",
    "track_leaks",
]
