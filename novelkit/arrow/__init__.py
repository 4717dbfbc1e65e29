"""The Arrow path: native readers (ADBC, connectorx) and polars/Arrow outputs.

Installed with ``pip install 'novelkit[fast]'``; every loader, SQL and
story-text function takes ``fast=`` and ``to=`` (see :mod:`._choice` and
:mod:`._output`).
"""

from ._output import OUTPUTS, Output, convert_output
from ._reasons import fast_installed

__all__ = ["OUTPUTS", "Output", "convert_output", "fast_installed"]
