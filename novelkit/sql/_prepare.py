"""Turn what a user gives (SQL text or a SQLAlchemy statement) into one checked statement.

Every way of running users' SQL goes through :func:`prepare`: the text is
checked as one read statement (:mod:`._classify`) when the engine is
read-only, placeholders are bound (:mod:`._params`), never formatted into the
text, and a SQLAlchemy statement is checked as its compiled SQL. What
:mod:`._dtypes` needs to type the result (the SQL text, the statement's typed
columns) comes along.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import TextClause

from ..db._facts import engine_facts
from ..errors import ConfigurationError, WrongTypeError

if TYPE_CHECKING:
    from ._lex import Dialect

__all__ = ["Prepared", "Query", "prepare"]

#: What load_sql accepts: SQL text, a ``text()`` clause, or a Core statement.
Query = str | sa.Executable

#: The values a placeholder may hold (after numpy scalars become Python values): what
#: both drivers bind, with SQLAlchemy's help for Decimal, time, timedelta and UUID.
#: asyncmy formats any other type as ``str(value)``, so a dict became the text
#: "{'x': 1}" on MySQL while SQLite refused it: refused here, before anything is sent.
_SCALARS = (
    str,
    int,  # (bool too)
    float,
    Decimal,
    bytes,
    dt.date,  # (datetime and pandas.Timestamp too)
    dt.time,
    dt.timedelta,
    uuid.UUID,
    np.datetime64,
    type(None),
)
_ACCEPTED = (
    "a str, int, float, Decimal, bool, bytes, None, a date, datetime, time or timedelta, "
    "a UUID, or a list, tuple or set of these"
)


@dataclass(frozen=True)
class Prepared:
    """A statement ready to execute, and what is known of its result columns.

    Attributes
    ----------
    statement
        The executable with every parameter bound.
    sql
        The SQL as the user wrote it (text queries), for reading where result
        columns come from; None for a Core statement.
    columns
        The statement's own result columns (a Core ``select``), typed; None
        for text.
    values
        The parameter values, so that error messages can withhold them.
    """

    statement: sa.Executable
    sql: str | None
    columns: Sequence[sa.ColumnElement[Any]] | None
    values: tuple[Any, ...]


def dialect_of(conn: Any) -> Dialect:
    """``"sqlite"`` or ``"mysql"`` for a connection (novelkit reads no other backend)."""
    name = conn.dialect.name
    if name not in ("sqlite", "mysql"):
        raise ConfigurationError(
            f"novelkit runs SQL on SQLite and MySQL/MariaDB, not {name!r}; open an Arboris "
            "database with novelkit.create_engine() or novelkit.connect()."
        )
    return name  # type: ignore[no-any-return]


def checks_read_only(conn: Any) -> bool:
    """Whether users' SQL is checked as read-only on ``conn``'s engine.

    Yes on every read-only engine, and on engines novelkit did not create
    (it cannot tell what they allow): only ``read_only=False`` turns it off.
    """
    facts = engine_facts(conn.engine)
    return facts is None or facts.read_only


def prepare(
    conn: Any,
    query: object,
    params: Mapping[str, Any] | None,
    zone: str | dt.tzinfo | None = None,
) -> Prepared:
    """Check and bind ``query`` for ``conn`` (an ``AsyncConnection``); see the module docstring.

    Datetimes are bound by the rules of :mod:`._times`, aware ones converted to
    ``zone`` (the zone stored times are read in; None: UTC).

    Raises
    ------
    ReadOnlyError
        The engine is read-only and the statement is not one read (the message
        says what was refused and why).
    ConfigurationError
        A placeholder without a value, a value without a placeholder, SQL that
        cannot be read; :class:`~novelkit.errors.WrongTypeError` for a query
        or params of the wrong type, or a value no database binds.
    """
    # Imported here: sqlglot loads on the first query, not with ``import novelkit``.
    from ._classify import check_users_sql
    from ._params import bind_text
    from ._times import bind_times

    dialect = dialect_of(conn)
    if params is not None and not isinstance(params, Mapping):
        raise WrongTypeError(
            f"params must be a mapping of placeholder names to values (a dict), not "
            f"{type(params).__name__}: write :name in the SQL and pass params={{'name': value}}."
        )
    check = checks_read_only(conn)
    if params is not None:
        params = {name: _bindable(name, value) for name, value in params.items()}
    values = tuple((params or {}).values())
    if isinstance(query, str):
        if check:
            check_users_sql(query, dialect)
        statement, texts = bind_times(bind_text(query, params, dialect), dialect, zone)
        return Prepared(statement, query, None, (*values, *texts))
    if isinstance(query, TextClause):
        statement = _bind_clause(query, params)
        if check:
            check_users_sql(_compiled_sql(statement, conn), dialect)
        statement, texts = bind_times(statement, dialect, zone)
        return Prepared(statement, query.text, None, (*values, *texts))
    if isinstance(query, sa.Executable) and isinstance(query, sa.sql.expression.ClauseElement):
        statement = _bind_clause(query, params)
        if check:
            # (text(...).columns(...) is a TextualSelect, a user's text all the same.)
            check_users_sql(_compiled_sql(statement, conn), dialect)
        statement, texts = bind_times(statement, dialect, zone)
        columns = getattr(query, "selected_columns", None)
        return Prepared(
            statement, None, list(columns) if columns is not None else None, (*values, *texts)
        )
    raise WrongTypeError(
        "query must be SQL text with :name placeholders, or a SQLAlchemy statement "
        f"(select(...), text(...)), not {type(query).__name__}."
    )


def _compiled_sql(statement: sa.Executable, conn: Any) -> str:
    return str(statement.compile(dialect=conn.dialect))  # type: ignore[attr-defined]


def _bindable(name: str, value: Any) -> Any:
    """``params[name]`` as a value both drivers bind, or a :class:`WrongTypeError` naming it.

    A list, tuple or set (an ``IN :name`` value) is checked item by item; its
    items may be tuples of values, for ``(a, b) IN :pairs``.
    """
    if isinstance(value, list | tuple | set | frozenset):
        items = [_item(name, item) for item in value]  # (a named tuple too)
        return set(items) if isinstance(value, set | frozenset) else items
    return _scalar(name, value, within=False)


def _item(name: str, item: Any) -> Any:
    if isinstance(item, list | tuple):  # a row of ``(a, b) IN :pairs``
        return tuple(_scalar(name, one, within=True) for one in item)
    return _scalar(name, item, within=True)


def _scalar(name: str, value: Any, *, within: bool) -> Any:
    converted = _python_value(value)
    if not isinstance(converted, _SCALARS):
        raise _not_bindable(name, converted, within=within)
    return converted


def _not_bindable(name: str, value: Any, *, within: bool) -> WrongTypeError:
    where = f"params[{name!r}] holds a value" if within else f"params[{name!r}] is"
    if isinstance(value, Mapping):
        hint = " For JSON text, pass json.dumps(value)."
    elif value is pd.NA:
        hint = " For a missing value, pass None."
    elif isinstance(value, Iterable) and not within:
        hint = f" For IN :{name}, pass list(value)."
    else:
        hint = ""
    return WrongTypeError(
        f"{where} of type {type(value).__name__!r}, which the database cannot bind; nothing "
        f"was sent.{hint} Accepted: {_ACCEPTED} (for IN :{name})."
    )


def _python_value(value: Any) -> Any:
    """A numpy scalar (a value taken from a DataFrame) as the Python value it holds.

    The drivers do not know numpy's types: SQLite bound a ``numpy.int64`` as its
    8 raw bytes, so ``WHERE id = :n`` quietly matched nothing. ``numpy.datetime64``
    is left to the datetime rules (``_times``). A ``bytearray`` or ``memoryview``
    becomes ``bytes`` (asyncmy would bind its repr as text).
    """
    if isinstance(value, np.generic) and not isinstance(value, np.datetime64):
        return value.item()
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def _bind_clause(statement: Any, params: Mapping[str, Any] | None) -> Any:
    """``statement`` with ``params`` bound by name, checked as :func:`bind_text` checks text."""
    binds = statement.compile().binds
    given = dict(params or {})
    unknown = [name for name in given if name not in binds]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        known = ", ".join(sorted(binds)) or "none"
        raise ConfigurationError(
            f"params has {listed} but the statement has no such parameter (it has: {known}); "
            "remove it from params."
        )
    missing = [
        name
        for name, bind in binds.items()
        if name not in given and bind.required and bind.value is None and bind.callable is None
    ]
    if missing:
        listed = ", ".join(f":{name}" for name in missing)
        raise ConfigurationError(
            f"The statement has {listed} but params gives no value for it; add it to params."
        )
    if not given:
        return statement
    bound: list[Any] = []
    for name, value in given.items():
        expanding = binds[name].expanding or isinstance(value, list | tuple | set | frozenset)
        bound.append(sa.bindparam(name, list(value) if expanding else value, expanding=expanding))
    if isinstance(statement, TextClause):
        return statement.bindparams(*bound)
    return _with_values(statement, {b.key: b.value for b in bound})


def _with_values(statement: Any, values: Mapping[str, Any]) -> Any:
    """A copy of ``statement`` whose binds hold ``values``, by name.

    What ``statement.params(values)`` did before SQLAlchemy 2.1, which keeps the
    values beside the statement instead: here the binds themselves hold them, so
    that :func:`._times.bind_times` sees (and converts) every value bound.
    """

    def set_value(bind: sa.BindParameter[Any]) -> None:
        if bind.key in values:
            bind.value = values[bind.key]
            bind.required = False

    return visitors.cloned_traverse(statement, {}, {"bindparam": set_value})
