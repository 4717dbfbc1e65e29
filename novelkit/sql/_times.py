"""Datetime values in users' statements, bound as the database stores its times.

Every datetime bound to a statement (a ``params`` value, an element of a list
value, or a datetime written into a SQLAlchemy statement) is bound by these rules:

- An aware ``datetime`` (or ``pandas.Timestamp``) is converted to the zone the
  database's stored times are read in, then bound without a zone: the
  ``server_timezone`` given, else UTC on SQLite (the app writes UTC) and the
  server session's zone on MySQL (measured, as the loaders do). Asia/Shanghai
  16:00 is 08:00 on SQLite, as the app stored that instant.
- A naive one is bound as given: it is taken to be in that zone already.
- On SQLite it is bound as text in the app's own format, ``YYYY-MM-DD HH:MM:SS``,
  with ``.ffffff`` only when the microseconds are not zero. SQLite compares the
  text, so SQLAlchemy's default ``...:05.000000`` would sort after a stored
  ``...:05`` and miss it in ``>=``. MySQL compares ``DATETIME`` values, and is
  given the datetime itself.
- ``pandas.Timestamp`` and ``numpy.datetime64`` are accepted (nanoseconds are
  dropped: the databases keep microseconds at most); ``NaT`` binds ``NULL``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.sql import visitors

__all__ = ["bind_times", "bound_time", "sqlite_text"]

_LISTS = (list, tuple, set, frozenset)


def _is_time(value: object) -> bool:
    # pd.NaT is a datetime instance too.
    return isinstance(value, dt.datetime | np.datetime64)


def _holds_time(value: object) -> bool:
    if isinstance(value, _LISTS):
        return any(_is_time(item) for item in value)
    return _is_time(value)


def sqlite_text(value: dt.datetime) -> str:
    """A naive datetime as SQLite text in the app's format.

    Examples
    --------
    >>> sqlite_text(dt.datetime(2025, 1, 1, 8, 0, 5))
    '2025-01-01 08:00:05'
    >>> sqlite_text(dt.datetime(2025, 1, 1, 8, 0, 5, 120))
    '2025-01-01 08:00:05.000120'
    """
    return value.isoformat(" ", "microseconds" if value.microsecond else "seconds")


def bound_time(value: Any, backend: str, zone: str | dt.tzinfo | None) -> Any:
    """``value`` as it is bound (see the module docstring); other values unchanged.

    Examples
    --------
    >>> import zoneinfo
    >>> shanghai = dt.datetime(2025, 1, 1, 16, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    >>> bound_time(shanghai, "sqlite", None)
    '2025-01-01 08:00:00'
    >>> bound_time(pd.Timestamp(shanghai), "mysql", "+08:00")
    datetime.datetime(2025, 1, 1, 16, 0)
    >>> bound_time(pd.NaT, "sqlite", None) is None
    True
    """
    if not _is_time(value):
        return value
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(zone if zone is not None else "UTC").tz_localize(None)
    naive: dt.datetime = stamp.floor("us").to_pydatetime()
    return sqlite_text(naive) if backend == "sqlite" else naive


def bind_times(statement: Any, backend: str, zone: str | dt.tzinfo | None) -> tuple[Any, list[str]]:
    """``statement`` with its datetime binds converted, and the texts bound on SQLite.

    The statement is returned as it is when it binds no datetime; otherwise a
    copy (as ``statement.params()`` makes one). The texts are for error messages
    to withhold, as they withhold the values given.
    """
    if not any(
        isinstance(element, sa.BindParameter) and _holds_time(element.value)
        for element in visitors.iterate(statement)
    ):
        return statement, []
    texts: list[str] = []

    def convert(bind: sa.BindParameter[Any]) -> None:
        if bind.callable is not None or not _holds_time(bind.value):
            return
        if isinstance(bind.value, _LISTS):
            bind.value = [bound_time(item, backend, zone) for item in bind.value]
            values = bind.value
        else:
            bind.value = bound_time(bind.value, backend, zone)
            values = [bind.value]
        texts.extend(v for v in values if isinstance(v, str))
        if backend == "sqlite":
            if all(v is None or isinstance(v, str) for v in values):
                # Not DateTime, whose SQLite processor would format it again.
                bind.type = sa.String()
        elif isinstance(bind.type, sa.types.NullType):
            bind.type = sa.DateTime()  # so that a statement with literals renders it

    return visitors.cloned_traverse(statement, {}, {"bindparam": convert}), texts
