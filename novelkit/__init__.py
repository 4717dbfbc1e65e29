"""novelkit: explore an Arboris Novel database from Jupyter, as pandas DataFrames.

Importing novelkit creates no engine, reads no setting and patches nothing.
"""

from .db import (
    create_engine as create_engine,
    echo as echo,
    get_session as get_session,
    open_session as open_session,
    pool_counters as pool_counters,
    pool_status as pool_status,
    resolve_url as resolve_url,
    session_factory as session_factory,
    set_echo as set_echo,
    track_leaks as track_leaks,
)
from .demo import (
    DemoSummary as DemoSummary,
    build_demo as build_demo,
    build_demo_async as build_demo_async,
)
from .errors import (
    AuthenticationError as AuthenticationError,
    ConfigurationError as ConfigurationError,
    DatabaseNotFoundError as DatabaseNotFoundError,
    LockTimeoutError as LockTimeoutError,
    NotArborisDatabaseError as NotArborisDatabaseError,
    NovelkitError as NovelkitError,
    QueryTimeoutError as QueryTimeoutError,
    ReadOnlyError as ReadOnlyError,
    ServerUnavailableError as ServerUnavailableError,
    StoredValueWarning as StoredValueWarning,
    UnknownObjectError as UnknownObjectError,
)
from .facade import NovelDB as NovelDB, connect as connect
from .loaders import (
    iter_frames as iter_frames,
    load_activity as load_activity,
    load_admin_stats as load_admin_stats,
    load_chapters as load_chapters,
    load_characters as load_characters,
    load_conversations as load_conversations,
    load_evaluations as load_evaluations,
    load_foreshadowings as load_foreshadowings,
    load_novels as load_novels,
    load_outlines as load_outlines,
    load_relationships as load_relationships,
    load_table as load_table,
    load_usage as load_usage,
    load_users as load_users,
    load_versions as load_versions,
)
from .pool import LeakReport as LeakReport, PoolCounters as PoolCounters, PoolStatus as PoolStatus
from .schema.inspect import DatabaseInfo as DatabaseInfo, inspect_database as inspect_database

__version__ = "0.1.0"

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "DatabaseInfo",
    "DatabaseNotFoundError",
    "DemoSummary",
    "LeakReport",
    "LockTimeoutError",
    "NotArborisDatabaseError",
    "NovelDB",
    "NovelkitError",
    "PoolCounters",
    "PoolStatus",
    "QueryTimeoutError",
    "ReadOnlyError",
    "ServerUnavailableError",
    "StoredValueWarning",
    "UnknownObjectError",
    "__version__",
    "build_demo",
    "build_demo_async",
    "connect",
    "create_engine",
    "echo",
    "get_session",
    "inspect_database",
    "iter_frames",
    "load_activity",
    "load_admin_stats",
    "load_chapters",
    "load_characters",
    "load_conversations",
    "load_evaluations",
    "load_foreshadowings",
    "load_novels",
    "load_outlines",
    "load_relationships",
    "load_table",
    "load_usage",
    "load_users",
    "load_versions",
    "open_session",
    "pool_counters",
    "pool_status",
    "resolve_url",
    "session_factory",
    "set_echo",
    "track_leaks",
]
