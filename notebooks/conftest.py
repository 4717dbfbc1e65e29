"""pytest settings for running these notebooks with nbval (``pytest --nbval notebooks/``).

nbval starts one Jupyter kernel per notebook with the environment of this pytest
process, so what is set here reaches the notebook code:

- progress bars are off (``NOVELKIT_PROGRESS=0``);
- an exact run (``--nbval``, outputs compared) isolates the kernels from the Arboris
  settings of the developer's shell, as ``tests/conftest.py`` does for the tests: the
  stored outputs come from the embedded demo database, so an exact run must read it.
  ``--nbval-lax`` keeps them, to run the notebooks on ``NOVELKIT_DATABASE_URL``;
- matplotlib's font cache exists before a kernel imports matplotlib (a first import
  would otherwise print "building the font cache" into a cell's output);
- the sanitize file named in ``pyproject.toml`` is found from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from novelkit.db import DATABASE_VARIABLES

os.environ["NOVELKIT_PROGRESS"] = "0"

def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    sanitize = getattr(option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).exists():
        candidate = config.rootpath / sanitize
        if candidate.exists():
            option.nbval_sanitize_with = str(candidate)
    if getattr(option, "nbval", False) and not getattr(option, "nbval_lax", False):
        for name in DATABASE_VARIABLES:
            os.environ.pop(name, None)
    if getattr(option, "nbval", False) or getattr(option, "nbval_lax", False):
        import matplotlib.font_manager  # noqa: F401  (builds the cache once)
