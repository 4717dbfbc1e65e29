"""Checks that run on a user's own SQL before anything reaches the database.

Private for now: :mod:`novelkit.sql._classify` refuses anything but one read
statement, :mod:`novelkit.sql._params` binds ``:name`` placeholders (values are
never formatted into the text) and :mod:`novelkit.sql._columns` tells where a
SELECT's result columns come from. All three read the SQL with sqlglot's
tokenizer (and parser, for the columns), never with regular expressions on the
raw text.
"""

from __future__ import annotations

__all__: list[str] = []
