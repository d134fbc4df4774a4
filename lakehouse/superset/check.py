"""`peloton superset check`: every chart of the dashboards fetched through the chart data API.

Each chart's saved query context is run through `POST /api/v1/chart/data`, for one stage when
`stage` is given (as the dashboard's stage filter would), and its rows are counted. A chart
that errors or returns no row fails the check.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

from lakehouse.errors import PelotonError
from lakehouse.superset.api import SupersetApi

DASHBOARD = "stage-explorer"


@dataclass(frozen=True)
class ChartCheck:
    chart: str
    viz_type: str
    rows: int
    seconds: float
    error: str | None
    first_row: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.rows > 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def saved_context(api: SupersetApi, chart_id: int) -> dict[str, Any]:
    """The chart's saved query context: the query its dashboard's frontend sends."""
    chart = api.call("GET", f"/api/v1/chart/{chart_id}")["result"]
    if not chart.get("query_context"):
        raise PelotonError(f"chart {chart['slice_name']!r} has no saved query context")
    return dict(json.loads(chart["query_context"]))


def run_context(
    api: SupersetApi, context: dict[str, Any], stage: int | None = None, force: bool = False
) -> tuple[list[dict[str, Any]], float]:
    """Rows of a query context, for one stage when given, and the seconds taken.

    The stage filter goes first, where the dashboard's native filter puts it, so that the
    query (and its key in Superset's data cache) is the one the dashboard sends. `force`
    runs it on Trino even when cached, and caches the new rows.
    """
    context = json.loads(json.dumps(context)) | {"force": force}
    if stage is not None:
        for query in context["queries"]:
            query["filters"] = [
                {"col": "stage", "op": "IN", "val": [stage]},
                *query.get("filters", []),
            ]
    started = time.perf_counter()
    result = api.call("POST", "/api/v1/chart/data", json=context)["result"][0]
    return list(result.get("data") or []), time.perf_counter() - started


def chart_data(
    api: SupersetApi, chart_id: int, stage: int | None = None
) -> tuple[list[dict[str, Any]], float]:
    """The chart's rows (its saved query, for one stage when given) and the seconds taken."""
    return run_context(api, saved_context(api, chart_id), stage)


@dataclass(frozen=True)
class StageFilter:
    """The dashboard's stage filter: its options' dataset and column, and the charts out of its
    scope (the frontend sends their query without the filter)."""

    dataset_id: int
    column: str
    excluded: frozenset[int]


def stage_filter(api: SupersetApi, dashboard: str) -> StageFilter:
    """The dashboard's native filter on the column `stage`."""
    found = api.call("GET", f"/api/v1/dashboard/{dashboard}")["result"]
    metadata = json.loads(found.get("json_metadata") or "{}")
    for native in metadata.get("native_filter_configuration", []):
        for target in native.get("targets", []):
            if target.get("column", {}).get("name") == "stage" and "datasetId" in target:
                excluded = native.get("scope", {}).get("excluded", [])
                return StageFilter(int(target["datasetId"]), "stage", frozenset(excluded))
    raise PelotonError(f"dashboard {dashboard!r} has no native filter on the column stage")


def check_dashboard(
    api: SupersetApi, dashboard: str = DASHBOARD, stage: int | None = None
) -> list[ChartCheck]:
    """Every chart's rows, for one stage when given: a chart out of the stage filter's scope is
    fetched unfiltered, as the dashboard does."""
    charts = api.call("GET", f"/api/v1/dashboard/{dashboard}/charts")["result"]
    excluded = stage_filter(api, dashboard).excluded if stage is not None else frozenset()
    found = []
    for chart in sorted(charts, key=lambda c: c["slice_name"]):
        viz = chart.get("form_data", {}).get("viz_type", "?")
        try:
            scoped = None if chart["id"] in excluded else stage
            rows, seconds = chart_data(api, chart["id"], scoped)
            first = {k: v for k, v in rows[0].items() if len(str(v)) <= 80} if rows else None
            found.append(ChartCheck(chart["slice_name"], viz, len(rows), seconds, None, first))
        except PelotonError as exc:
            found.append(ChartCheck(chart["slice_name"], viz, 0, 0.0, str(exc), None))
    return found
