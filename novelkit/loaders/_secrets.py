"""Which column and setting names are secrets, and hiding their values in loaded frames.

Split from :mod:`._query`: redaction is a job of its own (word lists, the rule
for ``token`` and ``<word> key``), applied by the raw loaders' one path.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["is_secret_name", "redact_secrets"]

REDACTED = "[redacted]"
#: Words that make a column (in any table) or a ``system_configs`` key a secret
#: (``hashed_password``, ``linuxdo.client_secret``, ``credentials``). A name is split
#: into words at ``.``, ``_``, ``-`` and camelCase; plurals are other words, so the
#: story's ``known_secrets`` and forks' ``total_tokens`` counts stay readable.
_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "credential", "credentials", "apikey", "privatekey"}
)
#: ``<word> key`` is a secret for these words (``api_key``, ``llm_provider_api_key``,
#: ``private_key``, ``client_key``), not ``sort_key`` or ``primary_key``.
_KEY_KINDS = frozenset(
    {"api", "private", "access", "client", "app", "secret", "signing", "encryption", "auth"}
)
#: A name with the word ``token`` is a secret (``access_token``, ``smtp.token``,
#: ``githubToken``, ``token_value``) unless it names something about a token.
_NOT_THE_TOKEN = frozenset(
    {
        "url",
        "uri",
        "endpoint",
        "usage",
        "count",
        "counts",
        "limit",
        "type",
        "expires",
        "expiry",
        "expire",
        "at",
        "ttl",
        "length",
        "used",
    }
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def is_secret_name(name: str) -> bool:
    """Whether a column or setting called ``name`` holds a secret (see above).

    >>> [is_secret_name(n) for n in ("llm.api_key", "githubToken", "total_tokens",
    ...                              "known_secrets", "linuxdo.token_url", "sort_key")]
    [True, True, False, False, False, False]
    """
    words = [w.lower() for w in _WORD.findall(name)]
    if _SECRET_WORDS.intersection(words):
        return True
    if any(w in ("key", "keys") and i and words[i - 1] in _KEY_KINDS for i, w in enumerate(words)):
        return True
    return "token" in words and not _NOT_THE_TOKEN.intersection(words)


def redact_secrets(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Hide password hashes, API keys and secret-looking system settings."""
    # Any column named like a secret, in any table (a fork's own tables too).
    columns = [c for c in frame.columns if is_secret_name(str(c))]
    for column in columns:
        frame[column] = frame[column].where(frame[column].isna(), REDACTED)
    if table == "system_configs" and {"key", "value"} <= set(frame.columns):
        secret = frame["key"].map(lambda key: isinstance(key, str) and is_secret_name(key))
        secret = secret.astype(bool)
        frame.loc[secret & frame["value"].notna(), "value"] = REDACTED
    return frame
