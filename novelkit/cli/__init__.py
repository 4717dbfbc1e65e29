"""The ``novelkit`` command line: a thin layer over the library.

``_commands`` holds the click group, its shared options and every command;
``_export``, ``_info`` and ``_lab`` the work only the CLI does (files out, the text
of ``novelkit info``, JupyterLab).
"""

from ._commands import main

__all__ = ["main"]
