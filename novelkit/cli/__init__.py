"""The ``novelkit`` command line: a thin layer over the library.

``_commands`` holds the click group and every command, ``_options`` the options
they share, ``_messages`` how errors and warnings reach the user, ``_output`` and
``_table`` how rows print; ``_export``, ``_info``, ``_lab`` and ``_sql`` the work
only the CLI does (files out, the text of ``novelkit info``, JupyterLab, a query).
"""

from ._commands import main

__all__ = ["main"]
