"""Your own SQL, safely: queries as DataFrames, the database's tables, a notebook magic.

- :func:`load_sql` / :func:`iter_sql`: SQL text with ``:name`` placeholders or a
  SQLAlchemy statement, checked as one read statement on read-only engines,
  values bound (never formatted into the text), columns typed by the loaders'
  rules; ``iter_sql`` in chunks of bounded memory.
- :func:`tables`: the database's own tables as SQLAlchemy ``Table`` objects
  (a fork's included), to compose ``select(...)`` queries.
- :func:`load_ipython_extension`: ``%load_ext novelkit`` gives ``%nksql`` and
  ``%%nksql``.

Behind them, private modules read the SQL with sqlglot's tokenizer and parser
(never with regular expressions on the raw text): ``_classify`` refuses anything
but one read statement, ``_params`` binds placeholders, ``_columns`` tells where
result columns come from.
"""

from __future__ import annotations

from ._load import iter_sql, load_sql
from ._magic import load_ipython_extension
from ._run import LIVE_FILE_TIMEOUT
from ._tables import Tables, tables

__all__ = [
    "LIVE_FILE_TIMEOUT",
    "Tables",
    "iter_sql",
    "load_ipython_extension",
    "load_sql",
    "tables",
]
