"""The Arrow readers' errors as novelkit's, without passwords or the query's values."""

from __future__ import annotations

import re

from .._redact import scrub
from ..errors import QueryError, QueryTimeoutError, _statement_timed_out

__all__ = ["ArrowUnsupportedError", "arrow_query_error"]


class ArrowUnsupportedError(Exception):
    """The Arrow reader cannot read this result (a column type it lacks); never shown.

    The statement is then read through the async driver, which gives the frame
    the Arrow path would have given had it been able to.
    """


_MYSQL_CODE = re.compile(r"ERROR (\d+) \(")
_TIMEOUT_CODES = {1969, 3024}  # MariaDB max_statement_time, MySQL MAX_EXECUTION_TIME


def arrow_query_error(
    exc: BaseException,
    where: str,
    password: str | None = None,
    statement_timeout: float | None = None,
) -> QueryError | QueryTimeoutError:
    """``exc`` from ADBC or connectorx as :class:`QueryError` (or a timeout), scrubbed."""
    text = scrub(str(exc), password)
    match = _MYSQL_CODE.search(text)
    code: int | str | None = int(match.group(1)) if match else type(exc).__name__
    if code in _TIMEOUT_CODES:
        return _statement_timed_out(where, statement_timeout)
    return QueryError(
        f"The query failed on {where} (Arrow path): {text}", code=code, db_message=text
    )
