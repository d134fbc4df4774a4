"""The nightly flow: the whole pipeline, each step a subflow that is also deployed alone.

Thin: the steps and their dependencies are the list below (lakehouse.pipeline.graph decides
what runs), the summary and the alert are functions of lakehouse.pipeline. A failed step
skips only the steps that need it; the run ends Failed when any step failed, after the
summary artifact `nightly-summary` is written and the alert is sent. The run holds the
lakehouse's run lock from start to end (its steps take it again, re-entrantly).
"""

from __future__ import annotations

import importlib
import inspect
import time
import uuid
from typing import Any

from prefect import Flow, flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.blocks.core import Block
from prefect.runtime import flow_run
from prefect.states import Failed, State

from lakehouse.catalog import open_catalog
from lakehouse.ingest.selection import select
from lakehouse.lake.lock import lakehouse_lock
from lakehouse.pipeline.alerts import Alert, alert_for, find_faults
from lakehouse.pipeline.deliveries import find_undelivered, find_unfinished, stage_index
from lakehouse.pipeline.graph import Status, Step, blocked_by, selected
from lakehouse.pipeline.night import Night, StepOutcome
from lakehouse.pipeline.summary import summary_markdown
from lakehouse.settings import get_settings

INGESTION = ("ingest_athletes", "ingest_stages", "ingest_telemetry")
CONSUMERS = ("transform", "refresh_dashboards", "gif_exports", "bot_index")
STEPS = (
    Step("ingest_athletes", "flows.ingest:ingest_athletes", writes="raw.athletes"),
    Step("ingest_stages", "flows.ingest:ingest_stages", writes="raw.stages, raw.stage_routes"),
    Step("ingest_telemetry", "flows.ingest:ingest_telemetry", writes="raw.telemetry"),
    Step("transform", "flows.transform:configured_transform", after=INGESTION, writes="marts.*"),
    Step("refresh_dashboards", "flows.dashboards:refresh_dashboards", needs=("transform",)),
    Step("gif_exports", "flows.gif_exports:gif_exports", needs=("transform",), writes="gifs"),
    Step("bot_index", "flows.bot_index:bot_index", needs=("transform",), writes="bot.documents"),
    # last, whatever came before: it compacts what the night wrote and clears a failed run's
    # branch once its safety window has passed
    Step("upkeep", "flows.upkeep:upkeep", after=CONSUMERS, writes="every table's files"),
)


def load_flow(step: Step) -> Flow[..., Any]:
    module, _, attribute = step.flow.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    return found if isinstance(found, Flow) else found()


def run_step(step: Step, parameters: dict[str, Any]) -> StepOutcome:
    """Run the step's flow as a subflow with the run's parameters it declares."""
    try:
        subflow = load_flow(step)
    except Exception as exc:  # a step that cannot be loaded fails alone, like one that raised
        return StepOutcome(step.name, Status.FAILED, detail=f"cannot load {step.flow}", error=exc)
    accepted = inspect.signature(subflow.fn).parameters
    given = {k: v for k, v in parameters.items() if k in accepted}
    started = time.monotonic()
    state: State[Any] = subflow(**given, return_state=True)  # type: ignore[assignment]
    seconds = time.monotonic() - started
    if state.is_completed():
        return StepOutcome(step.name, Status.COMPLETED, seconds, result=state.result())
    error = state.result(raise_on_failure=False)
    failure = error if isinstance(error, BaseException) else None
    return StepOutcome(step.name, Status.FAILED, seconds, str(state.message or ""), error=failure)


def send_alert(alert: Alert, block_name: str | None) -> None:
    logger = get_run_logger()
    logger.warning("%s\n%s", alert.subject, alert.body)
    if block_name is None:
        logger.warning("no alert sent: PELOTON_ALERTS__BLOCK names no notification block")
        return
    try:
        block: Any = Block.load(block_name)  # a NotificationBlock of any type
        block.notify(alert.body, subject=alert.subject)
    except Exception as exc:  # a notification that cannot go out must not hide the run's state
        logger.error("the alert could not be sent through block %s: %s", block_name, exc)
    else:
        logger.info("alert sent through block %s", block_name)


def review(night: Night, steps: list[Step], title: str) -> None:
    """Write the run's summary artifact and send its alert, if it has faults."""
    settings = get_settings()
    try:
        catalog = open_catalog(settings)
        missing, index = find_undelivered(catalog), stage_index(catalog)
        partial = find_unfinished(catalog)
    except Exception as exc:  # the catalog itself may be what failed tonight
        get_run_logger().warning("undelivered days not looked for: %s", exc)
        missing, index, partial = [], {}, []
    faults = find_faults(
        night,
        steps,
        missing,
        index,
        settings.alerts.quarantine_share,
        settings.source.schema_name,
        partial,
    )
    create_markdown_artifact(
        key="nightly-summary",
        markdown=summary_markdown(night, faults, title),
        description=title,
    )
    alert = alert_for(faults, title)
    if alert is not None:
        send_alert(alert, settings.alerts.block)


@flow(name="nightly", log_prints=True)
def nightly(
    days: list[str] | None = None,
    stages: list[int] | None = None,
    full_refresh: bool = False,
    steps: list[str] | None = None,
) -> Night | State[Any]:
    """Run the pipeline: ingestion, transform, dashboards, GIF exports, bot index, upkeep.

    `days` (YYYY-MM-DD) and `stages` select what the ingestion and the transform work on
    (default: every new or changed day); `full_refresh` reprocesses everything; `steps` runs
    only the steps named (e.g. the three ingestion steps).
    """
    settings = get_settings()
    chosen = select(settings, days, stages)  # an unknown stage or a bad day: refused now
    parameters: dict[str, Any] = {
        "days": chosen.day_texts(),
        "stages": stages,
        "full_refresh": full_refresh,
        "batch_id": uuid.uuid4().hex,
    }
    plan = selected(STEPS, steps)
    logger = get_run_logger()
    night = Night()
    with lakehouse_lock(settings, "nightly"):
        for step in plan:
            statuses = {o.name: o.status for o in night.outcomes}
            blocked = blocked_by(step, statuses)
            if blocked:
                detail = f"skipped: needs {', '.join(blocked)}, which did not complete"
                logger.warning("%s %s", step.name, detail)
                night.outcomes.append(StepOutcome(step.name, Status.SKIPPED, detail=detail))
                continue
            night.outcomes.append(run_step(step, parameters))
    review(night, plan, f"nightly run {flow_run.name}")
    if night.failed:
        names = ", ".join(o.name for o in night.failed)
        return Failed(message=f"steps failed: {names}", data=night)
    return night
