"""The gif_exports flow: each stage's flyby duels rendered to object storage, indexed in Iceberg.

Thin: the logic is in lakehouse.gifs.exports. One task per stage whose inputs changed (the
others are reported unchanged from the index without being opened); a duel that cannot be
drawn or fails is reported in the logs and in the table artifact `gif-exports-summary`, and the
flow fails at the end if a render failed, after every stage was tried.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from lakehouse.catalog import open_catalog, warehouse_location
from lakehouse.errors import PelotonError
from lakehouse.gifs.exports import ExportPlan, Outcome, export_stage, plan_exports
from lakehouse.gifs.race import load_stage
from lakehouse.settings import get_settings


@task(cache_policy=NO_CACHE)
def plan(stages: list[int] | None) -> ExportPlan:
    found = plan_exports(open_catalog(get_settings()), stages)
    get_run_logger().info(
        "%d stages to look at, %d exports of unchanged stages left as they are",
        len(found.changed),
        len(found.unchanged),
    )
    return found


@task(cache_policy=NO_CACHE)
def export(stage: int, inputs: str) -> list[Outcome]:
    settings = get_settings()
    catalog = open_catalog(settings)
    logger = get_run_logger()
    return export_stage(
        catalog, warehouse_location(settings), load_stage(catalog, stage), inputs, logger.info
    )


@flow(name="gif_exports", log_prints=True)
def gif_exports(stages: list[int] | None = None) -> list[Outcome]:
    """Render and index the flyby exports of every stage whose inputs changed (or of `stages`)."""
    found = plan(stages)
    outcomes = list(found.unchanged)
    for stage, inputs in found.changed.items():
        outcomes += export(stage, inputs)
    create_table_artifact(
        key="gif-exports-summary",
        table=[asdict(o) for o in outcomes],
        description="Flyby GIF exports: rendered, unchanged, skipped, failed, removed",
    )
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        listed = "; ".join(f"stage {o.stage} {o.export_id}: {o.detail}" for o in failed)
        raise PelotonError(f"{len(failed)} flyby exports failed: {listed}")
    return outcomes
