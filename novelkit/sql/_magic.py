"""``%load_ext novelkit``: the ``%nksql`` line magic and the ``%%nksql`` cell magic.

::

    %nksql SELECT title FROM novel_projects WHERE status = :status
    %%nksql -o per_novel --db db
    SELECT project_id, COUNT(*) AS chapters FROM chapters GROUP BY project_id

``:name`` placeholders take their values from the notebook's variables, bound
through :func:`novelkit.load_sql` (never written into the SQL); IPython's own
``{name}`` and ``$name`` expansion is turned off for the line. The query runs
on the NovelDB named by ``--db``, else on the most recent open
:func:`novelkit.connect` in the notebook, else on the embedded demo database.
The result is returned, so it shows as a DataFrame; ``-o NAME`` also stores it
in the variable ``NAME``. IPython is imported only when the extension loads.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "parse_magic_line"]

_USAGE = (
    "Usage: %nksql [-o NAME] [--db NAME] QUERY, or %%nksql [-o NAME] [--db NAME] with the "
    "query in the cell."
)


_OPTIONS = {"-o": "out", "--out": "out", "--db": "db"}
_ACCEPTED = "-o NAME (or --out NAME) and --db NAME"


def parse_magic_line(line: str) -> tuple[dict[str, str], str]:
    """Split a magic's line into its options (``-o``, ``--db``) and the query after them.

    The query is kept exactly as written (it is not split into words, so its
    quotes and spaces are the database's business). An unknown option, or an
    option without a variable name, is a :class:`ValueError` whose message
    says what to write.

    Examples
    --------
    >>> parse_magic_line("-o df --db db2 SELECT 'a  b' AS x")
    ({'out': 'df', 'db': 'db2'}, "SELECT 'a  b' AS x")
    """
    options: dict[str, str] = {}
    rest = line.strip()
    while rest.startswith("-"):
        flag, _, after = rest.partition(" ")
        key = _OPTIONS.get(flag)
        if key is None:
            # Only the flag: the word after it is likely the query's, not a value.
            raise ValueError(f"unknown option {flag}; the options are {_ACCEPTED}")
        value, _, rest = after.strip().partition(" ")
        if not value.isidentifier():
            shown = repr(value) if value else "nothing"
            raise ValueError(f"{flag} takes a variable name, not {shown}")
        options[key] = value
        rest = rest.strip()
    return options, rest


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%nksql`` and ``%%nksql`` (called by ``%load_ext novelkit``).

    Examples
    --------
    In a notebook cell::

        %load_ext novelkit
        status = "completed"
        %nksql SELECT title FROM novel_projects WHERE status = :status
    """
    ipython.register_magics(_magics_class()(ipython))


def _magics_class() -> type:
    # IPython is imported only here, when a notebook loads the extension.
    from IPython.core.error import UsageError
    from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand

    from ..errors import NovelkitError
    from ..facade import NovelDB, connect
    from ._params import placeholder_names

    @magics_class
    class NovelkitMagics(Magics):  # type: ignore[misc]
        """The ``nksql`` magics; holds the demo connection it opened, if any."""

        def __init__(self, shell: Any) -> None:
            super().__init__(shell)
            self._demo: NovelDB | None = None

        def _namespace(self) -> dict[str, Any]:
            shell = self.shell
            return shell.user_ns if shell is not None else {}

        def _database(self, name: str | None) -> NovelDB:
            namespace = self._namespace()
            if name is not None:
                chosen = namespace.get(name)
                if not isinstance(chosen, NovelDB):
                    raise UsageError(
                        f"--db {name}: the notebook has no NovelDB called {name!r}; "
                        f"assign one first ({name} = novelkit.connect(...))."
                    )
                if chosen.closed:
                    raise UsageError(f"--db {name}: that NovelDB is closed; connect again.")
                return chosen
            open_ones = [
                v
                for k, v in namespace.items()
                if not k.startswith("_") and isinstance(v, NovelDB) and not v.closed
            ]
            if open_ones:
                return max(open_ones, key=lambda db: db.serial)
            if self._demo is None or self._demo.closed:
                self._demo = connect()
            return self._demo

        def _params(self, query: str, dialect: str) -> dict[str, Any]:
            namespace = self._namespace()
            names = placeholder_names(query, dialect)  # type: ignore[arg-type]
            missing = [n for n in names if n not in namespace]
            if missing:
                listed = ", ".join(f":{n}" for n in missing)
                raise UsageError(
                    f"The query has {listed}, but the notebook has no variable of that name; "
                    f"assign it first (e.g. {missing[0]} = ...)."
                )
            return {n: namespace[n] for n in names}

        # IPython would otherwise format ``{name}`` and ``$name`` from the notebook into
        # the line before the magic sees it: values would become SQL text, not bound.
        @no_var_expand
        @line_cell_magic  # type: ignore[misc]
        def nksql(self, line: str, cell: str | None = None) -> Any:
            """Run a read-only SQL query on a novelkit database; returns a DataFrame.

            ``%nksql [-o NAME] [--db NAME] QUERY`` or, with the query in the
            cell, ``%%nksql [-o NAME] [--db NAME]``. ``:name`` placeholders
            take the values of the notebook's variables, bound.
            """
            try:
                options, query = parse_magic_line(line)
            except ValueError as exc:
                raise UsageError(f"nksql: {exc}. {_USAGE}") from None
            if cell is not None:
                if query:
                    raise UsageError(
                        f"%%nksql takes options on its line, the query below. {_USAGE}"
                    )
                query = cell
            if not query.strip():
                raise UsageError(f"nksql: no query given. {_USAGE}")
            try:
                db = self._database(options.get("db"))
                frame = db.sql(query, self._params(query, db.backend) or None)
            except NovelkitError as exc:
                # One line, as the CLI shows it: the message says what to do.
                raise UsageError(f"{type(exc).__name__}: {exc}") from None
            if "out" in options:
                self._namespace()[options["out"]] = frame
            return frame

    return NovelkitMagics
