"""A small Arboris database whose text-query answers are known by construction.

Written through SQLAlchemy Core with the classic schema, the same rows on SQLite and
MariaDB. The texts hold the hard cases: overlapping names, names at a text's very
start and end, CRLF line breaks, an emoji and a CJK Extension B ideograph (one code
point each), decomposed (NFD) text, full-width Latin letters, an empty text, a 1 MB
text, a chapter without a selected version, one without any version, and orphans
(a chapter whose novel is gone, a version whose chapter is gone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import novelkit
from novelkit.schema.tables import build_metadata

A, B, GONE = "p-a", "p-b", "p-gone"
T0 = dt.datetime(2025, 1, 1, 8, 0, 0)
T1 = dt.datetime(2025, 1, 2, 8, 0, 0)

#: 林墨然 at 0, 林墨 at 5 and at the very end (22), 苏晚 at 11, 老周 at 16.
C1 = "林墨然说，林墨来了。\n苏晚笑了，老周也笑了。林墨"
#: An emoji and U+20000 before 林墨 (at 2); full-width ＡＩ at 5 and ai at 8.
C4 = "😀\U00020000林墨，ＡＩ与ai。"
#: Stored decomposed: "Café" is four code points in NFC; 林墨 at 5 in NFC.
C5 = "Cafe\u0301 林墨"
#: A CRLF line break between 离开 and 门外.
C6 = "他转身离开\r\n门外下着雨。"
#: 1,000,000 code points, 林墨 at its very start and very end.
BIG = "林墨" + "风" * (1_000_000 - 4) + "林墨"
#: Dialogue in two kinds of quotes, two paragraphs (hand-counted in the tests).
C10 = "罗兰说：“林墨在吗？”\n\n「走吧。」罗兰答。"

# (id, project, number, selected version or None)
CHAPTERS = [
    (1, A, 1, 101),
    (2, A, 2, None),  # two versions, none selected yet
    (3, A, 3, 301),  # the selected text is empty
    (4, A, 4, 401),
    (5, A, 5, 501),
    (6, A, 6, 601),
    (7, A, 7, 701),
    (8, A, 8, None),  # no version at all
    (10, B, 1, 1001),
    (90, GONE, 1, 9001),  # orphan: its novel is gone
]
# (id, chapter, created_at, text)
VERSIONS = [
    (101, 1, T0, C1),
    (102, 1, T1, "苏晚独白。"),  # the newest of chapter 1, not selected
    (201, 2, T1, "旧稿：林墨。"),  # newer than 202 despite its lower id: the latest
    (202, 2, T0, "新稿？不，旧的。林墨然"),
    (301, 3, T0, ""),
    (302, 3, T0, "林墨"),  # same time as 301: the higher id is the latest
    (401, 4, T0, C4),
    (501, 5, T0, C5),
    (601, 6, T0, C6),
    (701, 7, T0, BIG),
    (1001, 10, T0, C10),
    (9001, 90, T0, "林墨"),
    (9101, 999, T0, "林墨"),  # orphan: its chapter is gone
]
CHARACTERS = [
    (1, A, "林墨", 0),
    (2, A, "林墨然", 1),
    (3, A, "苏晚", 2),
    (4, A, "   ", 3),  # blank: not a name
    (5, B, "罗兰", 0),
]
# (id, project, from, to): 老周 is no character of A, but a relationship names him.
RELATIONSHIPS = [(1, A, "林墨", "老周", 0), (2, A, "苏晚", "林墨", 1)]


async def build(url: Any) -> None:
    """Create the classic tables at ``url`` and write the rows above."""
    metadata = build_metadata("classic")
    t = metadata.tables
    engine = novelkit.create_engine(url, read_only=False, create=True)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            if conn.dialect.name == "mysql":
                # The orphans, and the chapters <-> versions cycle.
                await conn.exec_driver_sql("SET foreign_key_checks = 0")
            await conn.execute(
                sa.insert(t["users"]),
                [{"id": 1, "username": "author", "hashed_password": "x"}],
            )
            await conn.execute(
                sa.insert(t["novel_projects"]),
                [
                    {"id": pid, "user_id": 1, "title": title, "status": "writing"}
                    for pid, title in ((A, "甲"), (B, "乙"))
                ],
            )
            await conn.execute(
                sa.insert(t["chapters"]),
                [
                    {
                        "id": cid,
                        "project_id": pid,
                        "chapter_number": number,
                        "status": "successful" if selected else "waiting_for_confirm",
                        "word_count": 0,
                        "selected_version_id": selected,
                    }
                    for cid, pid, number, selected in CHAPTERS
                ],
            )
            await conn.execute(
                sa.insert(t["chapter_versions"]),
                [
                    {
                        "id": vid,
                        "chapter_id": cid,
                        "version_label": "v1",
                        "content": text,
                        "created_at": at,
                    }
                    for vid, cid, at, text in VERSIONS
                ],
            )
            await conn.execute(
                sa.insert(t["blueprint_characters"]),
                [
                    {"id": i, "project_id": pid, "name": name, "position": pos}
                    for i, pid, name, pos in CHARACTERS
                ],
            )
            await conn.execute(
                sa.insert(t["blueprint_relationships"]),
                [
                    {
                        "id": i,
                        "project_id": pid,
                        "character_from": a,
                        "character_to": b,
                        "position": pos,
                    }
                    for i, pid, a, b, pos in RELATIONSHIPS
                ],
            )
            if conn.dialect.name == "mysql":
                await conn.exec_driver_sql("SET foreign_key_checks = 1")
    finally:
        await engine.dispose()
