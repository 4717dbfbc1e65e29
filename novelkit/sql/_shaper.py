"""Fetched rows of a user's query as typed frames, the same way for every chunk.

:class:`_Shaper` checks the ``parse_dates``/``parse_json`` names against the
result's columns, plans each column's dtype (:mod:`._dtypes`) and builds the
frames. Split from :mod:`._load`: building frames is a job of its own, apart
from running the statement (:mod:`._run`) and the public functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigurationError
from ..loaders._query import LoadContext
from ._dtypes import ColumnPlan, convert, plan_columns, settled, unique_names
from ._prepare import Prepared, dialect_of


def _check_names(option: str, given: Sequence[str] | None, names: Sequence[str]) -> set[str]:
    if given is None:
        return set()
    chosen = [given] if isinstance(given, str) else list(given)
    unknown = [c for c in chosen if c not in names]
    if unknown:
        listed = ", ".join(repr(c) for c in unknown)
        raise ConfigurationError(
            f"{option} names {listed}, which the query does not return; its columns: "
            f"{', '.join(names)}."
        )
    return set(chosen)


class _Shaper:
    """Turns fetched rows into typed frames, the same way for every chunk of a stream."""

    def __init__(
        self,
        ctx: LoadContext,
        raw_names: Sequence[str],
        description: Sequence[Sequence[Any]] | None,
        prepared: Prepared,
        from_text: Sequence[ColumnPlan] | None,
        parse_dates: Sequence[str] | None,
        parse_json: Sequence[str] | None,
    ) -> None:
        self.names = unique_names(list(raw_names))
        self.dates = _check_names("parse_dates", parse_dates, self.names)
        self.json = _check_names("parse_json", parse_json, self.names)
        self.plans = plan_columns(
            dialect_of(ctx.conn),
            self.names,
            description,
            from_text=from_text,
            core_columns=prepared.columns,
        )
        self.zone = ctx.server_timezone

    def frame(self, rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
        # One column at a time by index, as the loaders do (no zip(*rows)).
        count = len(rows)
        return self.frame_of(
            [
                np.fromiter(map(itemgetter(position), rows), dtype=object, count=count)
                for position in range(len(self.names))
            ],
            count,
        )

    def frame_of(self, stored: Sequence[np.ndarray], count: int) -> pd.DataFrame:
        """The frame of columns of stored values (Python objects), in result order."""
        columns: dict[str, pd.Series] = {}
        for position, (name, plan) in enumerate(zip(self.names, self.plans, strict=True)):
            values = pd.Series(stored[position], dtype=object)
            converted = convert(
                values,
                plan,
                name=name,
                parse_date=name in self.dates,
                parse_json=name in self.json,
                server_timezone=self.zone,
            )
            self.plans[position] = settled(plan, converted) if count else plan
            columns[name] = converted
        return pd.DataFrame(columns, index=pd.RangeIndex(count))
