"""Keeping passwords out of reprs, logs, echo output and error messages."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import URL

__all__ = ["mask_url", "scrub"]

# user:password@ inside any URL-looking text; used on strings we did not build.
# The password runs to the last '@' of the URL: an unencoded '@' in it must not
# leave its tail showing ('mysql://u:p@ss@host' is masked whole).
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s'\"]*:)(?P<pw>\S*)@(?=[^@\s]*(?:\s|$))"
)


def mask_url(url: URL | str) -> str:
    """Return ``url`` as text with its password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _URL_PASSWORD.sub(lambda m: m.group("head") + "***@", url)


def scrub(text: str, password: str | None) -> str:
    """Remove ``password`` (plain and URL-encoded forms) and URL passwords from ``text``."""
    text = mask_url(text)
    if password:
        for form in {password, quote(password, safe=""), quote_plus(password)}:
            if form:
                text = text.replace(form, "***")
    return text
