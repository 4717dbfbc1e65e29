"""What the LLM produced: concept dialogues, version metadata, evaluation feedback.

Shapes follow the app (see the schema reference, section 1.6): user turns are
the frontend's ``{"id", "value"}``, assistant turns a JSON object with
``ai_message``, ``ui_control``, ``conversation_state`` and ``is_complete``;
version metadata repeats the chapter text as the app's raw LLM result does.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ._project import ProjectState

__all__ = ["conversation_rows", "evaluation_row", "version_metadata"]

_FEEDBACK_PROS = ("场景描写细腻", "对白贴合人设", "冲突推进自然", "伏笔处理巧妙")
_FEEDBACK_CONS = ("中段节奏略拖", "个别用词重复", "结尾略显仓促")


def conversation_rows(b: ProjectState) -> None:
    """The concept dialogue: ``{id, value}`` answers and JSON assistant replies."""
    spec, rng = b.spec, b.rng
    turns = {"bare": 1, "empty": 2, "flagship": 6}.get(spec.showcase or "", 0)
    turns = turns or rng.randint(*b.scale.turns)
    complete = spec.status != "draft"
    seq = 0
    for turn in range(turns):
        if turn == 0:
            answer: dict[str, Any] = {"id": None, "value": None}
        elif rng.random() < 0.5:
            answer = {"id": f"option_{rng.randint(1, 4)}", "value": b.prose.outline_title()}
        else:
            answer = {"id": "text_input", "value": b.prose.summary((1, 2))}
        last = turn == turns - 1
        options = None
        kind = "info_display" if last and complete else rng.choice(("single_choice", "text_input"))
        if kind == "single_choice":
            options = [
                {"id": f"option_{i}", "label": f"{'ABCD'[i - 1]}) {b.prose.outline_title()}"}
                for i in range(1, 5)
            ]
        reply = {
            "ai_message": b.prose.summary((1, 3)),
            "ui_control": {
                "type": kind,
                "options": options,
                "placeholder": "描述你的灵感火花……" if kind == "text_input" else None,
            },
            "conversation_state": {"checklist": {"spark": True, "genre": turn > 0}},
            "is_complete": last and complete,
        }
        indent = 2 if rng.random() < 0.5 else None
        for role, content in (
            ("user", json.dumps(answer, ensure_ascii=False)),
            ("assistant", json.dumps(reply, ensure_ascii=False, indent=indent)),
        ):
            seq += 1
            b.rows["novel_conversations"].append(
                {
                    "id": b.ids.take("novel_conversations"),
                    "project_id": spec.id,
                    "seq": seq,
                    "role": role,
                    "content": content,
                    "metadata": None,  # never written upstream: the JSON text null
                    "created_at": b.tick(0.5),
                }
            )


def version_metadata(b: ProjectState, text: str, title: str, versions: int, best: bool) -> Any:
    """``chapter_versions.metadata``: the raw LLM result (classic or HEAD shape)."""
    rng = b.rng
    if b.spec.showcase == "imported":
        return {"source": "file_import"}
    with_text = rng.random() < b.scale.metadata_text_ratio
    if not b.fusion:
        meta: dict[str, Any] = {"title": title, "summary": b.prose.summary((1, 2))}
        if with_text:
            meta["full_content"] = text
        return meta
    meta = {"content": text} if with_text else {}
    meta["parsed_json"] = None
    meta["guardrail"] = {"passed": rng.random() < 0.9, "violations": []}
    meta["chapter_mission"] = {
        "pov": b.prose.hero,
        "macro_beat": rng.choice("EFPC"),
        "emotion_target": {
            "type": rng.choice(("期待", "紧张", "悲伤")),
            "intensity": rng.randint(3, 9),
        },
        "forbidden": ["禁止跨章总结", "禁止使用全知视角（与此同时/另一边/殊不知）"],
    }
    if versions > 1:
        meta["ai_review"] = {
            "is_best": best,
            "scores": {"immersion": rng.randint(5, 10), "pacing": rng.randint(5, 10)},
            "evaluation": None,
            "flaws": None,
            "suggestions": None,
        }
    return meta


def evaluation_row(
    b: ProjectState, chapter_id: int, version_id: int, versions: int, moment: datetime
) -> None:
    """One ``chapter_evaluations`` row with the decision vocabulary of the generation."""
    rng = b.rng
    decisions = ("reviewed", "skipped", "failed", None)
    if not b.fusion:
        decision = None  # classic never writes a decision
    elif b.spec.showcase == "flagship":
        decision = decisions[len(b.rows["chapter_evaluations"]) % len(decisions)]
    else:
        decision = rng.choices(decisions, (0.7, 0.1, 0.1, 0.1))[0]
    if decision == "failed":
        feedback: str | None = (
            "评审失败: AI 未返回有效内容（结束原因: length），请稍后重试或联系管理员"
        )
    elif decision == "skipped":
        feedback = None
    else:
        review = {
            "best_choice": rng.randint(1, versions),
            "reason_for_choice": "该版本在人物一致性与伏笔处理上更胜一筹，叙事节奏也更稳。",
            "evaluation": {
                f"version{i}": {
                    "pros": rng.sample(_FEEDBACK_PROS, k=rng.randint(1, 3)),
                    "cons": rng.sample(_FEEDBACK_CONS, k=rng.randint(0, 2)),
                    "overall_review": "整体完成度较高。",
                }
                for i in range(1, versions + 1)
            },
        }
        feedback = json.dumps(review, ensure_ascii=False, indent=2)
        if rng.random() < 0.4:
            feedback = f"```json\n{feedback}\n```"
    b.rows["chapter_evaluations"].append(
        {
            "id": b.ids.take("chapter_evaluations"),
            "chapter_id": chapter_id,
            "version_id": version_id,
            "decision": decision,
            "feedback": feedback,
            "score": None,
            "created_at": moment + timedelta(minutes=2),
        }
    )
