"""Guarded queries run in Trino as the read-only `bot` user, within a time limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lakehouse.bot.guard import MAX_ROWS, Allowed, guard
from lakehouse.bot.tables import BOT_USER
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql


@dataclass(frozen=True)
class Rows:
    """What a guarded query returned: the SQL that ran, its tables, columns and rows."""

    sql: str
    tables: tuple[str, ...]
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def run_guarded(settings: Settings, sql: str, allowed: Allowed, max_rows: int = MAX_ROWS) -> Rows:
    """`sql` through the guard (RefusedQuery), then run as `bot` with the query time limit."""
    checked = guard(sql, allowed, max_rows)
    limit = {"query_max_run_time": f"{settings.llm.query_timeout_s}s"}
    try:
        result = run_sql(settings, checked.sql, user=BOT_USER, session=limit)
    except PelotonError as exc:
        if str(exc).startswith("cannot reach Trino"):
            raise PelotonError(f"{exc}. Start it with `peloton trino start`") from None
        raise
    return Rows(checked.sql, checked.tables, result.columns, result.rows)
