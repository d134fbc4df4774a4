"""Typed rows of the marts, one record per table, and the one conversion to a table's schema.

A row's fields are the mart's columns (lakehouse/lake/mart_tables.py), by name; a field that
holds a record of its own (the day, the rider, the effort, a summary) stands for that record's
columns, as the definitions splice RIDER and EFFORT in. to_table checks that the columns are
exactly the definition's and converts the rows to Arrow in its schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from lakehouse.lake.definition import TableDef
from lakehouse.transform.classifications import Award
from lakehouse.transform.efforts import Climb, Effort, EffortFigures, Segment
from lakehouse.transform.facts import Rider
from lakehouse.transform.results import Result
from lakehouse.transform.summaries import RiderSummary, StageSummary

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True)
class Day:
    stage: int
    stage_date: date


@dataclass(frozen=True)
class RiderColumns:
    bib: int
    athlete_id: int
    rider_name: str
    team: str


@dataclass(frozen=True)
class EffortColumns:
    started_at: datetime
    ended_at: datetime
    figures: EffortFigures


@dataclass(frozen=True)
class StageResultRow:
    day: Day
    rider: RiderColumns
    status: str
    started_at: datetime
    finished_at: datetime | None
    finish_time_s: float | None
    official_time_s: int | None
    bonus_s: int
    rank: int | None
    gap_s: int | None


@dataclass(frozen=True)
class ClimbEffortRow:
    day: Day
    climb_number: int
    climb_name: str
    category: str
    length_km: float
    avg_gradient_pct: float
    rider: RiderColumns
    effort: EffortColumns


@dataclass(frozen=True)
class SegmentEffortRow:
    day: Day
    segment_id: str
    segment_name: str
    kind: str
    start_km: float
    end_km: float
    rider: RiderColumns
    effort: EffortColumns


@dataclass(frozen=True)
class RiderStageSummaryRow:
    day: Day
    rider: RiderColumns
    summary: RiderSummary


@dataclass(frozen=True)
class StageSummaryRow:
    day: Day
    summary: StageSummary
    winner_name: str | None
    winner_team: str | None


@dataclass(frozen=True)
class PointsAwardedRow:
    day: Day
    rider: RiderColumns
    classification: str
    at: str
    place: int
    points: int


@dataclass(frozen=True)
class GeneralClassificationRow:
    stage: int
    rider: RiderColumns
    rank: int
    total_time_s: int
    gap_s: int


@dataclass(frozen=True)
class RankingRow:
    """A row of marts.points_classification or marts.mountains_classification."""

    stage: int
    rider: RiderColumns
    rank: int
    points: int


def columns(row: DataclassInstance) -> dict[str, object]:
    """A row's columns by name: its fields, a record's fields in place of the record."""
    out: dict[str, object] = {}
    for f in fields(row):
        value = getattr(row, f.name)
        record = is_dataclass(value) and not isinstance(value, type)
        inner = columns(value) if record else {f.name: value}
        twice = inner.keys() & out.keys()
        if twice:
            raise ValueError(f"{type(row).__name__}: columns {sorted(twice)} twice")
        out.update(inner)
    return out


def to_table(rows: Sequence[DataclassInstance], definition: TableDef) -> pa.Table:
    """Typed rows as an Arrow table of the definition's columns (lineage left to the writer)."""
    schema = pa.schema([f for f in definition.schema().as_arrow() if not f.name.startswith("_")])
    found = [columns(r) for r in rows]
    for row, got in zip(rows, found, strict=True):
        if got.keys() != set(schema.names):
            raise ValueError(
                f"{type(row).__name__} for {definition.name}: columns {sorted(got)}; "
                f"expected {sorted(schema.names)}"
            )
    return pa.Table.from_pylist(found, schema=schema)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def rider_columns(rider: Rider) -> RiderColumns:
    return RiderColumns(rider.bib, rider.athlete_id, rider.name, rider.team)


def effort_columns(effort: Effort) -> EffortColumns:
    return EffortColumns(at(effort.started_s), at(effort.ended_s), effort.figures)


def result_row(day: Day, result: Result, rider: Rider) -> StageResultRow:
    return StageResultRow(
        day=day,
        rider=RiderColumns(result.bib, result.athlete_id, rider.name, rider.team),
        status=result.status,
        started_at=at(result.start_s),
        finished_at=None if result.finish_s is None else at(result.finish_s),
        finish_time_s=result.finish_time_s,
        official_time_s=result.official_time_s,
        bonus_s=result.bonus_s,
        rank=result.rank,
        gap_s=result.gap_s,
    )


def segment_row(
    day: Day, segment: Segment, span_km: tuple[float, float], effort: Effort, rider: Rider
) -> SegmentEffortRow:
    """A rider's effort on a segment; span_km is where the segment starts and ends (km)."""
    start_km, end_km = span_km
    return SegmentEffortRow(
        day=day,
        segment_id=segment.segment_id,
        segment_name=segment.name,
        kind=segment.kind,
        start_km=start_km,
        end_km=end_km,
        rider=rider_columns(rider),
        effort=effort_columns(effort),
    )


def climb_row(
    day: Day, segment: Segment, climb: Climb, effort: Effort, rider: Rider
) -> ClimbEffortRow:
    length = segment.end_m - segment.start_m
    gain = (segment.end_ele_m or 0.0) - (segment.start_ele_m or 0.0)
    return ClimbEffortRow(
        day=day,
        climb_number=climb.number,
        climb_name=segment.name,
        category=climb.category,
        length_km=length / 1000.0,
        avg_gradient_pct=100.0 * gain / length,
        rider=rider_columns(rider),
        effort=effort_columns(effort),
    )


def award_row(day: Day, award: Award, rider: Rider) -> PointsAwardedRow:
    return PointsAwardedRow(
        day=day,
        rider=RiderColumns(award.bib, rider.athlete_id, rider.name, rider.team),
        classification=award.classification,
        at=award.at,
        place=award.place,
        points=award.points,
    )


def stage_summary_row(day: Day, summary: StageSummary, winner: Rider | None) -> StageSummaryRow:
    return StageSummaryRow(
        day=day,
        summary=summary,
        winner_name=winner.name if winner else None,
        winner_team=winner.team if winner else None,
    )
