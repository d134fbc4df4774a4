"""Planner statistics: Trino's ANALYZE of each table, as the writer user, where Trino runs.

The platform works without Trino (a SQLite catalog, a laptop without Java): then the step is
skipped, and says why.
"""

from __future__ import annotations

from lakehouse.errors import UnavailableError
from lakehouse.settings import Settings
from lakehouse.trino.catalogs import WRITER_CATALOG
from lakehouse.trino.client import run_sql


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
    """ANALYZE `layer.table` in the writer's catalog."""
    layer, name = table.split(".", 1)
    run_sql(settings, f'analyze {WRITER_CATALOG}."{layer}"."{name}"')
