"""Build the staging layer from the raw tables, incrementally by day.

A staging day is recomputed when what it was computed from changed: the raw day's landed
fingerprint, the route of that day's stage (its stage file's landed fingerprint) or the
transform's own version. A new stage's route leaves the other days as they are: a night of a
three-week race stages its own day, not every day so far.
That combined fingerprint is recorded in the staging commit, like the ingestion's.
The small tables (stages, routes, checkpoints, athletes) are rebuilt whole in one commit each.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.errors import PelotonError
from lakehouse.lake.commits import (
    data_version,
    ensure_table,
    landed_fingerprints,
    lineage,
    now,
    replace,
    replace_partition,
)
from lakehouse.lake.definition import TableDef
from lakehouse.lake.raw_tables import ATHLETES, STAGE_ROUTES, STAGES, TELEMETRY
from lakehouse.lake.readers import read_all, read_day
from lakehouse.lake.staging_tables import (
    STAGING_ATHLETES,
    STAGING_CHECKPOINTS,
    STAGING_STAGE_ROUTES,
    STAGING_STAGES,
    STAGING_TELEMETRY,
)
from lakehouse.transform.day_telemetry import StageRoute, stage_day

TRANSFORM_VERSION = "staging-1"
RAW_ROWS_KEY = "peloton.raw_rows"
DUPLICATES_KEY = "peloton.duplicates"
"""Recorded in each staging day's commit: what `peloton check` reconciles with raw."""
"""Change it when the staging logic changes: every day is then recomputed."""


@dataclass(frozen=True)
class StagedResult:
    day: date
    raw_rows: int
    rows: int
    duplicates: int
    skipped: bool


def snapshot_id(table: Table) -> str:
    """Which data the table's main holds (a compaction or expiry does not change it)."""
    return data_version(table)


def with_lineage(data: pa.Table, definition: TableDef, source: str, batch_id: str) -> pa.Table:
    target = definition.schema().as_arrow()
    extra = dict(
        zip(
            ("_loaded_at", "_source", "_batch_id"),
            lineage(data.num_rows, source, batch_id, now()),
            strict=True,
        )
    )
    arrays = [
        extra[f.name].cast(f.type) if f.name in extra else data[f.name].cast(f.type) for f in target
    ]
    return pa.Table.from_arrays(arrays, schema=target)


def load_routes(catalog: Catalog) -> tuple[dict[int, StageRoute], pa.Table]:
    """Every stage's route (from raw.stage_routes) and the raw rows it was built from."""
    raw = read_all(catalog, STAGE_ROUTES)
    points = raw.filter(pc.equal(raw["record"], "point")).sort_by(
        [("stage", "ascending"), ("seq", "ascending")]
    )
    routes: dict[int, StageRoute] = {}
    stages = points["stage"].to_numpy()
    for stage in np.unique(stages):
        rows = points.filter(pa.array(stages == stage))
        routes[int(stage)] = StageRoute.from_points(
            int(stage),
            rows["lat"].to_numpy(),
            rows["lon"].to_numpy(),
            rows["ele_m"].to_numpy(zero_copy_only=False).astype(np.float64),
            rows["distance_km"].to_numpy(zero_copy_only=False).astype(np.float64) * 1000.0,
        )
    return routes, raw


def build_reference(
    catalog: Catalog, batch_id: str | None = None, branch: str = MAIN_BRANCH
) -> dict[str, int]:
    """staging.stages, stage_routes, checkpoints and athletes, each rebuilt whole (on
    `branch`, main by default)."""
    batch_id = batch_id or uuid.uuid4().hex
    routes, raw_routes = load_routes(catalog)
    counts: dict[str, int] = {}

    points = raw_routes.filter(pc.equal(raw_routes["record"], "point")).sort_by(
        [("stage", "ascending"), ("seq", "ascending")]
    )
    grades = (
        np.concatenate([routes[int(s)].gradient_pct for s in np.unique(points["stage"].to_numpy())])
        if points.num_rows
        else np.zeros(0)
    )
    points = points.append_column("gradient_pct", pa.array(grades, mask=np.isnan(grades)))
    counts[STAGING_STAGE_ROUTES.name] = _rebuild(
        catalog, STAGING_STAGE_ROUTES, points, STAGE_ROUTES.name, batch_id, branch=branch
    )

    checkpoints = raw_routes.filter(pc.equal(raw_routes["record"], "checkpoint"))
    counts[STAGING_CHECKPOINTS.name] = _rebuild(
        catalog, STAGING_CHECKPOINTS, checkpoints, STAGE_ROUTES.name, batch_id, branch=branch
    )

    stages = read_all(catalog, STAGES)
    lengths = {s: r.line.length_m / 1000.0 for s, r in routes.items()}
    missing = sorted(set(stages["stage"].to_pylist()) - set(lengths))
    if missing:
        raise PelotonError(f"raw.stages lists stage(s) {missing} that have no route points")
    stages = stages.set_column(
        stages.schema.get_field_index("route_length_km"),
        "route_length_km",
        pa.array([lengths[s] for s in stages["stage"].to_pylist()]),
    )
    counts[STAGING_STAGES.name] = _rebuild(
        catalog, STAGING_STAGES, stages, STAGES.name, batch_id, (STAGE_ROUTES.name,), branch
    )

    athletes = read_all(catalog, ATHLETES)
    athletes = athletes.rename_columns(
        ["athlete_id" if c == "strava_athlete_id" else c for c in athletes.column_names]
    )
    bibs = athletes["bib"].to_pylist()
    repeated = sorted({b for b in bibs if bibs.count(b) > 1})
    if repeated:
        raise PelotonError(f"raw.athletes: bib(s) {repeated} appear more than once")
    counts[STAGING_ATHLETES.name] = _rebuild(
        catalog, STAGING_ATHLETES, athletes, ATHLETES.name, batch_id, branch=branch
    )
    return counts


