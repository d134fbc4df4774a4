"""What the sources were expected to deliver and did not: the stage index is the expectation.

The stage index (`raw.stages`, from stages/stages.csv) lists the stages raced so far. A stage
it lists is expected in the two other day-sliced sources: its day's telemetry partition
(`raw.telemetry`) and its route file (`raw.stage_routes`). A listed stage missing from either
after the night's ingestion is an undelivered day. The calendar is not the expectation: a race
replayed from another year, or a rest day, would otherwise look undelivered.

A day delivered in part (the rest of its telemetry still to come) has a partition, but its
riders' tracks stop before the finish: after the transform, a stage where fewer than half the
riders with telemetry reached the finish (`marts.stage_results`) is a day delivered in part.
Real abandons are a few riders a stage, never half the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError

from lakehouse.lake.mart_tables import STAGE_RESULTS
from lakehouse.lake.raw_tables import STAGE_ROUTES, STAGES, TELEMETRY
from lakehouse.lake.readers import read, read_all, rows_per_day

MIN_FINISHERS = 0.5
"""The share of a stage's riders with telemetry below which its day was delivered in part."""


@dataclass(frozen=True)
class Undelivered:
    """A stage of the index whose day a source has not delivered."""

    table: str
    stage: int
    day: date


def undelivered(
    index: dict[int, date], telemetry_days: Iterable[date], route_days: Iterable[date]
) -> list[Undelivered]:
    """The index's stages missing from telemetry or from the routes, in stage order."""
    have = {TELEMETRY.name: set(telemetry_days), STAGE_ROUTES.name: set(route_days)}
    return [
        Undelivered(table, stage, day)
        for stage, day in sorted(index.items())
        for table, days in have.items()
        if day not in days
    ]


def stage_index(catalog: Catalog) -> dict[int, date]:
    """Each stage's day as landed in raw.stages (empty before the index first lands)."""
    try:
        rows = read_all(catalog, STAGES).select(["stage", "stage_date"]).to_pylist()
    except NoSuchTableError:
        return {}
    return {r["stage"]: r["stage_date"] for r in rows if r["stage"] is not None}


def landed_days(catalog: Catalog, name: str) -> set[date]:
    """The stage days with at least one row in a table partitioned by day (file metadata)."""
    try:
        table = catalog.load_table(name)
    except NoSuchTableError:
        return set()
    return {day for day, rows in rows_per_day(table).items() if rows}


def find_undelivered(catalog: Catalog) -> list[Undelivered]:
    """The lakehouse's undelivered stage days, as published."""
    return undelivered(
        stage_index(catalog),
        landed_days(catalog, TELEMETRY.name),
        landed_days(catalog, STAGE_ROUTES.name),
    )


@dataclass(frozen=True)
class Unfinished:
    """A stage whose riders' tracks mostly stop before the finish: its day came in part."""

    stage: int
    day: date
    finished: int
    riders: int


def unfinished(results: Iterable[Mapping[str, Any]]) -> list[Unfinished]:
    """The stages of `marts.stage_results` rows (stage, stage_date, status) where fewer than
    MIN_FINISHERS of the riders finished (in or outside the time limit)."""
    riders: dict[tuple[int, date], list[int]] = {}
    for row in results:
        counts = riders.setdefault((row["stage"], row["stage_date"]), [0, 0])
        counts[0] += row["status"] != "abandoned"
        counts[1] += 1
    return [
        Unfinished(stage, day, done, total)
        for (stage, day), (done, total) in sorted(riders.items())
        if done < MIN_FINISHERS * total
    ]


def find_unfinished(catalog: Catalog) -> list[Unfinished]:
    """The published stages whose day came in part."""
    try:
        table = catalog.load_table(STAGE_RESULTS.name)
    except NoSuchTableError:
        return []
    return unfinished(read(table, columns=("stage", "stage_date", "status")).to_pylist())
