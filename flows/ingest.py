"""Ingestion flows: telemetry (per stage day), stage files, athletes sheet, and the parent.

Retries with backoff on the I/O steps only; each flow logs what it landed and the parent
publishes a table artifact `ingest-summary` (rows landed and quarantined per source and day).
Each flow holds the lakehouse's run lock while it writes (lakehouse.lake.lock): a second run
at the same time is refused with the holder named.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec, TypeVar

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from lakehouse.errors import retryable
from lakehouse.ingest import steps
from lakehouse.ingest.files import FileResult
from lakehouse.ingest.selection import parse_days, select
from lakehouse.ingest.telemetry import DayResult, DayStreams, PlannedDay, land_days
from lakehouse.lake.lock import lakehouse_lock
from lakehouse.postgres.connect import reader_url
from lakehouse.settings import get_settings
from lakehouse.sources.telemetry import SourceDay

P = ParamSpec("P")
R = TypeVar("R")


def retry_if_it_can_succeed(task: Task[..., Any], run: TaskRun, state: State[Any]) -> bool:
    """Prefect's retry condition: only errors that another try may clear (errors.retryable)."""
    failure = state.data
    return not isinstance(failure, BaseException) or retryable(failure)


def io_task(fn: Callable[P, R]) -> Task[P, R]:
    """A task that reads or writes a system: retried with backoff where a retry can succeed
    (a lost connection, a commit conflict; not a bad file or argument), never cached."""
    return task(
        retries=3,
        retry_delay_seconds=[2.0, 5.0, 15.0],
        retry_condition_fn=retry_if_it_can_succeed,
        cache_policy=NO_CACHE,
    )(fn)


@io_task
def plan_source_days(only: set[date] | None, full_refresh: bool) -> list[PlannedDay]:
    return steps.telemetry_plan(get_settings(), only, full_refresh)


@io_task
def land_day(source: SourceDay, streams: DayStreams, batch_id: str) -> DayResult:
    result = steps.telemetry_day(get_settings(), source, streams, batch_id)
    get_run_logger().info("telemetry %s: %s rows landed", source.day, f"{result.rows:,}")
    return result


@io_task
def land_stage_files(
    full_refresh: bool, stages: list[int] | None, batch_id: str
) -> list[FileResult]:
    return steps.stage_files(
        get_settings(), full_refresh, set(stages) if stages else None, batch_id
    )


@io_task
def land_athletes(full_refresh: bool, batch_id: str) -> FileResult:
    return steps.athletes(get_settings(), full_refresh, batch_id)


@flow(name="ingest_telemetry", log_prints=True)
def ingest_telemetry(
    days: list[str] | None = None, full_refresh: bool = False, batch_id: str | None = None
) -> list[DayResult]:
    """Land new or changed telemetry days (all with full_refresh; `days` as YYYY-MM-DD).

    The library's plan and loop (lakehouse.ingest.telemetry), each day in its own task: one
    day at a time, so the days' commits never conflict (only the reading runs ahead).
    """
    batch = batch_id or uuid.uuid4().hex
    with lakehouse_lock(get_settings(), "ingest_telemetry"):
        plan = plan_source_days(parse_days(days), full_refresh)
        settings = get_settings()
        url, stall_s = reader_url(settings), settings.source.read_timeout_s
        results = land_days(
            plan, url, lambda day, streams: land_day(day, streams, batch), batch, stall_s
        )
    for result in results:
        if result.skipped:
            get_run_logger().info("telemetry %s: unchanged, skipped", result.day)
    return results


@flow(name="ingest_stages", log_prints=True)
def ingest_stages(
    stages: list[int] | None = None, full_refresh: bool = False, batch_id: str | None = None
) -> list[FileResult]:
    """Land the stage index and the stage CSVs (bad rows to raw.quarantine)."""
    with lakehouse_lock(get_settings(), "ingest_stages"):
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
    with lakehouse_lock(get_settings(), "ingest_athletes"):
        result = land_athletes(full_refresh, batch_id or uuid.uuid4().hex)
    get_run_logger().info(
        "%s: %s landed, %s quarantined", result.source, result.landed, result.quarantined
    )
    return result


@flow(name="ingest", log_prints=True)
def ingest(
    days: list[str] | None = None, stages: list[int] | None = None, full_refresh: bool = False
) -> steps.IngestSummary:
    """Land the three sources; publish the summary as the `ingest-summary` artifact.

    `stages` selects those stages' files and their days' telemetry; `days` adds days (a stage
    or day that does not exist is refused before anything lands).
    """
    batch_id = uuid.uuid4().hex
    summary = steps.IngestSummary()
    chosen = select(get_settings(), days, stages)
    with lakehouse_lock(get_settings(), "ingest"):
        summary.files.append(ingest_athletes(full_refresh, batch_id))
        summary.files += ingest_stages(stages, full_refresh, batch_id)
        summary.telemetry = ingest_telemetry(chosen.day_texts(), full_refresh, batch_id)
    create_table_artifact(
        key="ingest-summary",
        table=summary.rows(),
        description=f"Rows landed and quarantined per source, batch {batch_id}",
    )
    return summary
