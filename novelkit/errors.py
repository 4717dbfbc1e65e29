"""The exceptions and warnings novelkit raises.

Every error a user can get from novelkit derives from :class:`NovelkitError`,
so ``except novelkit.NovelkitError`` catches all of them. Driver errors are
chained with ``raise ... from``; messages never contain a password and always
say what to do next. Where Python's own exception types were raised before
(or are what a caller would naturally catch), they stay as second bases::

    NovelkitError
    ├── ConfigurationError        bad URL, unsupported backend, bad option (also a ValueError)
    │   └── WrongTypeError        a wrong argument type, an unknown option (also a TypeError)
    ├── DatabaseNotFoundError     missing SQLite file/folder, unknown MySQL database
    ├── ServerUnavailableError    host unreachable, connection refused or timed out
    ├── AuthenticationError       wrong user name or password
    ├── NotArborisDatabaseError   empty file, not SQLite, no Arboris core tables
    ├── ReadOnlyError             a write attempted through a read-only engine
    ├── QueryTimeoutError         a statement ran past ``statement_timeout``
    ├── LockTimeoutError          the database stayed locked past the busy timeout
    ├── QueryError                the database reported an error about a statement
    └── UnknownObjectError        a novel, table or column that does not exist (also a LookupError)

:class:`StoredValueWarning` (a ``UserWarning``) says that some stored values
could not be converted and were kept as stored; :class:`MissingFontWarning` that
no CJK font is installed for charts with Chinese labels.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "DatabaseNotFoundError",
    "LockTimeoutError",
    "MissingFontWarning",
    "NotArborisDatabaseError",
    "NovelkitError",
    "QueryError",
    "QueryTimeoutError",
    "ReadOnlyError",
    "ServerUnavailableError",
    "StoredValueWarning",
    "UnknownObjectError",
    "WrongTypeError",
]


class NovelkitError(Exception):
    """Root of every error novelkit raises on purpose."""


class ConfigurationError(NovelkitError, ValueError):
    """The database URL or an option is wrong; the message says which and how to fix it."""


class WrongTypeError(ConfigurationError, TypeError):
    """An argument of the wrong type (the message says which types are accepted), or an
    option no one takes (the message names the one meant, when one is close)."""


class DatabaseNotFoundError(NovelkitError):
    """The SQLite file (or its folder) or the MySQL database does not exist."""


class ServerUnavailableError(NovelkitError):
    """The database server could not be reached within the connect timeout."""


class AuthenticationError(NovelkitError):
    """The server refused the user name or password."""


class NotArborisDatabaseError(NovelkitError):
    """The database exists but is not an Arboris Novel database (or not SQLite at all)."""


class ReadOnlyError(NovelkitError):
    """A write was attempted through a read-only engine."""


class QueryError(NovelkitError):
    """The database reported an error about a statement: syntax, unknown column, ambiguous name.

    Carries the database's own message and error code, so that a notebook can show
    them and code can tell errors apart without parsing the text.

    Parameters
    ----------
    message
        What novelkit says about the error, including what to do next.
    code
        The database's error code: MySQL's number (e.g. ``1054``), SQLite's
        extended result code name or number, or None when the driver gave none.
    db_message
        The database's own message, unchanged.
    """

    code: int | str | None
    db_message: str

    def __init__(
        self, message: str, *, code: int | str | None = None, db_message: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.db_message = db_message


class QueryTimeoutError(NovelkitError):
    """A statement ran longer than the ``statement_timeout`` it was given."""


def _statement_timed_out(
    where: str, seconds: float | None, detail: str | None = None
) -> QueryTimeoutError:
    """The one wording of a stopped statement, with the limit it ran past when known.

    (Without a known limit, the server's own ``max_statement_time`` stopped it.)
    """
    limit = (
        f"the engine's statement_timeout ({seconds:g} s)"
        if seconds is not None
        else "the server's time limit for a statement"
    )
    told = f" ({detail})" if detail else ""
    return QueryTimeoutError(
        f"A statement on {where} ran past {limit} and was stopped{told}. Raise "
        "statement_timeout= or narrow the query (filter by novel_id)."
    )


class LockTimeoutError(NovelkitError):
    """The database stayed locked by another connection longer than the busy timeout."""


class UnknownObjectError(NovelkitError, LookupError):
    """A novel, table or column that does not exist in this database."""


class StoredValueWarning(UserWarning):
    """Some stored values could not be converted (e.g. text that is not JSON); kept as stored."""


class MissingFontWarning(UserWarning):
    """No CJK font is installed: Chinese labels in charts will not render."""
