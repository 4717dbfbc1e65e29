"""The demo database: deterministic, realistic Arboris data with real-world quirks.

:func:`build_demo` (and :func:`build_demo_async`) writes one on SQLite or MySQL;
:func:`ensure_default_demo` keeps the embedded default up to date. The modules:
``text`` (Chinese prose), ``plan`` (scales and projects), ``rows``, ``fusion``
and ``system`` (row builders), ``write`` (bulk inserts), ``build`` (backends,
atomic replace, lock) and ``marker`` (how a demo is recognised).
"""

from __future__ import annotations

from .api import build_demo, build_demo_async, ensure_default_demo, resolve_and_prepare
from .build import DemoSummary
from .marker import APPLICATION_ID, DEMO_MARKER_KEY, GENERATOR_VERSION
from .plan import SCALES

__all__ = [
    "APPLICATION_ID",
    "DEMO_MARKER_KEY",
    "GENERATOR_VERSION",
    "SCALES",
    "DemoSummary",
    "build_demo",
    "build_demo_async",
    "ensure_default_demo",
    "resolve_and_prepare",
]
