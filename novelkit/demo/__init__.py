"""The demo database: deterministic, realistic Arboris data with real-world quirks.

:func:`build_demo` (and :func:`build_demo_async`) writes one on SQLite or MySQL;
:func:`ensure_default_demo` keeps the embedded default up to date. The private
modules: ``_text`` (Chinese prose), ``_plan`` (scales and projects), ``_project``
(one project's build state), ``_rows``, ``_llm``, ``_fusion`` and ``_system``
(row builders), ``_write`` (bulk inserts), ``_build`` (backends, atomic replace,
lock), ``_api`` (the entry points) and ``_marker`` (how a demo is recognised).
"""

from __future__ import annotations

from ._api import build_demo, build_demo_async, ensure_default_demo, resolve_and_prepare
from ._build import DemoSummary
from ._marker import (
    APPLICATION_ID,
    DEMO_MARKER_KEY,
    GENERATOR_VERSION,
    MARKER_FIELDS,
    read_demo_marker,
)
from ._plan import SCALES

__all__ = [
    "APPLICATION_ID",
    "DEMO_MARKER_KEY",
    "GENERATOR_VERSION",
    "MARKER_FIELDS",
    "SCALES",
    "DemoSummary",
    "build_demo",
    "build_demo_async",
    "ensure_default_demo",
    "read_demo_marker",
    "resolve_and_prepare",
]