def _rebuild(
    catalog: Catalog,
    definition: TableDef,
    data: pa.Table,
    source: str,
    batch_id: str,
    inputs: tuple[str, ...] = (),
    branch: str = MAIN_BRANCH,
) -> int:
    """Replace the whole table on `branch`, unless the raw tables it is built from did not
    change."""
    table = ensure_table(catalog, definition)
    fingerprint = "+".join(
        [TRANSFORM_VERSION] + [snapshot_id(catalog.load_table(n)) for n in (source, *inputs)]
    )
    if landed_fingerprints(table, branch).get("all") == fingerprint:
        return data.num_rows
    replace(
        table,
        with_lineage(data, definition, source, batch_id),
        "True",
        "all",
        fingerprint,
        batch_id,
        branch=branch,
    )
    return data.num_rows


def _day_fingerprint(raw_fingerprint: str, route_fingerprint: str) -> str:
    text = f"{raw_fingerprint}|{route_fingerprint}|{TRANSFORM_VERSION}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


_STAGE_FILE = re.compile(r"stage-(\d+)\.csv$")


def route_fingerprints(catalog: Catalog) -> dict[date, str]:
    """Each stage day's route as landed: the fingerprints of its stage files (raw.stage_routes
    records one per file, the day included), by the day the stage index gives them."""
    days = {
        r["stage"]: r["stage_date"]
        for r in read_all(catalog, STAGES, ("stage", "stage_date")).to_pylist()
    }
    found: dict[date, list[str]] = {}
    for label, fingerprint in sorted(
        landed_fingerprints(catalog.load_table(STAGE_ROUTES.name)).items()
    ):
        match = _STAGE_FILE.search(label)
        if match and int(match.group(1)) in days:
            found.setdefault(days[int(match.group(1))], []).append(fingerprint)
    return {day: "+".join(parts) for day, parts in found.items()}


@dataclass(frozen=True)
class DayPlan:
    day: date
    fingerprint: str
    build: bool


def plan_telemetry(
    catalog: Catalog, full_refresh: bool = False, only: set[date] | None = None
) -> list[DayPlan]:
    """Every raw day (in `only`, if given) with its staging fingerprint and whether to build."""
    raw = catalog.load_table(TELEMETRY.name)
    target = ensure_table(catalog, STAGING_TELEMETRY)
    routes = route_fingerprints(catalog)
    staged = landed_fingerprints(target)
    plans = []
    for part, raw_fp in sorted(landed_fingerprints(raw).items()):
        day = date.fromisoformat(part)
        if only is not None and day not in only:
            continue
        fingerprint = _day_fingerprint(raw_fp, routes.get(day, "no route"))
        plans.append(DayPlan(day, fingerprint, full_refresh or staged.get(part) != fingerprint))
    return plans


def build_day(
    catalog: Catalog,
    plan: DayPlan,
    batch_id: str,
    routes: dict[int, StageRoute] | None = None,
    branch: str = MAIN_BRANCH,
) -> StagedResult:
    """Build one planned staging day on `branch` (skipped if its plan says so)."""
    if not plan.build:
        return StagedResult(plan.day, 0, 0, 0, True)
    raw = catalog.load_table(TELEMETRY.name)
    target = ensure_table(catalog, STAGING_TELEMETRY)
    routes = routes if routes is not None else load_routes(catalog)[0]
    return stage_telemetry_day(raw, target, routes, plan.day, plan.fingerprint, batch_id, branch)


def build_telemetry(
    catalog: Catalog,
    full_refresh: bool = False,
    only: set[date] | None = None,
    batch_id: str | None = None,
    branch: str = MAIN_BRANCH,
) -> list[StagedResult]:
    """staging.telemetry for every raw day that is new or changed (or all of them), on
    `branch`."""
    batch_id = batch_id or uuid.uuid4().hex
    plans = plan_telemetry(catalog, full_refresh, only)
    routes = load_routes(catalog)[0] if any(p.build for p in plans) else {}
    return [build_day(catalog, plan, batch_id, routes, branch) for plan in plans]


def stage_telemetry_day(
    raw: Table,
    target: Table,
    routes: dict[int, StageRoute],
    day: date,
    fingerprint: str,
    batch_id: str,
    branch: str = MAIN_BRANCH,
) -> StagedResult:
    """Compute one staging day and replace its partition in one commit on `branch`."""
    rows = read_day(raw, day)
    staged = stage_day(rows, routes, day)
    data = with_lineage(staged.table, STAGING_TELEMETRY, TELEMETRY.name, batch_id)
    batches = data.to_batches(max_chunksize=262_144)
    dictionary = STAGING_TELEMETRY.dictionary
    counts = {RAW_ROWS_KEY: str(staged.raw_rows), DUPLICATES_KEY: str(staged.duplicates)}
    replace_partition(
        target, batches, day, dictionary, lambda: fingerprint, batch_id, counts, branch
    )
    return StagedResult(day, staged.raw_rows, data.num_rows, staged.duplicates, False)
