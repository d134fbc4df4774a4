"""`peloton superset warm`: every chart of a dashboard fetched again, for every stage, into
Superset's data cache.

Superset keeps chart data for a day (superset_config.py), keyed by the query. After the
pipeline has changed the lakehouse, the cached rows are stale, and the first analyst to open a
stage waits for every query on Trino. Warming runs, with `force`, the query the dashboard's
frontend sends for each chart and each value of its stage filter, so that the cache holds the
new rows under the keys the dashboard will ask for. The stage filter's own options query is run
first: its rows are the stages to warm.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lakehouse.errors import PelotonError
from lakehouse.superset.api import SupersetApi
from lakehouse.superset.check import DASHBOARD, chart_query, run_context, stage_filter

FILTER_ROW_LIMIT = 1000
"""Superset's default row limit for a native filter's options (NATIVE_FILTER_DEFAULT_ROW_LIMIT)."""


@dataclass
class Warmed:
    stages: list[int]
    queries: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{self.queries} chart queries for {len(self.stages)} stages cached in "
            f"{self.seconds:.1f} s"
        )

    def summary(self) -> dict[str, Any]:
        """The one-line JSON summary of `peloton superset warm`."""
        return {
            "stages": len(self.stages),
            "queries": self.queries,
            "seconds": round(self.seconds, 1),
            "failed": self.failed,
            "ok": not self.failed,
        }


def filter_context(dataset_id: int, column: str) -> dict[str, Any]:
    """The options query of a select filter on `column`, as the dashboard's frontend sends it."""
    query = {
        "filters": [],
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": [column],
        "metrics": [],
        "orderby": [[column, True]],
        "annotation_layers": [],
        "row_limit": FILTER_ROW_LIMIT,
        "series_limit": 0,
        "group_others_when_limit_reached": False,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    return {
        "datasource": {"id": dataset_id, "type": "table"},
        "force": False,
        "queries": [query],
        "result_format": "json",
        "result_type": "full",
    }


def warm_dashboard(
    api: SupersetApi,
    dashboard: str = DASHBOARD,
    workers: int = 3,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Warmed:
    """Fetch, forced, every chart of the dashboard for every stage; `progress(done, total)`.

    A chart out of the stage filter's scope is the same for every stage: fetched once.
    """
    started = time.perf_counter()
    found = stage_filter(api, dashboard)
    options, _ = run_context(api, filter_context(found.dataset_id, found.column), force=True)
    stages = sorted(int(row[found.column]) for row in options if row.get(found.column) is not None)
    charts = api.call("GET", f"/api/v1/dashboard/{dashboard}/charts")["result"]
    queries = {c["slice_name"]: chart_query(api, c["id"]) for c in charts}
    unfiltered = sorted(c["slice_name"] for c in charts if c["id"] in found.excluded)
    jobs: list[tuple[str, int | None]] = [(name, None) for name in unfiltered]
    jobs += [
        (name, stage) for stage in stages for name in sorted(queries) if name not in unfiltered
    ]
    warmed = Warmed(stages, queries=1)

    def fetch(job: tuple[str, int | None]) -> str | None:
        name, stage = job
        try:
            queries[name].run(api, stage=stage, force=True)
        except PelotonError as exc:
            where = f"{name} (stage {stage})" if stage is not None else name
            return f"{where}: {exc}"
        return None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, error in enumerate(pool.map(fetch, jobs), start=1):
            if error:
                warmed.failed.append(error)
            progress(done, len(jobs))
    warmed.queries += len(jobs)
    warmed.seconds = time.perf_counter() - started
    return warmed
