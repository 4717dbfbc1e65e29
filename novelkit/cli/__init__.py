"""The ``novelkit`` command line: a thin layer over the library.

``_commands`` holds the click group, which gathers the commands from ``_setup``
(demo, lab), ``_reading`` (info, novels, outlines, search, sql) and ``_files``
(export, export-text, snapshot); ``_database`` opens what a command reads,
``_options`` holds the options they share, ``_messages`` how errors and warnings
reach the user, ``_output`` and ``_table`` how rows print, ``_loop`` how a command
runs its coroutine (and what Ctrl-C leaves behind); ``_export``, ``_info``,
``_lab`` and ``_sql`` the work only the CLI does (files out, the text of
``novelkit info``, JupyterLab, a query).
"""

from ._commands import main

__all__ = ["main"]
