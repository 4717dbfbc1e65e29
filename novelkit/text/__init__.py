"""Query the chapter texts: search them, count who they mention, measure them.

The four async functions read a database's texts page by page and compare them
in Python (NFC, no SQL collation), so SQLite and MariaDB answer alike; each is
also a :class:`~novelkit.NovelDB` method (``db.search_text()``,
``await db.asearch_text()``). The private modules below them work on plain
strings and Arrow columns.
"""

from ._api import search_text, text_stats
from ._cast import NameList, Window, cooccurrence, mentions
from ._pages import Versions

__all__ = [
    "NameList",
    "Versions",
    "Window",
    "cooccurrence",
    "mentions",
    "search_text",
    "text_stats",
]
