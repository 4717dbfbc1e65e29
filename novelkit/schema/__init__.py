"""The Arboris schema as novelkit knows it, and what a real database has.

- :mod:`.tables`: Core tables of both generations (classic, 17; fusion, 36),
  declared in ``_tables_classic`` and ``_tables_fusion``;
- :mod:`.vocabularies`: the status values the app writes;
- :mod:`.reflect`: the one per-engine cache of what a database has;
- :mod:`.inspect`: :func:`inspect_database` (generation, counts, fork changes)
  and its :class:`DatabaseInfo` (``_info``).
"""

from ._info import DatabaseInfo
from .inspect import inspect_database

__all__ = ["DatabaseInfo", "inspect_database"]
