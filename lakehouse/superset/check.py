"""`peloton superset check`: every chart of the dashboards fetched as the dashboard fetches it.

Each chart's query is run, for one stage when `stage` is given (as the dashboard's stage filter
would), and its rows are counted. A chart that errors or returns no row fails the check. Most
charts send their saved query context to the chart data API (`POST /api/v1/chart/data`); a
chart type whose Superset 6.1 plugin still uses the legacy endpoint (`LEGACY_VIZ`: deck.gl's
GeoJSON) sends its saved form data to `/superset/explore_json/`, which keeps its own keys in
the data cache.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

from lakehouse.errors import PelotonError
from lakehouse.superset.api import SupersetApi

DASHBOARD = "stage-explorer"
LEGACY_VIZ = frozenset({"deck_geojson"})
"""Chart types whose frontend plugin fetches its data from `/superset/explore_json/` (Superset
6.1's `useLegacyApi`), not from the chart data API."""


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


def stage_filters(stage: int) -> list[dict[str, Any]]:
    """The native stage filter's clause, as the dashboard sends it."""
    return [{"col": "stage", "op": "IN", "val": [stage]}]


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
            query["filters"] = [*stage_filters(stage), *query.get("filters", [])]
    started = time.perf_counter()
    result = api.call("POST", "/api/v1/chart/data", json=context)["result"][0]
    return list(result.get("data") or []), time.perf_counter() - started


def run_legacy(
    api: SupersetApi, form_data: dict[str, Any], stage: int | None = None, force: bool = False
) -> tuple[list[dict[str, Any]], float]:
    """Rows (deck.gl's features) of a legacy chart's form data, for one stage when given, as its
    plugin posts it to `/superset/explore_json/`: the stage filter in `extra_form_data`, which
    Superset merges into the chart's filters. `force` runs it on Trino and caches the rows."""
    extra = {"filters": stage_filters(stage)} if stage is not None else {}
    form = form_data | {"extra_form_data": extra}
    params = {"form_data": json.dumps({"slice_id": form_data["slice_id"]})}
    if force:
        params["force"] = "true"
    started = time.perf_counter()
    payload = api.web(
        "POST", "/superset/explore_json/", params=params, data={"form_data": json.dumps(form)}
    )
    if payload.get("errors"):
        raise PelotonError(f"explore_json: {payload['errors'][0].get('message')}")
    data = payload.get("data") or {}
    rows = data.get("features", []) if isinstance(data, dict) else data
    return list(rows), time.perf_counter() - started


@dataclass(frozen=True)
class ChartQuery:
    """What the dashboard's frontend sends for a chart: its saved query context (the chart data
    API) or, for a legacy chart type, its saved form data (`explore_json`)."""

    chart_id: int
    name: str
    viz_type: str
    request: dict[str, Any]

    @property
    def legacy(self) -> bool:
        return self.viz_type in LEGACY_VIZ

    def run(
        self, api: SupersetApi, stage: int | None = None, force: bool = False
    ) -> tuple[list[dict[str, Any]], float]:
        run = run_legacy if self.legacy else run_context
        return run(api, self.request, stage, force)


def chart_query(api: SupersetApi, chart_id: int) -> ChartQuery:
    """The chart's query as its dashboard sends it."""
    chart = api.call("GET", f"/api/v1/chart/{chart_id}")["result"]
    viz = chart.get("viz_type") or "?"
    if viz in LEGACY_VIZ:
        form = json.loads(chart.get("params") or "{}") | {"slice_id": chart_id, "viz_type": viz}
        return ChartQuery(chart_id, chart["slice_name"], viz, form)
    if not chart.get("query_context"):
        raise PelotonError(f"chart {chart['slice_name']!r} has no saved query context")
    return ChartQuery(chart_id, chart["slice_name"], viz, json.loads(chart["query_context"]))


def chart_data(
    api: SupersetApi, chart_id: int, stage: int | None = None
) -> tuple[list[dict[str, Any]], float]:
    """The chart's rows (its saved query, for one stage when given) and the seconds taken."""
    return chart_query(api, chart_id).run(api, stage)


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
