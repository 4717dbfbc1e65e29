"""Rows outside the projects: users, settings, prompts, usage counters, orphans.

Secrets are fake but shaped like the real thing (bcrypt ``$2b$12$`` hashes,
``sk-`` keys, an SMTP password), so redaction can be tested on the demo.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from ..schema.tables import Generation
from ._marker import DEMO_MARKER_KEY, marker_value
from ._plan import BASE_TIME, Scale, project_uuid
from ._project import Ids, Rows
from ._text import WORLDS, ProseWriter

__all__ = ["orphan_rows", "system_rows", "usage_rows"]

_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_NAMES = (
    "lin_yue",
    "chen_mo",
    "Amy_Wang",
    "wang_xiaoyu",
    "zhao_lei",
    "sun_qing",
    "li_hua",
    "Kevin_Z",
    "momo",
    "夜行者",
    "zhou_yi",
    "xu_ran",
)
_CLASSIC_PROMPTS = ("concept", "evaluation", "extraction", "outline", "screenwriting", "writing")
_FUSION_PROMPTS = (
    "chapter_plan",
    "character_dna_guide",
    "concept",
    "constitution_check",
    "editor_review",
    "evaluation",
    "extraction",
    "faction_context",
    "foreshadowing_reminder",
    "import_analysis",
    "optimize_dialogue",
    "optimize_environment",
    "optimize_psychology",
    "optimize_rhythm",
    "outline_generation",
    "rewrite_guardrails",
    "screenwriting",
    "six_dimension_review",
    "writer_persona",
    "writing",
    "writing_v2",
)
_CONFIGS = (
    ("llm.api_key", "sk-demo-not-a-real-key-0000", "默认 LLM API Key，用于后台调用大模型。"),
    ("llm.base_url", "https://api.openai.com/v1", "默认大模型 API Base URL。"),
    ("llm.model", "gpt-4o-mini", "默认 LLM 模型名称。"),
    ("smtp.server", "smtp.example.com", "用于发送邮件验证码的 SMTP 服务器地址。"),
    ("smtp.port", "587", "SMTP 服务端口。"),
    ("smtp.username", "noreply@example.com", "SMTP 登录用户名。"),
    ("smtp.password", "demo-smtp-password-not-real", "SMTP 登录密码。"),
    ("smtp.from", "Arboris <noreply@example.com>", "邮件显示的发件人名称或邮箱。"),
    ("auth.allow_registration", "true", "是否允许用户自助注册。"),
    ("auth.linuxdo_enabled", "false", "是否启用 Linux.do OAuth 登录。"),
    ("linuxdo.client_id", "demo-client-id", "Linux.do OAuth Client ID。"),
    ("linuxdo.client_secret", "demo-linuxdo-secret-not-real", "Linux.do OAuth Client Secret。"),
    ("linuxdo.redirect_uri", "http://localhost:8000/api/auth/linuxdo/callback", "回调地址。"),
    ("linuxdo.auth_url", "https://connect.linux.do/oauth2/authorize", "授权地址。"),
    ("linuxdo.token_url", "https://connect.linux.do/oauth2/token", "Token 获取地址。"),
    ("linuxdo.user_info_url", "https://connect.linux.do/api/user", "用户信息地址。"),
    ("writer.chapter_versions", "2", "每次生成章节的候选版本数量。"),
)
_EMBEDDING_CONFIGS = (
    ("embedding.provider", "openai", "嵌入模型提供方。"),
    ("embedding.api_key", "sk-demo-embedding-key-not-real", "嵌入模型 API Key。"),
    ("embedding.base_url", "https://api.openai.com/v1", "嵌入模型 API Base URL。"),
    ("embedding.model", "text-embedding-3-small", "嵌入模型名称。"),
    ("embedding.model_vector_size", "1536", "向量维度。"),
)
_UPDATE_LOGS = (
    ("### v1.1.3\n- 修复章节评审状态卡住的问题\n- 新增伏笔追踪面板", "admin", False),
    ("🎉 新增「导入小说」功能，支持 txt 文件一键导入！", "admin", True),
    ("系统维护通知：本周六 02:00-04:00 暂停服务。", None, False),
)


def _bcrypt(rng: random.Random) -> str:
    return "$2b$12$" + "".join(rng.choices(_BCRYPT_ALPHABET, k=53))


def _username(index: int) -> str:
    if index < len(_NAMES):
        return _NAMES[index]
    return f"{_NAMES[index % len(_NAMES)]}_{index}"


def system_rows(scale: Scale, seed: int, generation: Generation) -> Rows:
    """Users, their LLM settings and daily requests, prompts, configs and update logs."""
    rng = random.Random(f"{seed}/system")
    rows: Rows = {}
    start = BASE_TIME - timedelta(days=1)
    users = [
        {
            "id": 1,
            "username": "admin",
            "hashed_password": _bcrypt(rng),
            "is_admin": True,
            "is_active": True,
            "created_at": start,
            "updated_at": start,
        }
    ]
    for user_id in range(2, scale.users + 1):
        name = _username(user_id - 2)
        moment = start + timedelta(hours=user_id, minutes=rng.randint(0, 59))
        oauth = user_id == 4
        users.append(
            {
                "id": user_id,
                "username": name,
                "email": None if oauth else f"{name.lower()}{user_id}@example.com",
                "hashed_password": _bcrypt(rng),
                "external_id": f"linuxdo:{10000 + user_id * 17}" if oauth else None,
                "is_admin": False,
                "is_active": user_id % 11 != 0,
                "created_at": moment,
                "updated_at": moment,
            }
        )
    rows["users"] = users
    own_keys = {3} | {u for u in range(5, scale.users + 1) if u % 9 == 0}
    rows["llm_configs"] = [
        {
            "user_id": 3,
            "llm_provider_url": "https://api.deepseek.com/v1",
            "llm_provider_api_key": "sk-demo-deepseek-not-real",
            "llm_provider_model": "deepseek-chat",
        },
        {
            "user_id": 4,
            "llm_provider_url": "https://api.openai.com/",
            "llm_provider_api_key": "",
            "llm_provider_model": "gpt-4o",
        },
    ] + [
        {
            "user_id": u,
            "llm_provider_url": "https://api.openai.com/v1",
            "llm_provider_api_key": f"sk-demo-{u:04d}-not-real",
            "llm_provider_model": "gpt-4o-mini",
        }
        for u in sorted(own_keys - {3})
    ]
    daily: list[dict[str, Any]] = []
    for user_id in range(2, scale.users + 1):
        if user_id in own_keys:
            continue  # users with their own key are not counted
        for day in range(scale.days):
            if rng.random() < 0.55:
                daily.append(
                    {
                        "id": len(daily) + 1,
                        "user_id": user_id,
                        "request_date": (BASE_TIME + timedelta(days=day)).date(),
                        "request_count": rng.randint(1, 120),
                    }
                )
    rows["user_daily_requests"] = daily
    names = _FUSION_PROMPTS if generation == "fusion" else _CLASSIC_PROMPTS
    rows["prompts"] = [
        {
            "id": i,
            "name": name,
            "title": None,
            "tags": None,
            "created_at": start,
            "updated_at": start,
            "content": f"# {name}\n\n你是一名资深的网络小说编辑。（{name} 提示词正文：从略）",
        }
        for i, name in enumerate(names, 1)
    ]
    configs = _CONFIGS + (_EMBEDDING_CONFIGS if generation == "fusion" else ())
    marker = marker_value(scale=scale.name, seed=seed, generation=generation)
    rows["system_configs"] = [
        {"key": key, "value": value, "description": description}
        for key, value, description in configs
    ] + [
        {
            "key": DEMO_MARKER_KEY,
            "value": json.dumps(marker),
            "description": "novelkit demo database (generated data, not an Arboris deployment)",
        }
    ]
    rows["admin_settings"] = [{"key": "daily_request_limit", "value": "100"}]
    rows["update_logs"] = [
        {
            "id": i,
            "content": content,
            "created_by": author,
            "is_pinned": pinned,
            "created_at": start + timedelta(minutes=i),
        }
        for i, (content, author, pinned) in enumerate(_UPDATE_LOGS, 1)
    ]
    return rows


def usage_rows(counts: dict[str, int]) -> Rows:
    """``usage_metrics``: the global counter of successful LLM calls, from what was written."""
    total = (
        counts.get("chapter_versions", 0)
        + counts.get("chapter_evaluations", 0)
        + counts.get("novel_conversations", 0) // 2
        + counts.get("chapters", 0)
    )
    return {"usage_metrics": [{"key": "api_request_count", "value": total}]}


def orphan_rows(
    ids: Ids, seed: int, *, evaluated_chapter: int, dangling_version: int, outline_metadata: bool
) -> Rows:
    """Rows whose parent is gone, as SQLite deployments accumulate them.

    A chapter (with its version) and an outline of a project that no longer
    exists, and an evaluation of ``evaluated_chapter`` naming the version id
    ``dangling_version``, which regeneration deleted.
    """
    rng = random.Random(f"{seed}/orphans")
    prose = ProseWriter(rng, WORLDS[0])
    project = project_uuid(rng)
    moment = BASE_TIME + timedelta(days=1)
    chapter_id, version_id = ids.take("chapters"), ids.take("chapter_versions")
    title = prose.outline_title()
    text = prose.chapter(1, title, 2400)
    outline = {
        "id": ids.take("chapter_outlines"),
        "project_id": project,
        "chapter_number": 1,
        "title": title,
        "summary": prose.summary(),
    }
    if outline_metadata:
        outline["metadata"] = None
    return {
        "chapter_outlines": [outline],
        "chapters": [
            {
                "id": chapter_id,
                "project_id": project,
                "chapter_number": 1,
                "real_summary": None,
                "status": "successful",
                "word_count": len(text),
                "selected_version_id": version_id,
                "created_at": moment,
                "updated_at": moment,
            }
        ],
        "chapter_versions": [
            {
                "id": version_id,
                "chapter_id": chapter_id,
                "version_label": "v1",
                "content": text,
                "metadata": None,
                "created_at": moment,
            }
        ],
        "chapter_evaluations": [
            {
                "id": ids.take("chapter_evaluations"),
                "chapter_id": evaluated_chapter,
                "version_id": dangling_version,
                "decision": None,
                "feedback": "版本已被重新生成",
                "score": None,
                "created_at": moment,
            }
        ],
    }
