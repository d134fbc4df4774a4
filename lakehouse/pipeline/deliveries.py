"""What the sources were expected to deliver and did not: the stage index is the expectation.

The stage index (`raw.stages`, from stages/stages.csv) lists the stages raced so far. A stage
it lists is expected in the two other day-sliced sources: its day's telemetry partition
(`raw.telemetry`) and its route file (`raw.stage_routes`). A listed stage missing from either
after the night's ingestion is an undelivered day. The calendar is not the expectation: a race
replayed from another year, or a rest day, would otherwise look undelivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError

from lakehouse.lake.raw_tables import STAGE_ROUTES, STAGES, TELEMETRY
from lakehouse.lake.readers import read_all

EPOCH = date(1970, 1, 1)


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
    days = set()
    for task in table.scan(selected_fields=("stage_date",)).plan_files():
        value = task.file.partition[0]
        if task.file.record_count:
            days.add(value if isinstance(value, date) else EPOCH + timedelta(days=int(value)))
    return days


def find_undelivered(catalog: Catalog) -> list[Undelivered]:
    """The lakehouse's undelivered stage days, as published."""
    return undelivered(
        stage_index(catalog),
        landed_days(catalog, TELEMETRY.name),
        landed_days(catalog, STAGE_ROUTES.name),
    )
