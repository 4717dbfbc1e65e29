"""When novelkit draws a progress bar, and the bar itself (tqdm, imported lazily).

The rule, for every long call: an explicit ``progress=`` wins; else the
``NOVELKIT_PROGRESS`` variable (``0``/``false``/``no``/``off``/empty turn bars
off, anything else on; ``novelkit lab`` sets it to 1); else a bar shows on a
terminal, and, for calls that ask for it (the demo build), in a Jupyter kernel.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["progress_bar", "show_progress"]

_OFF = {"0", "false", "no", "off", ""}


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None  # type: ignore[attr-defined]
    return getattr(shell, "kernel", None) is not None


def show_progress(progress: bool | None, *, in_notebook: bool = False) -> bool:
    """Whether to draw a bar (see the module docstring for the rule)."""
    if progress is not None:
        return progress
    setting = os.environ.get("NOVELKIT_PROGRESS")
    if setting is not None:
        return setting.strip().lower() not in _OFF
    stream = sys.stderr
    if stream is not None and stream.isatty():
        return True
    return in_notebook and _in_kernel()


def progress_bar(progress: bool | None, *, in_notebook: bool = False, **options: Any) -> Any:
    """A tqdm bar, disabled when :func:`show_progress` says no (it then costs nothing)."""
    # tqdm.auto is imported here, not at module import: in a kernel without
    # ipywidgets merely importing it prints a warning into the first cell.
    from tqdm.auto import tqdm

    return tqdm(disable=not show_progress(progress, in_notebook=in_notebook), **options)
