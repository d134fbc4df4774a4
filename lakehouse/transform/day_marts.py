"""Every mart row of one stage day, from its riders' tracks: pure functions, no catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from lakehouse.lake.definition import TableDef
from lakehouse.lake.mart_tables import (
    CLIMB_EFFORTS,
    POINTS_AWARDED,
    RIDER_STAGE_SUMMARY,
    SEGMENT_EFFORTS,
    STAGE_RESULTS,
    STAGE_SUMMARY,
)
from lakehouse.transform.classifications import (
    FINISH_POINTS,
    MOUNTAIN_POINTS,
    SPRINT_POINTS,
    Award,
    award,
)
from lakehouse.transform.efforts import Effort, Segment, segment_efforts
from lakehouse.transform.results import (
    TT_START_LINE_M,
    Result,
    Ride,
    StageFacts,
    stage_results,
    tt_start,
)
from lakehouse.transform.summaries import rider_summary, stage_summary
from lakehouse.transform.tracks import FloatArray, Track

FINAL_SEGMENT_M = 10_000.0
"""Every stage also gets its final 10 km as a segment."""


@dataclass(frozen=True)
class Rider:
    athlete_id: int
    bib: int
    name: str
    team: str
    weight_kg: float | None


@dataclass(frozen=True)
class Route:
    """A stage's elevation profile along its distance, and its checkpoints."""

    cum_m: FloatArray
    ele_m: FloatArray
    checkpoints: list[dict[str, object]] = field(default_factory=list)

    def elevation(self, at_m: float) -> float | None:
        known = ~np.isnan(self.ele_m)
        if not known.any():
            return None
        return float(np.interp(at_m, self.cum_m[known], self.ele_m[known]))


def typed(rows: Sequence[Mapping[str, object]], definition: TableDef) -> pa.Table:
    """Rows as an Arrow table of the definition's columns (lineage left to the writer)."""
    schema = pa.schema([f for f in definition.schema().as_arrow() if not f.name.startswith("_")])
    return pa.Table.from_pylist(list(rows), schema=schema)


