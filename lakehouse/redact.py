"""Keep secrets out of what is printed or logged."""

from __future__ import annotations

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
