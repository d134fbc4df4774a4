"""Keep secrets out of what is printed or logged."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "****"


def mask_url(url: str) -> str:
    """Return `url` with its password (if any) replaced by ****; other parts unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:{MASK}@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


_URL_WITH_PASSWORD = re.compile(r"\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"\b(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """`text` with the passwords of URLs and of `password=...` settings replaced by ****."""
    text = _URL_WITH_PASSWORD.sub(rf"\g<1>{MASK}@", text)
    return _KEYWORD_PASSWORD.sub(rf"\g<1>{MASK}", text)
