"""What ``novelkit info`` prints: a database's facts, its tables and its pool, as plain text.

The Python records (:class:`~novelkit.schema.inspect.DatabaseInfo`,
:class:`~novelkit.db.PoolStatus`) show themselves as Python reprs, for notebooks;
a shell user reads labelled lines and a table instead, with no tuple or ``None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._table import render_table

if TYPE_CHECKING:
    from ..db import PoolStatus
    from ..schema.inspect import DatabaseInfo

__all__ = ["info_text"]

#: Pool figures not shown on the pool line: the backend is on the database line, and
#: SQLAlchemy's status string repeats the figures.
_POOL_FIGURES_LEFT_OUT = {"pool_class", "backend", "status"}

#: Units of the pool figures that have one.
_POOL_UNITS = {"timeout": " s", "recycle": " s"}

#: Labels that are not the figure's name with spaces for underscores.
_POOL_LABELS = {"pre_ping": "pre-ping"}


def info_text(database: DatabaseInfo, pool: PoolStatus) -> str:
    """The facts of ``database``, one table row per table, and the pool on one line."""
    facts = "\n".join(f"{label}: {value}" for label, value in database.summary())
    return f"{facts}\n\n{_tables(database)}\n\n{_pool_line(pool)}"


def _tables(database: DatabaseInfo) -> str:
    """The table of :meth:`DatabaseInfo.to_frame`: names joined by commas, and a blank
    cell where there is nothing (no column missing, or no row count for a missing table).
    """
    frame = database.to_frame()
    for column in ("missing_columns", "extra_columns"):
        frame[column] = frame[column].map(", ".join)
    frame["rows"] = frame["rows"].astype(object).where(frame["rows"].notna(), "")
    frame = frame.rename(columns=lambda name: name.replace("_", " "))
    # pandas pads the last column even where it is blank.
    return "\n".join(line.rstrip() for line in render_table(frame, max_colwidth=60).splitlines())


def _pool_line(pool: PoolStatus) -> str:
    """``pool: CLASS, figure value, ...``: only the figures the pool class has."""
    figures = [
        _pool_figure(name, value)
        for name, value in pool.to_dict().items()
        if name not in _POOL_FIGURES_LEFT_OUT and value is not None
    ]
    return ", ".join([f"pool: {pool.pool_class}", *figures])


def _pool_figure(name: str, value: Any) -> str:
    label = _POOL_LABELS.get(name, name.replace("_", " "))
    if name == "overflow" and isinstance(value, int):
        # SQLAlchemy counts it from minus the pool size (``overflow -4``: four of the
        # pool's places still free); in words, the connections beyond the pool size.
        value = max(value, 0)
    if isinstance(value, bool):
        return f"{label} {'on' if value else 'off'}"
    return f"{label} {value}{_POOL_UNITS.get(name, '')}"
