"""The descriptions of the keywords several loaders share, written once.

A loader's docstring names each in its Parameters section by a ``{{name}}``
line, and :func:`parameter_docs` hands the texts to
:func:`novelkit._docstrings.shared_sections`, so ``help()`` (the facade's
methods' too) describes every keyword while each text has one home.
"""

from __future__ import annotations

__all__ = ["parameter_docs"]

_PARAMETERS = {
    "extra_columns": """
        extra_columns
            Keep columns a fork added (returned as stored), after the known ones.
        """,
    "server_timezone": """
        server_timezone
            The zone naive stored timestamps are in (IANA name or ``+08:00``). By
            default the MySQL session's zone, measured, and UTC on SQLite, where the
            app writes UTC; give it for a fork that stores local time.
        """,
    "parse_json": """
        parse_json
            Parse the JSON text columns into Python objects (False: the stored text).
        """,
    "flatten_json": """
        flatten_json
            With ``parse_json``, spread each JSON object column into one column per
            key, named ``column.key``.
        """,
    "include_secrets": """
        include_secrets
            Return password hashes, API keys and secret-looking ``system_configs``
            values as stored instead of redacted.
        """,
    "columns": """
        columns
            The columns to read, checked against the table (None: every column).
        """,
}


def parameter_docs(*names: str) -> dict[str, str]:
    """The shared descriptions of ``names``, for ``shared_sections(**parameter_docs(...))``.

    Examples
    --------
    >>> sorted(parameter_docs("server_timezone", "columns"))
    ['columns', 'server_timezone']
    """
    return {name: _PARAMETERS[name] for name in names}
