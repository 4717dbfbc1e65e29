"""The sync facade: ``novelkit.connect()`` and :class:`NovelDB`, for plain notebook cells.

``_noveldb`` holds the facade itself, ``_methods`` its loader methods (generated
by ``_generate`` from the loaders' signatures), ``_runners`` the two ways a
synchronous call reaches async code (a private loop thread, or nest-asyncio).
"""

from ._noveldb import NovelDB, connect

__all__ = ["NovelDB", "connect"]
