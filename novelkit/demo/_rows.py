"""Rows of one demo project, shaped as the Arboris app writes them.

Rows are plain dicts keyed by column name. Python values are converted by the
writer (:mod:`novelkit.demo._write`): a ``None`` in a JSON column becomes the
JSON text ``null`` (what the app's ORM stores), a missing key becomes SQL NULL.
Every id is assigned here, from :class:`Ids`, so the data does not depend on
the backend's autoincrement.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ._llm import conversation_rows, evaluation_row, version_metadata
from ._project import ProjectState, Row, Rows, touched
from ._text import MIXED_TITLES

__all__ = ["ProjectBuilder"]


_IDENTITIES = (
    "主角",
    "青梅竹马",
    "宿敌",
    "导师",
    "情报贩子",
    "神秘少女",
    "师兄",
    "老搭档",
    "反派头目",
)
_TRAITS = (
    "嘴硬心软，习惯用玩笑掩饰焦虑",
    "冷静克制，原则性极强",
    "毒舌，偶尔流露出孩子气",
    "温文尔雅，手段狠辣",
    "沉默寡言，重情重义",
    "精明世故，见风使舵",
)
_GOALS = ("查清当年的真相", "守护身边的人", "复仇", "活下去，然后变强", "找到失踪的亲人")
_VERSION_COUNTS = (1, 2, 3)
_VERSION_WEIGHTS = (0.2, 0.6, 0.2)
_OPEN_STATUSES = ("waiting_for_confirm", "evaluating", "selecting", "evaluation_failed")


class ProjectBuilder(ProjectState):
    """Builds every row of one project (and its chapters, versions, conversations...).

    Made like its base, :class:`~novelkit.demo._project.ProjectState`;
    :meth:`build` returns the rows by table.
    """

    def build(self) -> Rows:
        """All rows of the project, keyed by table."""
        spec = self.spec
        created = spec.created_at
        self.rows["novel_projects"].append(
            {
                "id": spec.id,
                "user_id": spec.user_id,
                "title": spec.title,
                "initial_prompt": "导入自文件: 雾港旧事.txt"
                if spec.showcase == "imported"
                else self.rng.choice(("开始灵感模式", "开始灵感模式", None)),
                "status": spec.status,
                "created_at": created,
                "updated_at": created,
            }
        )
        if spec.showcase != "imported":
            conversation_rows(self)
        if spec.showcase != "bare":
            self._blueprint()
        self._outlines()
        self._chapters()
        if spec.status != "draft" and spec.showcase not in ("imported", "bare"):
            # NovelService._touch_project: a Python datetime, stored with microseconds.
            self.rows["novel_projects"][0]["updated_at"] = touched(self.tick(3), self.rng)
        return self.rows

    # -- blueprint -----------------------------------------------------------------

    def _blueprint(self) -> None:
        spec, rng, prose = self.spec, self.rng, self.prose
        world = spec.world
        moment = self.tick(2)
        if spec.status == "draft":
            # The empty row create_project makes; world_setting None is stored as null.
            self.rows["novel_blueprints"].append(
                {
                    "project_id": spec.id,
                    "world_setting": None,
                    "created_at": spec.created_at,
                    "updated_at": spec.created_at,
                }
            )
            return
        setting = prose.setting()
        if spec.showcase == "imported":
            setting["core_rules"] = ""
            setting["magic_system"] = ""
        synopsis = "\n\n".join(prose.summary((3, 5)) for _ in range(rng.randint(2, 4)))
        self.rows["novel_blueprints"].append(
            {
                "project_id": spec.id,
                "title": spec.title,
                "target_audience": world.audience,
                "genre": world.genre,
                "style": world.style,
                "tone": world.tone,
                "one_sentence_summary": prose.summary((1, 1)),
                "full_synopsis": synopsis,
                "world_setting": setting,
                "created_at": spec.created_at,
                "updated_at": moment,
            }
        )
        names = [prose.hero, *prose.cast]
        for position, name in enumerate(names):
            self.characters[name] = character_id = self.ids.take("blueprint_characters")
            extra: Any = rng.choice(
                (
                    {},
                    {},
                    None,
                    {"age": rng.randint(16, 70)},
                    {"tags": ["反派", "unreliable narrator"]},
                )
            )
            self.rows["blueprint_characters"].append(
                {
                    "id": character_id,
                    "project_id": spec.id,
                    "name": name,
                    "identity": "主角" if position == 0 else rng.choice(_IDENTITIES[1:]),
                    "personality": rng.choice(_TRAITS),
                    "goals": rng.choice(_GOALS),
                    "abilities": prose.summary((1, 1)) if rng.random() < 0.7 else None,
                    "relationship_to_protagonist": "主角本人"
                    if position == 0
                    else prose.summary((1, 1)),
                    "extra": extra,
                    "position": position,
                }
            )
        # Relationships name characters (sometimes one the character list lacks).
        for position in range(rng.randint(2, 5)):
            other = rng.choice([*names[1:], "老K", "无名氏"])
            pair = (names[0], other) if rng.random() < 0.7 else (other, names[0])
            self.rows["blueprint_relationships"].append(
                {
                    "id": self.ids.take("blueprint_relationships"),
                    "project_id": spec.id,
                    "character_from": pair[0],
                    "character_to": pair[1],
                    "description": rng.choice(
                        ("始于互相利用，终于彼此托付", "亦敌亦友", "师徒", None)
                    ),
                    "position": position,
                }
            )

    # -- outlines ------------------------------------------------------------------

    def _outline(self, number: int, title: str, summary: str | None) -> None:
        row: Row = {
            "id": self.ids.take("chapter_outlines"),
            "project_id": self.spec.id,
            "chapter_number": number,
            "title": title,
            "summary": summary,
        }
        if self.fusion:
            roll = self.rng.random()
            if roll < 0.15:
                row["metadata"] = {
                    "narrative_phase": self.rng.choice(("事件", "势力", "挑衅1", "回击1", "过渡")),
                    "foreshadowing": {"plant": [self.prose.summary((1, 1))], "payoff": []},
                    "emotion_hook": self.rng.choice(("被欺压后的报复", "遗憾的弥补", None)),
                }
            elif roll < 0.2:
                row["metadata"] = None  # JSON text null next to SQL NULL
        self.rows["chapter_outlines"].append(row)

    def _outlines(self) -> None:
        spec, rng, prose = self.spec, self.rng, self.prose
        for number in range(1, spec.outlines + 1):
            title = prose.outline_title()
            if spec.showcase == "mixed" or (spec.showcase is None and rng.random() < 0.02):
                title = MIXED_TITLES[(number + spec.index) % len(MIXED_TITLES)]
            summary: str | None = prose.summary()
            if spec.showcase == "flagship" and number == 30:
                summary = None
            elif spec.showcase == "flagship" and number == 31:
                summary = ""
            elif rng.random() < 0.03:
                summary = rng.choice((None, ""))
            self._outline(number, title, summary)
            if (spec.showcase == "flagship" and number == 4) or (
                spec.showcase is None and rng.random() < 0.01
            ):
                # A second outline row for the same chapter (no unique key in the ORM).
                self._outline(number, prose.outline_title(), prose.summary())

    # -- chapters ------------------------------------------------------------------

    def _chapters(self) -> None:
        spec = self.spec
        outline_titles = {r["chapter_number"]: r["title"] for r in self.rows["chapter_outlines"]}
        for number in range(1, spec.written + 1):
            title = outline_titles.get(number) or self.prose.outline_title()
            self._chapter(number, title, *self._chapter_plan(number))
            if spec.showcase == "flagship" and number == 3:
                # A duplicate row for chapter 3, created by a second generate request.
                self._chapter(number, title, "waiting_for_confirm", 2, False)

    def _chapter_plan(self, number: int) -> tuple[str, int, bool]:
        """(status, number of versions, selected?) for chapter ``number``."""
        spec, rng = self.spec, self.rng
        if spec.showcase == "imported":
            return "successful", 1, True
        if spec.showcase == "flagship":
            return {
                5: ("waiting_for_confirm", 2, True),  # selected, status never advanced
                7: ("successful", 1, True),  # the very long chapter
                10: ("waiting_for_confirm", 2, False),
                11: ("evaluation_failed", 3, False),
                12: ("generating", 0, False),  # stuck: the request died
            }.get(number, ("successful", 2, True))
        if spec.showcase == "mixed":
            return {3: ("selecting", 2, False), 4: ("failed", 0, False)}.get(
                number, ("successful", 2, True)
            )
        if spec.showcase is None and rng.random() >= self.scale.text_ratio:
            status = rng.choices(("not_generated", "failed", "generating"), (0.85, 0.1, 0.05))[0]
            return status, 0, False
        versions = rng.choices(_VERSION_COUNTS, _VERSION_WEIGHTS)[0]
        if spec.status == "writing" and number == spec.written and rng.random() < 0.6:
            return rng.choice(_OPEN_STATUSES), versions, False
        return "successful", versions, True

    def _chapter(self, number: int, title: str, status: str, versions: int, selected: bool) -> None:
        spec, rng = self.spec, self.rng
        chapter_id = self.ids.take("chapters")
        self.chapter_ids.setdefault(number, chapter_id)
        created = self.tick(rng.randint(20, 240))
        texts = []
        for _ in range(versions):
            if spec.showcase == "flagship" and number == 7:
                length = self.scale.long_chapter
            else:
                length = rng.randint(2000, 5800)
            text = self.prose.chapter(number, title, length, heading=rng.random() < 0.8)
            if spec.showcase == "imported":
                text = text.replace("\n", "\r\n")
            texts.append(text)
        version_ids = [self.ids.take("chapter_versions") for _ in texts]
        chosen = rng.randrange(versions) if selected and versions else None
        for label, (version_id, text) in enumerate(zip(version_ids, texts, strict=True), 1):
            self.rows["chapter_versions"].append(
                {
                    "id": version_id,
                    "chapter_id": chapter_id,
                    "version_label": f"v{label}",
                    "content": text,
                    "metadata": version_metadata(self, text, title, versions, label - 1 == chosen),
                    "created_at": created + timedelta(seconds=30 * label),
                }
            )
        if versions >= 2 and (spec.showcase == "flagship" or rng.random() < 0.5):
            evaluation_row(self, chapter_id, version_ids[chosen or 0], versions, created)
        self.rows["chapters"].append(
            {
                "id": chapter_id,
                "project_id": spec.id,
                "chapter_number": number,
                "real_summary": self.prose.summary() if chosen is not None else None,
                "status": status,
                "word_count": len(texts[chosen]) if chosen is not None else 0,
                "selected_version_id": version_ids[chosen] if chosen is not None else None,
                "created_at": created,
                "updated_at": created + timedelta(minutes=rng.randint(1, 30)),
            }
        )
