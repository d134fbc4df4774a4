"""Planner statistics: Trino's ANALYZE of each table, as the writer user, where Trino runs.

The platform works without Trino (a SQLite catalog, a laptop without Java): then the step is
skipped, and says why.
"""

from __future__ import annotations

from lakehouse.errors import PelotonError, UnavailableError
from lakehouse.lake.commits import COMMIT_RETRIES
from lakehouse.settings import Settings
from lakehouse.trino.catalogs import WRITER_CATALOG
from lakehouse.trino.client import run_sql

COMMIT_CONFLICT = "ICEBERG_COMMIT_ERROR"


def skipped_because(settings: Settings) -> str | None:
    """Why ANALYZE cannot run with these settings (None: it can)."""
    if settings.catalog.kind == "sqlite":
        return "the SQLite catalog is not shared with Trino"
    try:
        run_sql(settings, "select 1")
    except UnavailableError:
        return f"no Trino answers at {settings.trino.host}:{settings.trino.port}"
    return None


def analyze(settings: Settings, table: str) -> None:
    """ANALYZE `layer.table` in the writer's catalog, again when another writer committed to
    the table while Trino wrote the statistics."""
    layer, name = table.split(".", 1)
    for attempt in range(COMMIT_RETRIES):
        try:
            run_sql(settings, f'analyze {WRITER_CATALOG}."{layer}"."{name}"')
            return
        except PelotonError as exc:
            if COMMIT_CONFLICT not in str(exc) or attempt == COMMIT_RETRIES - 1:
                raise