def when(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def rides(tracks: dict[int, Track], facts: StageFacts, riders: dict[int, Rider]) -> list[Ride]:
    """Each known rider's start and finish crossing."""
    out = []
    for athlete, track in sorted(tracks.items()):
        if athlete not in riders:
            continue  # telemetry of a rider not on the start list: reported by the checks
        if facts.is_time_trial:
            beyond = np.flatnonzero(track.along_m > TT_START_LINE_M)
            if len(beyond) == 0:
                continue
            start_s = tt_start(float(track.t_s[beyond[0]]))
        else:
            start_s = facts.start_at.timestamp()
        finish = track.crossing(facts.route_length_m)
        out.append(Ride(athlete, riders[athlete].bib, start_s, finish))
    return out


def segments(facts: StageFacts, route: Route) -> list[Segment]:
    """The stage's climbs (foot to summit) and its final 10 km."""
    feet = {c["climb_number"]: c for c in route.checkpoints if c["checkpoint"] == "climb_foot"}
    found = []
    for top in (c for c in route.checkpoints if c["checkpoint"] == "climb_summit"):
        foot = feet.get(top["climb_number"])
        if foot is None:
            continue
        start_m = float(foot["distance_km"]) * 1000.0  # type: ignore[arg-type]
        end_m = float(top["distance_km"]) * 1000.0  # type: ignore[arg-type]
        found.append(
            Segment(
                stage=facts.stage,
                segment_id=f"{facts.stage}-{start_m:.0f}-{end_m:.0f}",
                name=str(top["name"]),
                kind="climb",
                start_m=start_m,
                end_m=end_m,
                start_ele_m=route.elevation(start_m),
                end_ele_m=route.elevation(end_m),
                category=str(top["category"]),
                climb_number=int(top["climb_number"]),  # type: ignore[call-overload]
            )
        )
    end = facts.route_length_m
    start = max(end - FINAL_SEGMENT_M, 0.0)
    found.append(
        Segment(
            facts.stage,
            f"{facts.stage}-{start:.0f}-{end:.0f}",
            "Final 10 km",
            "segment",
            start,
            end,
            route.elevation(start),
            route.elevation(end),
        )
    )
    return found


def effort_row(effort: Effort, rider: Rider) -> dict[str, object]:
    return {
        "bib": rider.bib,
        "athlete_id": effort.athlete_id,
        "rider_name": rider.name,
        "team": rider.team,
        "started_at": when(effort.started_s),
        "ended_at": when(effort.ended_s),
        "time_s": effort.time_s,
        "avg_speed_kmh": effort.avg_speed_kmh,
        "vam_m_h": effort.vam_m_h,
        "avg_power_w": effort.avg_power_w,
        "w_per_kg": effort.w_per_kg,
        "avg_hr_bpm": effort.avg_hr_bpm,
        "rank": effort.rank,
    }


def day_marts(
    facts: StageFacts, tracks: dict[int, Track], riders: dict[int, Rider], route: Route
) -> tuple[list[Result], dict[str, pa.Table]]:
    """The day's results and its rows of every per-day mart, by table name."""
    results = stage_results(facts, rides(tracks, facts, riders))
    by_bib = {r.bib: r for r in riders.values()}
    day = {"stage": facts.stage, "stage_date": facts.stage_date}
    result_rows = [
        {
            **day,
            "bib": r.bib,
            "athlete_id": r.athlete_id,
            "rider_name": by_bib[r.bib].name,
            "team": by_bib[r.bib].team,
            "status": r.status,
            "started_at": when(r.start_s),
            "finished_at": when(r.finish_s),
            "finish_time_s": r.finish_time_s,
            "official_time_s": r.official_time_s,
            "bonus_s": r.bonus_s,
            "rank": r.rank,
            "gap_s": r.gap_s,
        }
        for r in results
    ]
    weights = {a: r.weight_kg for a, r in riders.items() if r.weight_kg}
    known = {a: t for a, t in tracks.items() if a in riders}
    climb_rows, segment_rows = [], []
    climbs: list[tuple[Segment, list[Effort]]] = []
    for segment in segments(facts, route):
        efforts = segment_efforts(segment, known, weights)
        if segment.kind == "climb":
            climbs.append((segment, efforts))
        for effort in efforts:
            rider = riders[effort.athlete_id]
            row = effort_row(effort, rider)
            segment_rows.append(
                {
                    **day,
                    "segment_id": segment.segment_id,
                    "segment_name": segment.name,
                    "kind": segment.kind,
                    "start_km": segment.start_m / 1000.0,
                    "end_km": segment.end_m / 1000.0,
                    **row,
                }
            )
            if segment.kind == "climb":
                length = segment.end_m - segment.start_m
                gain = (segment.end_ele_m or 0.0) - (segment.start_ele_m or 0.0)
                climb_rows.append(
                    {
                        **day,
                        "climb_number": segment.climb_number,
                        "climb_name": segment.name,
                        "category": segment.category,
                        "length_km": length / 1000.0,
                        "avg_gradient_pct": 100.0 * gain / length,
                        **row,
                    }
                )
    summary_rows = []
    for athlete, track in sorted(known.items()):
        s = rider_summary(track, route.ele_m, route.cum_m)
        rider = riders[athlete]
        summary_rows.append(
            {
                **day,
                "bib": rider.bib,
                "athlete_id": athlete,
                "rider_name": rider.name,
                "team": rider.team,
                **{k: v for k, v in s.__dict__.items() if k != "athlete_id"},
            }
        )
    award_rows = [
        {
            **day,
            "bib": a.bib,
            "athlete_id": by_bib[a.bib].athlete_id,
            "rider_name": by_bib[a.bib].name,
            "team": by_bib[a.bib].team,
            "classification": a.classification,
            "at": a.at,
            "place": a.place,
            "points": a.points,
        }
        for a in stage_awards(facts, results, known, riders, route, climbs)
    ]
    summary = stage_summary(results, facts.route_length_m)
    winner = by_bib.get(summary.winner_bib) if summary.winner_bib is not None else None
    stage_row = {
        **day,
        **summary.__dict__,
        "winner_name": winner.name if winner else None,
        "winner_team": winner.team if winner else None,
    }
    return results, {
        STAGE_RESULTS.name: typed(result_rows, STAGE_RESULTS),
        CLIMB_EFFORTS.name: typed(climb_rows, CLIMB_EFFORTS),
        SEGMENT_EFFORTS.name: typed(segment_rows, SEGMENT_EFFORTS),
        RIDER_STAGE_SUMMARY.name: typed(summary_rows, RIDER_STAGE_SUMMARY),
        STAGE_SUMMARY.name: typed([stage_row], STAGE_SUMMARY),
        POINTS_AWARDED.name: typed(award_rows, POINTS_AWARDED),
    }


def stage_awards(
    facts: StageFacts,
    results: list[Result],
    tracks: dict[int, Track],
    riders: dict[int, Rider],
    route: Route,
    climbs: list[tuple[Segment, list[Effort]]],
) -> list[Award]:
    """Points at the finish and the sprints, mountain points at the summits."""
    finishers = sorted(
        (r for r in results if r.status == "finished" and r.rank is not None),
        key=lambda r: r.rank or 0,
    )
    awards = award(
        facts.stage,
        "points",
        "finish",
        [r.bib for r in finishers],
        FINISH_POINTS.get(facts.profile, FINISH_POINTS["flat"]),
    )
    for sprint in (c for c in route.checkpoints if c["checkpoint"] == "sprint"):
        line = float(sprint["distance_km"]) * 1000.0  # type: ignore[arg-type]
        crossed = []
        for athlete, track in tracks.items():
            at = track.crossing(line)
            if at is not None:
                crossed.append((at, riders[athlete].bib))
        order = [bib for _, bib in sorted(crossed)]
        awards += award(facts.stage, "points", str(sprint["name"]), order, SPRINT_POINTS)
    for segment, efforts in climbs:
        order = [riders[e.athlete_id].bib for e in sorted(efforts, key=lambda e: e.ended_s)]
        scale = MOUNTAIN_POINTS.get(segment.category or "", ())
        awards += award(facts.stage, "mountains", segment.name, order, scale)
    return awards
