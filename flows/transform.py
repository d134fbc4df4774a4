"""The transform flow: staging (one task per stage day, run concurrently), then the marts.

Thin: the logic is in lakehouse.transform. Days whose inputs did not change are skipped; the
flow publishes a table artifact `transform-summary`. Superset's chart data cache is refilled by
the refresh_dashboards flow, the pipeline's next step (flows/dashboards.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from prefect import Flow, flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from lakehouse.catalog import open_catalog
from lakehouse.ingest.selection import parse_days
from lakehouse.lake.branches import run_branch
from lakehouse.lake.lock import lakehouse_lock
from lakehouse.settings import Settings, get_settings
from lakehouse.transform.marts import MartsResult, build_marts, open_run
from lakehouse.transform.staging import (
    DayPlan,
    StagedResult,
    build_day,
    build_reference,
    plan_telemetry,
)


@task(cache_policy=NO_CACHE)
def open_branch(batch_id: str) -> str:
    """The run's branch, opened on every staging and mart table."""
    open_run(open_catalog(get_settings()), batch_id)
    return run_branch(batch_id)


@task(cache_policy=NO_CACHE)
def reference(batch_id: str, branch: str) -> dict[str, int]:
    return build_reference(open_catalog(get_settings()), batch_id, branch)


@task(cache_policy=NO_CACHE)
def plan(days: list[str] | None, full_refresh: bool) -> list[DayPlan]:
    return plan_telemetry(open_catalog(get_settings()), full_refresh, parse_days(days))


@task(cache_policy=NO_CACHE)
def stage_day(day_plan: DayPlan, batch_id: str, branch: str) -> StagedResult:
    result = build_day(open_catalog(get_settings()), day_plan, batch_id, branch=branch)
    logger = get_run_logger()
    if result.skipped:
        logger.info("staging %s: unchanged, skipped", result.day)
    else:
        logger.info(
            "staging %s: %s rows (%s duplicates removed)",
            result.day,
            f"{result.rows:,}",
            f"{result.duplicates:,}",
        )
    return result


@task(cache_policy=NO_CACHE)
def marts(days: list[str] | None, full_refresh: bool, batch_id: str) -> MartsResult:
    return build_marts(open_catalog(get_settings()), full_refresh, parse_days(days), batch_id)


DAYS_AT_ONCE: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=2)


@flow(name="transform", log_prints=True, task_runner=DAYS_AT_ONCE)  # type: ignore[arg-type]
def transform(
    days: list[str] | None = None, full_refresh: bool = False
) -> tuple[list[StagedResult], MartsResult]:
    """Build staging for new or changed days, then the marts, on the run's branch; publish
    them together once checked.

    The run holds the lakehouse (lakehouse.lake.lock) while it writes: a second run at the
    same time is refused with the holder named.
    """
    batch_id = uuid.uuid4().hex
    with lakehouse_lock(get_settings(), "transform"):
        branch = open_branch(batch_id)
        reference(batch_id, branch)
        futures = [stage_day.submit(p, batch_id, branch) for p in plan(days, full_refresh)]
        staged = [f.result() for f in futures]
        result = marts(days, full_refresh, batch_id)
    rows: list[dict[str, Any]] = [
        {
            "table": "staging.telemetry",
            "day": str(s.day),
            "rows": s.rows,
            "duplicates_removed": s.duplicates,
            "skipped": s.skipped,
        }
        for s in staged
    ]
    rows.append(
        {
            "table": "marts.stage_results",
            "day": ", ".join(str(d) for d in result.days) or "-",
            "rows": result.results,
            "duplicates_removed": 0,
            "skipped": not result.days,
        }
    )
    create_table_artifact(
        key="transform-summary", table=rows, description=f"Transform batch {batch_id}"
    )
    return staged, result


def task_runner(settings: Settings) -> Any:
    """The runner the settings ask for: threads here, or a Dask cluster (prefect-dask).

    Dask workers run the day tasks in their own processes: they need the same PELOTON_*
    settings (a local cluster inherits this process's environment).
    """
    chosen = settings.transform
    if chosen.runner == "threads":
        return ThreadPoolTaskRunner(max_workers=chosen.workers)
    from prefect_dask import DaskTaskRunner

    if chosen.dask_address:
        return DaskTaskRunner(address=chosen.dask_address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": chosen.workers, "threads_per_worker": 1, "processes": True},
    )


def configured_transform() -> Flow[..., tuple[list[StagedResult], MartsResult]]:
    """The transform flow on the configured task runner (what the pipeline runs)."""
    return transform.with_options(task_runner=task_runner(get_settings()))
