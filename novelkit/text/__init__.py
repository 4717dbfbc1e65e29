"""Text analytics on chapter prose: search, mentions, statistics and fast counts.

The modules here work on plain strings and Arrow columns, with no database: a
streamer feeds them page by page. The public functions are wired in later.
"""

__all__: list[str] = []
