"""Connections to the source PostgreSQL, configured or embedded, with masked errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse.errors import ConfigurationError, UnavailableError
from lakehouse.redact import mask_url
from lakehouse.settings import Settings

if TYPE_CHECKING:  # psycopg is imported when a connection is made, not with this module
    import psycopg


def source_url(settings: Settings) -> str:
    """PELOTON_SOURCE__URL when set, else the running embedded server's URL."""
    if settings.source.url is not None:
        return settings.source.url.get_secret_value()
    from lakehouse.postgres.embedded import EmbeddedPostgres

    return EmbeddedPostgres(settings).url()


def reader_url(settings: Settings) -> str:
    """The URL to read the source with: extraction and Trino's source catalog.

    PELOTON_SOURCE__READER_URL when set; else, with PELOTON_SOURCE__URL set, that URL (give it a
    read-only role); else the embedded server's read-only role.
    """
    if settings.source.reader_url is not None:
        return settings.source.reader_url.get_secret_value()
    if settings.source.url is not None:
        return settings.source.url.get_secret_value()
    from lakehouse.postgres.embedded import EmbeddedPostgres

    return EmbeddedPostgres(settings).reader_url()


def connect(url: str, timeout_s: int = 10) -> psycopg.Connection:
    """A psycopg connection; a failure names the server with its password masked."""
    import psycopg

    try:
        return psycopg.connect(url, connect_timeout=timeout_s)
    except (psycopg.Error, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        kind = ConfigurationError if isinstance(exc, ValueError) else UnavailableError
        raise kind(
            f"cannot reach PostgreSQL at {mask_url(url)}: {reason.replace(url, mask_url(url))}"
        ) from None


def server_version(url: str) -> str:
    """The server's version string, e.g. "PostgreSQL 18.1"."""
    with connect(url) as conn:
        row = conn.execute("select version()").fetchone()
    return str(row[0]).split(" on ")[0] if row else "unknown"
