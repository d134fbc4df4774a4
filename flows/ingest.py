"""Ingestion flows: telemetry (per stage day), stage files, athletes sheet, and the parent.

Retries with backoff on the I/O steps only; each flow logs what it landed and the parent
publishes a table artifact `ingest-summary` (rows landed and quarantined per source and day).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec, TypeVar

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from lakehouse.catalog import open_catalog
from lakehouse.ingest import run
from lakehouse.ingest.files import FileResult
from lakehouse.ingest.telemetry import (
    DayResult,
    days_to_load,
    scan_landed,
    skipped,
    telemetry_table,
)
from lakehouse.lake.commits import landed_fingerprints
from lakehouse.postgres.connect import source_url
from lakehouse.settings import get_settings
from lakehouse.sources.telemetry import SourceDay, list_days

P = ParamSpec("P")
R = TypeVar("R")


def io_task(fn: Callable[P, R]) -> Task[P, R]:
    """A task that reads or writes a system: retried with backoff, never cached."""
    return task(retries=3, retry_delay_seconds=[2.0, 5.0, 15.0], cache_policy=NO_CACHE)(fn)


@io_task
def list_source_days(
    only: set[date] | None, landed: dict[str, str], full_refresh: bool
) -> list[SourceDay]:
    settings = get_settings()
    scan = scan_landed(landed, full_refresh)
    return list_days(source_url(settings), settings.source.schema_name, only=only, scan=scan)


@io_task
def land_day(source: SourceDay, batch_id: str) -> DayResult:
    result = run.telemetry_day(get_settings(), source, batch_id)
    get_run_logger().info("telemetry %s: %s rows landed", source.day, f"{result.rows:,}")
    return result


@io_task
def land_stage_files(
    full_refresh: bool, stages: list[int] | None, batch_id: str
) -> list[FileResult]:
    return run.stage_files(get_settings(), full_refresh, set(stages) if stages else None, batch_id)


@io_task
def land_athletes(full_refresh: bool, batch_id: str) -> FileResult:
    return run.athletes(get_settings(), full_refresh, batch_id)


TWO_DAYS_AT_A_TIME: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=2)
"""One day is read while another is written; memory holds two days, whatever their number."""


@flow(
    name="ingest_telemetry",
    log_prints=True,
    task_runner=TWO_DAYS_AT_A_TIME,  # type: ignore[arg-type]
)
def ingest_telemetry(
    days: list[str] | None = None, full_refresh: bool = False, batch_id: str | None = None
) -> list[DayResult]:
    """Land new or changed telemetry days (all with full_refresh; `days` as YYYY-MM-DD)."""
    logger = get_run_logger()
    batch_id = batch_id or uuid.uuid4().hex
    only = run.parse_days(days)
    landed = landed_fingerprints(telemetry_table(open_catalog(get_settings())))
    sources = list_source_days(only, landed, full_refresh)
    todo = {s.day for s in days_to_load(sources, landed, full_refresh, only)}
    futures = {
        s.day: land_day.submit(s, batch_id) for s in sources if s.day in todo
    }  # two days at a time: one is read while the other is written
    results = []
    for source in sources:
        if only is not None and source.day not in only:
            continue
        if source.day in futures:
            results.append(futures[source.day].result())
        else:
            logger.info("telemetry %s: unchanged, skipped", source.day)
            results.append(skipped(source, batch_id))
    return results


@flow(name="ingest_stages", log_prints=True)
def ingest_stages(
    stages: list[int] | None = None, full_refresh: bool = False, batch_id: str | None = None
) -> list[FileResult]:
    """Land the stage index and the stage CSVs (bad rows to raw.quarantine)."""
    results = land_stage_files(full_refresh, stages, batch_id or uuid.uuid4().hex)
    for r in results:
        get_run_logger().info(
            "%s: %s",
            r.source,
            "unchanged, skipped"
            if r.skipped
            else f"{r.landed} landed, {r.quarantined} quarantined",
        )
    return results


@flow(name="ingest_athletes", log_prints=True)
def ingest_athletes(full_refresh: bool = False, batch_id: str | None = None) -> FileResult:
    """Land the athletes sheet (Google Sheet, or its local export)."""
    result = land_athletes(full_refresh, batch_id or uuid.uuid4().hex)
    get_run_logger().info(
        "%s: %s landed, %s quarantined", result.source, result.landed, result.quarantined
    )
    return result


@flow(name="ingest", log_prints=True)
def ingest(
    days: list[str] | None = None, stages: list[int] | None = None, full_refresh: bool = False
) -> run.IngestSummary:
    """Land the three sources; publish the summary as the `ingest-summary` artifact."""
    batch_id = uuid.uuid4().hex
    summary = run.IngestSummary()
    summary.files.append(ingest_athletes(full_refresh, batch_id))
    summary.files += ingest_stages(stages, full_refresh, batch_id)
    summary.telemetry = ingest_telemetry(days, full_refresh, batch_id)
    create_table_artifact(
        key="ingest-summary",
        table=summary.rows(),
        description=f"Rows landed and quarantined per source, batch {batch_id}",
    )
    return summary
