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
    UnknownObjectError as UnknownObjectError,
)
from .pool import LeakReport as LeakReport, PoolCounters as PoolCounters, PoolStatus as PoolStatus

__version__ = "0.1.0"

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "DatabaseNotFoundError",
    "LeakReport",
    "LockTimeoutError",
    "NotArborisDatabaseError",
    "NovelkitError",
    "PoolCounters",
    "PoolStatus",
    "QueryTimeoutError",
    "ReadOnlyError",
    "ServerUnavailableError",
    "UnknownObjectError",
    "__version__",
    "create_engine",
    "echo",
    "get_session",
    "open_session",
    "pool_counters",
    "pool_status",
    "resolve_url",
    "session_factory",
    "set_echo",
    "track_leaks",
]
