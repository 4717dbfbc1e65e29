"""``DatabaseInfo``: what :func:`~novelkit.inspect_database` found, and how it shows.

The record itself, its table (:meth:`DatabaseInfo.to_frame`), its headline facts
(:meth:`DatabaseInfo.summary`), its text ``repr`` and its notebook HTML view. How a
database is classified is in :mod:`novelkit.schema.inspect`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..demo._marker import MARKER_FIELDS
from .tables import CLASSIC_COLUMNS, FUSION_TABLES, KNOWN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DatabaseInfo", "GenerationFound"]

GenerationFound = Literal["classic", "fusion", "unknown"]


@dataclass(frozen=True)
class DatabaseInfo:
    """What :func:`inspect_database` found in a database.

    Attributes
    ----------
    backend
        ``"sqlite"`` or ``"mysql"`` (MariaDB included).
    url
        The engine's URL with the password masked.
    generation
        ``"classic"``, ``"fusion"`` or ``"unknown"``: the base the database
        matches (rules in :mod:`novelkit.schema.inspect`).
    tables
        Known tables of the base that are present (variants excluded) → row count.
    missing
        Known table → its absent columns. A table absent entirely (or present
        only as a fork variant) maps to ``()`` and is also in ``missing_tables``.
    missing_tables
        Known tables of the base that are absent entirely, in schema order.
    extra
        What the base does not have: a table outside the base (or a variant) →
        all its columns; a known table → the columns a fork added to it.
    variants
        Known table names used by a fork for another table → its columns.
    extra_rows
        Row counts of the tables outside the base and of the variants.
    columns
        Every table in the database → its columns, in database order (what
        loaders may select).
    demo
        The novelkit demo marker (``generator_version``, ``scale``, ``seed``,
        ``generation``) or None for a database novelkit did not build.
    """

    backend: str
    url: str
    generation: GenerationFound
    tables: dict[str, int]
    missing: dict[str, tuple[str, ...]]
    missing_tables: tuple[str, ...]
    extra: dict[str, tuple[str, ...]]
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra_rows: dict[str, int] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    demo: dict[str, Any] | None = None

    @property
    def total_rows(self) -> int:
        """Rows in the known tables."""
        return sum(self.tables.values())

    def has_column(self, table_name: str, column_name: str) -> bool:
        """Whether ``table_name`` exists and has ``column_name``."""
        return column_name in self.columns.get(table_name, ())

    def _base(self) -> dict[str, tuple[str, ...]]:
        fusion = any(t in self.tables or t in self.missing for t in FUSION_TABLES)
        return KNOWN_COLUMNS if fusion else CLASSIC_COLUMNS

    def _rows(self) -> list[tuple[str, str, int | None, tuple[str, ...], tuple[str, ...]]]:
        rows: list[tuple[str, str, int | None, tuple[str, ...], tuple[str, ...]]] = []
        base = self._base()
        for name in base:
            if name in self.variants:
                cols = self.variants[name]
                lacking = tuple(c for c in KNOWN_COLUMNS[name] if c not in cols)
                added = tuple(c for c in cols if c not in KNOWN_COLUMNS[name])
                rows.append((name, "variant", self.extra_rows.get(name), lacking, added))
            elif name in self.tables:
                missing = self.missing.get(name, ())
                rows.append((name, "known", self.tables[name], missing, self.extra.get(name, ())))
            elif name in self.missing:
                rows.append((name, "missing", None, (), ()))
        for name in sorted(self.extra):
            if name not in base:
                status = "variant" if name in self.variants else "extra"
                rows.append((name, status, self.extra_rows.get(name), (), self.extra[name]))
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per table: what is known, missing, extra or a fork variant.

        Returns
        -------
        pandas.DataFrame
            Columns ``table``, ``status`` (``known``, ``missing``, ``extra`` or
            ``variant``), ``rows`` (nullable Int64; NA for missing tables),
            ``missing_columns`` and ``extra_columns`` (tuples of names; for a
            variant, the known columns it lacks and the ones it has instead).

        Examples
        --------
        >>> info = await novelkit.inspect_database(engine)  # doctest: +SKIP
        >>> info.to_frame().query("status != 'known'")      # doctest: +SKIP
        """
        import pandas as pd

        frame = pd.DataFrame(
            self._rows(),
            columns=["table", "status", "rows", "missing_columns", "extra_columns"],
        )
        return frame.astype({"rows": "Int64"})

    def summary(self) -> list[tuple[str, str]]:
        """The headline facts as (label, value) pairs, values as text ("none" for no part).

        What the text ``repr``, the notebook view and ``novelkit info`` show above the
        table of :meth:`to_frame`.
        """
        demo = "no"
        if self.demo is not None:
            known = [f"{k}={v}" for k in MARKER_FIELDS if (v := self.demo.get(k)) is not None]
            # The file is marked as a demo but its marker row is gone (a fork-shaped copy
            # without system_configs, an interrupted build): was "generator_version=None, ...".
            demo = ", ".join(known) or "yes, without its marker row in system_configs"
        return [
            ("database", f"{self.backend}: {self.url}"),
            ("generation", self.generation),
            ("known tables", f"{len(self.tables)} ({self.total_rows} rows)"),
            # A variant (a known name reused for another table) is shown once, as a
            # variant, not also as a missing and an extra table.
            ("missing", _names(self._missing_tables(), self._missing_columns())),
            ("extra", _names(self._extra_tables(), self._extra_columns())),
            ("fork variants", self._variant_summary()),
            ("novelkit demo", demo),
        ]

    def _missing_columns(self) -> list[str]:
        return [f"{t}.{c}" for t, cols in self.missing.items() for c in cols]

    def _missing_tables(self) -> list[str]:
        return [t for t in self.missing_tables if t not in self.variants]

    def _extra_tables(self) -> list[str]:
        return [t for t in self.extra if t not in self.tables and t not in self.variants]

    def _variant_summary(self) -> str:
        parts = []
        for name, columns in self.variants.items():
            rows = self.extra_rows.get(name)
            counted = f", {rows} rows" if rows is not None else ""
            parts.append(f"{name} ({len(columns)} columns of its own{counted})")
        return "; ".join(parts) or "none"

    def _extra_columns(self) -> list[str]:
        return [f"{t}.{c}" for t, cols in self.extra.items() if t in self.tables for c in cols]

    def __repr__(self) -> str:
        lines = [f"DatabaseInfo({self.generation!r} {self.backend} database {self.url})"]
        lines += [f"  {label}: {value}" for label, value in self.summary()[2:]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>"
            f"{esc(v)}</td></tr>"
            for k, v in self.summary()
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{esc(cell)}</td>"
                for cell in (
                    name,
                    status,
                    "" if rows is None else str(rows),
                    ", ".join(missing),
                    ", ".join(added),
                )
            )
            + "</tr>"
            for name, status, rows, missing, added in self._rows()
        )
        columns = "".join(
            f"<th>{c}</th>" for c in ("table", "status", "rows", "missing columns", "extra columns")
        )
        return (
            f"<div><strong>Arboris database</strong><table>{head}</table>"
            f"<table><thead><tr>{columns}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def _names(tables: tuple[str, ...] | list[str], columns: list[str]) -> str:
    parts = [f"table {t}" for t in tables] + list(columns)
    return ", ".join(parts) or "none"
