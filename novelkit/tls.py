"""TLS to MySQL/MariaDB: ``ssl_ca``, ``ssl_cert`` and ``ssl_key`` become an SSLContext.

They come from :func:`novelkit.create_engine` keywords or from the URL's query
(``?ssl_ca=/path/ca.pem&ssl_cert=...&ssl_key=...``, the names SQLAlchemy's MySQL
dialects use); a keyword wins over the same name in the URL. The context is built
once, when the engine is created, so a missing or unreadable file fails at once.
With a CA the server's certificate is verified, host name included (turn the
host check off with ``?ssl_check_hostname=false``): a server whose certificate
that CA did not sign is refused, never used unverified.
"""

from __future__ import annotations

import os
import ssl
from typing import NoReturn

from sqlalchemy.engine import URL

from .errors import ConfigurationError

__all__ = ["TLS_OPTIONS", "tls_context"]

#: The TLS settings novelkit reads from keywords or the URL query.
TLS_OPTIONS = ("ssl_ca", "ssl_cert", "ssl_key")

_FALSE = {"0", "false", "no", "off"}


def _encrypted_key() -> NoReturn:
    # Called by OpenSSL instead of prompting on the terminal for a passphrase.
    raise ConfigurationError(
        "ssl_key is encrypted with a passphrase; give novelkit an unencrypted key file "
        "(e.g. 'openssl pkey -in key.pem -out plain-key.pem')."
    )


def _query_value(url: URL, name: str) -> str | None:
    value = url.query.get(name)
    if isinstance(value, tuple):
        value = value[-1] if value else None
    return value


def tls_context(url: URL, given: dict[str, str | os.PathLike[str] | None]) -> ssl.SSLContext | None:
    """The SSLContext for ``url`` and the TLS keywords in ``given``, or None without TLS."""
    options: dict[str, str] = {}
    for name in TLS_OPTIONS:
        value = given.get(name)
        if value is None:
            value = _query_value(url, name)
        if value is not None and str(value) != "":
            options[name] = os.fspath(value)
    if not options:
        return None
    if "ssl_key" in options and "ssl_cert" not in options:
        raise ConfigurationError(
            "ssl_key was given without ssl_cert; a client key needs its certificate "
            "(give both, or neither)."
        )
    ca = options.get("ssl_ca")
    try:
        context = ssl.create_default_context(cafile=ca)
        if "ssl_cert" in options:
            context.load_cert_chain(
                options["ssl_cert"], keyfile=options.get("ssl_key"), password=_encrypted_key
            )
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"TLS file not found: {exc.filename}. Check ssl_ca/ssl_cert/ssl_key "
            "(paths on this machine, readable by this user)."
        ) from exc
    except (ssl.SSLError, OSError) as exc:
        raise ConfigurationError(
            f"Cannot load the TLS files (ssl_ca={ca!r}, ssl_cert={options.get('ssl_cert')!r}, "
            f"ssl_key={options.get('ssl_key')!r}): {type(exc).__name__}. Give PEM files: "
            "the CA certificate, the client certificate and its unencrypted key."
        ) from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    check_hostname = _query_value(url, "ssl_check_hostname")
    if check_hostname is not None and check_hostname.strip().lower() in _FALSE:
        context.check_hostname = False  # still CERT_REQUIRED: the chain is verified
    return context
