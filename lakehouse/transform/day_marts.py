"""Every mart row of one stage day, from its riders' tracks: pure functions, no catalog."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

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
from lakehouse.transform.efforts import Climb, Effort, Segment, segment_efforts, stage_segments
from lakehouse.transform.facts import Rider, Route
from lakehouse.transform.mart_rows import (
    ClimbEffortRow,
    Day,
    RiderStageSummaryRow,
    SegmentEffortRow,
    award_row,
    climb_row,
    result_row,
    rider_columns,
    segment_row,
    stage_summary_row,
    to_table,
)
from lakehouse.transform.results import (
    TT_START_LINE_M,
    Result,
    Ride,
    StageFacts,
    stage_results,
    tt_start,
)
from lakehouse.transform.summaries import rider_summary, stage_summary
from lakehouse.transform.tracks import Track

SegmentEfforts = list[tuple[Segment, list[Effort]]]
ClimbEfforts = list[tuple[Segment, Climb, list[Effort]]]


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


def day_marts(
    facts: StageFacts, tracks: dict[int, Track], riders: dict[int, Rider], route: Route
) -> tuple[list[Result], dict[str, pa.Table]]:
    """The day's results and its rows of every per-day mart, by table name."""
    results = stage_results(facts, rides(tracks, facts, riders))
    by_bib = {r.bib: r for r in riders.values()}
    day = Day(facts.stage, facts.stage_date)
    weights = {a: r.weight_kg for a, r in riders.items() if r.weight_kg}
    known = {a: t for a, t in tracks.items() if a in riders}
    efforts = [(s, segment_efforts(s, known, weights)) for s in stage_segments(facts, route)]
    climbs = [(s, s.climb, e) for s, e in efforts if s.climb is not None]
    awards = stage_awards(facts, results, known, riders, route, climbs)
    summary = stage_summary(results, facts.route_length_m)
    winner = by_bib.get(summary.winner_bib) if summary.winner_bib is not None else None
    summaries = [
        RiderStageSummaryRow(
            day, rider_columns(riders[a]), rider_summary(track, route.ele_m, route.cum_m)
        )
        for a, track in sorted(known.items())
    ]
    return results, {
        STAGE_RESULTS.name: to_table(
            [result_row(day, r, by_bib[r.bib]) for r in results], STAGE_RESULTS
        ),
        CLIMB_EFFORTS.name: to_table(climb_rows(day, climbs, riders), CLIMB_EFFORTS),
        SEGMENT_EFFORTS.name: to_table(segment_rows(day, efforts, riders), SEGMENT_EFFORTS),
        RIDER_STAGE_SUMMARY.name: to_table(summaries, RIDER_STAGE_SUMMARY),
        STAGE_SUMMARY.name: to_table([stage_summary_row(day, summary, winner)], STAGE_SUMMARY),
        POINTS_AWARDED.name: to_table(
            [award_row(day, a, by_bib[a.bib]) for a in awards], POINTS_AWARDED
        ),
    }


def segment_rows(
    day: Day, efforts: SegmentEfforts, riders: dict[int, Rider]
) -> list[SegmentEffortRow]:
    """marts.segment_efforts: every effort on every stored segment of the day."""
    return [
        segment_row(day, s, (s.start_m / 1000.0, s.end_m / 1000.0), e, riders[e.athlete_id])
        for s, on_segment in efforts
        for e in on_segment
    ]


def climb_rows(day: Day, climbs: ClimbEfforts, riders: dict[int, Rider]) -> list[ClimbEffortRow]:
    """marts.climb_efforts: every effort on the day's categorized climbs."""
    return [
        climb_row(day, s, climb, e, riders[e.athlete_id])
        for s, climb, on_climb in climbs
        for e in on_climb
    ]


def stage_awards(
    facts: StageFacts,
    results: list[Result],
    tracks: dict[int, Track],
    riders: dict[int, Rider],
    route: Route,
    climbs: ClimbEfforts,
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
    sprints = route.where("sprint")
    sprint_names = passage_names([str(s.name) for s in sprints])
    for sprint, sprint_name in zip(sprints, sprint_names, strict=True):
        line = sprint.distance_km * 1000.0
        crossed = []
        for athlete, track in tracks.items():
            at = track.crossing(line)
            if at is not None:
                crossed.append((at, riders[athlete].bib))
        order = [bib for _, bib in sorted(crossed)]
        awards += award(facts.stage, "points", sprint_name, order, SPRINT_POINTS)
    climb_names = passage_names([segment.name for segment, _, _ in climbs])
    for (_, climb, efforts), climb_name in zip(climbs, climb_names, strict=True):
        order = [riders[e.athlete_id].bib for e in sorted(efforts, key=lambda e: e.ended_s)]
        scale = MOUNTAIN_POINTS.get(climb.category, ())
        awards += award(facts.stage, "mountains", climb_name, order, scale)
    return awards


def passage_names(names: list[str]) -> list[str]:
    """Names told apart where a stage passes the same place twice (a climb ridden twice, a
    circuit's sprint): `Col des Saisies (passage 2)`; a name met once stays as it is."""
    counts = {name: names.count(name) for name in names}
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(f"{name} (passage {seen[name]})" if counts[name] > 1 else name)
    return out
