"""SQLAlchemy Core tables describing the Arboris Novel schema, both generations.

These definitions *describe* the databases the Arboris app creates (its ORM's
``Base.metadata.create_all``), so that novelkit knows which tables and columns
to expect and can build its own demo databases. novelkit runs DDL only against
databases it creates itself; it never alters a user's database.

Two generations exist upstream:

``"classic"``
    17 tables (upstream ``c9fc816`` … ``c742acc``); ``chapter_outlines`` has no
    ``metadata`` column yet.
``"fusion"``
    The 17 tables (with ``chapter_outlines.metadata``) plus 19 more, 36 in all
    (upstream PR #34, 2026-01).

The types are the app's: integer keys are ``BigInteger().with_variant(Integer,
"sqlite")`` (plain Integer for users, prompts, update_logs,
user_daily_requests, factions* and writer_personas; a bare BigInteger for the
memory-layer tables), long texts are ``Text().with_variant(LONGTEXT, "mysql")``,
timestamps are ``DateTime(timezone=True)`` with ``server_default=func.now()``.
``create_all`` on SQLite and MariaDB produces the column names, order, types
and nullability of a database the app created (checked by the test suite
against ``tests/data``).

Note that ``chapters`` and ``chapter_versions`` reference each other, as in the
app: ``create_all`` handles that, but ``drop_all`` and ``sorted_tables`` warn
about the cycle. Drop such a database by deleting the file or the MySQL
database instead.

Examples
--------
>>> from novelkit.schema.tables import build_metadata
>>> len(build_metadata("classic").tables), len(build_metadata("fusion").tables)
(17, 36)
>>> "metadata" in build_metadata("classic").tables["chapter_outlines"].c
False
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import MetaData

from ..errors import ConfigurationError
from ._tables_classic import CLASSIC_TABLES, add_classic_tables
from ._tables_fusion import FUSION_TABLES, add_fusion_tables

__all__ = [
    "CLASSIC_COLUMNS",
    "CLASSIC_TABLES",
    "FUSION_TABLES",
    "KNOWN_COLUMNS",
    "Generation",
    "build_metadata",
    "check_generation",
]

Generation = Literal["classic", "fusion"]


def check_generation(generation: object) -> Generation:
    """``generation`` if it is ``"classic"`` or ``"fusion"``, else :class:`ConfigurationError`."""
    if generation == "classic" or generation == "fusion":
        return generation
    raise ConfigurationError(
        f"Unknown generation {generation!r} of the Arboris schema; use 'classic' (17 tables) or "
        "'fusion' (36 tables)."
    )


def build_metadata(generation: Generation = "fusion") -> MetaData:
    """A fresh :class:`~sqlalchemy.MetaData` holding one generation's tables.

    Parameters
    ----------
    generation
        ``"classic"`` for the 17 original tables (``chapter_outlines`` without
        ``metadata``), ``"fusion"`` for all 36.

    Returns
    -------
    MetaData
        A new collection each call, so callers may add to it freely.

    Raises
    ------
    ConfigurationError
        For any other generation name.

    Examples
    --------
    >>> md = build_metadata()
    >>> md.tables["chapters"].c.selected_version_id.nullable
    True
    """
    generation = check_generation(generation)
    metadata = MetaData()
    add_classic_tables(metadata, outline_metadata=generation == "fusion")
    if generation == "fusion":
        add_fusion_tables(metadata)
    return metadata


def _columns(metadata: MetaData) -> dict[str, tuple[str, ...]]:
    return {name: tuple(c.name for c in table.columns) for name, table in metadata.tables.items()}


#: Fusion generation: table name → its column names, in the app's order.
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = _columns(build_metadata("fusion"))
#: Classic generation: table name → its column names, in the app's order.
CLASSIC_COLUMNS: dict[str, tuple[str, ...]] = _columns(build_metadata("classic"))
