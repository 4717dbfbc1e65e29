"""``novelkit sql``: one read-only query from the shell, through :func:`novelkit.load_sql`."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.engine import URL

from ..db import create_engine, open_session
from ..errors import ConfigurationError
from ..sql import load_sql
from ._loop import run_command

__all__ = ["parse_params", "run_query"]


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a dict of text values; a pair without ``=`` is an error.

    Examples
    --------
    >>> parse_params(["status=completed", "title=a=b"])
    {'status': 'completed', 'title': 'a=b'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ConfigurationError(
                f"--param {pair!r} is not NAME=VALUE; e.g. --param status=completed for :status."
            )
        params[name] = value
    return params


def run_query(
    url: URL, query: str, params: dict[str, str], *, statement_timeout: float | None
) -> pd.DataFrame:
    """Run ``query`` on a read-only engine for ``url`` and return its frame."""

    async def work() -> pd.DataFrame:
        engine = create_engine(url, statement_timeout=statement_timeout)
        try:
            async with open_session(engine) as session:
                return await load_sql(session, query, params or None)
        finally:
            await engine.dispose()

    return run_command(work())
