"""The ``novelkit`` command line: the click group, and every command added to it. The
commands live by what they do: :mod:`._setup` (demo, lab), :mod:`._reading` (info,
novels, outlines, search, sql) and :mod:`._files` (export, export-text, snapshot).
How errors show is :mod:`._messages`; the shared options are :mod:`._options`; how
rows print is :mod:`._output`.
"""

from __future__ import annotations

import click

from .. import __version__
from ._files import export, export_text, snapshot
from ._messages import PasswordHidingGroup, warnings_in_one_line
from ._reading import info, novels, outlines, search, sql
from ._setup import demo, lab

__all__ = ["main"]


@click.group(cls=PasswordHidingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="novelkit")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Explore an Arboris Novel database (SQLite or MySQL) from Jupyter or the shell."""
    # One home for every command: the group's context outlives the command's.
    ctx.with_resource(warnings_in_one_line())


# click lists a group's commands by name, so the order here does not show.
for _command in (demo, info, novels, outlines, search, sql, export, export_text, snapshot, lab):
    main.add_command(_command)
