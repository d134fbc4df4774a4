"""Ground truth: what really happened in the simulated race, for tests to check the pipeline.

- Stage results: each rider's crossing of the finish line to the microsecond, status, and the
  official time under the race's rules as the simulator applies them:
  * same-time rule (road stages): a rider who crosses less than 1 s after the rider ahead gets
    that rider's time, so a whole bunch shares the time of its first rider;
  * official times are whole seconds (truncated); time trials are timed from each rider's own
    start;
  * finish bonuses of 10, 6 and 4 s for the first three of a road stage.
- General classification after each stage: official times minus bonuses, summed over the
  stages a rider finished; riders who abandoned or finished outside the time limit leave it.
- Climb times: from the foot checkpoint to the summit checkpoint, for every rider who reached
  the summit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from racesim.checkpoints import Checkpoint
from racesim.race import Ride, StageRace

SAME_TIME_GAP_S = 1.0
FINISH_BONUSES_S = (10, 6, 4)


@dataclass(frozen=True)
class StageResult:
    stage: int
    bib: int
    athlete_id: int | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    finish_time_s: float | None
    official_time_s: int | None
    bonus_s: int
    rank: int | None


@dataclass(frozen=True)
class ClimbTime:
    stage: int
    climb_number: int
    climb_name: str
    category: str
    bib: int
    athlete_id: int | None
    foot_at: datetime
    summit_at: datetime
    time_s: float


@dataclass(frozen=True)
class GCEntry:
    stage: int
    bib: int
    rank: int
    total_time_s: int
    gap_s: int


def _at(race: StageRace, seconds: float) -> datetime:
    return race.start_at + timedelta(seconds=seconds)


def stage_results(race: StageRace) -> list[StageResult]:
    """Results of every starter, finishers ranked by crossing time."""
    timed = [
        (r.finish_s - r.start_s, r)
        for r in race.rides
        if r.finish_s is not None and r.status != "abandoned"
    ]
    timed.sort(key=lambda item: (item[0], item[1].rider.bib))
    official: dict[int, int] = {}
    head = prev = None
    for time_s, ride in timed:
        road = race.profile != "time_trial"
        if head is None or prev is None or not road or time_s - prev >= SAME_TIME_GAP_S:
            head = time_s
        prev = time_s
        official[ride.rider.bib] = int(np.floor(head))
    rank = {ride.rider.bib: i + 1 for i, (_, ride) in enumerate(timed)}
    results: list[StageResult] = []
    for ride in sorted(race.rides, key=lambda r: r.rider.bib):
        bib = ride.rider.bib
        finished = bib in rank
        bonus = 0
        if finished and race.profile != "time_trial" and rank[bib] <= len(FINISH_BONUSES_S):
            bonus = FINISH_BONUSES_S[rank[bib] - 1]
        results.append(
            StageResult(
                stage=race.info.stage,
                bib=bib,
                athlete_id=ride.rider.strava_athlete_id,
                status=ride.status,
                started_at=_at(race, ride.start_s),
                finished_at=_at(race, ride.finish_s) if finished and ride.finish_s else None,
                finish_time_s=(ride.finish_s - ride.start_s)
                if finished and ride.finish_s
                else None,
                official_time_s=official.get(bib),
                bonus_s=bonus,
                rank=rank.get(bib),
            )
        )
    return results


def _time_at(race: StageRace, ride: Ride, distance_m: float) -> float | None:
    valid = np.isfinite(ride.t_s)
    if distance_m > race.course.x_m[valid][-1]:
        return None
    return float(np.interp(distance_m, race.course.x_m[valid], ride.t_s[valid]))


def climb_times(race: StageRace, checkpoints: list[Checkpoint]) -> list[ClimbTime]:
    """Foot-to-summit times of every rider who reached each summit."""
    feet = {c.climb_number: c for c in checkpoints if c.kind == "climb_foot"}
    out: list[ClimbTime] = []
    for top in (c for c in checkpoints if c.kind == "climb_summit"):
        assert top.climb_number is not None
        foot = feet[top.climb_number]
        for ride in sorted(race.rides, key=lambda r: r.rider.bib):
            t_top = _time_at(race, ride, top.distance_m)
            t_foot = _time_at(race, ride, foot.distance_m)
            if t_top is None or t_foot is None:
                continue
            out.append(
                ClimbTime(
                    stage=race.info.stage,
                    climb_number=top.climb_number,
                    climb_name=top.name,
                    category=top.category or "",
                    bib=ride.rider.bib,
                    athlete_id=ride.rider.strava_athlete_id,
                    foot_at=_at(race, t_foot),
                    summit_at=_at(race, t_top),
                    time_s=t_top - t_foot,
                )
            )
    return out


class GeneralClassification:
    """Cumulative official time, updated stage after stage."""

    def __init__(self) -> None:
        self.total_s: dict[int, int] = {}
        self.out: set[int] = set()

    def order(self, bibs: list[int]) -> list[int]:
        """Bibs in classification order (riders without a time yet last, by bib)."""
        return sorted(bibs, key=lambda b: (self.total_s.get(b, 0), b))

    def add_stage(self, results: list[StageResult]) -> list[GCEntry]:
        for res in results:
            if res.status != "finished" or res.official_time_s is None:
                self.out.add(res.bib)
                self.total_s.pop(res.bib, None)
            elif res.bib not in self.out:
                self.total_s[res.bib] = (
                    self.total_s.get(res.bib, 0) + res.official_time_s - res.bonus_s
                )
        ranked = sorted(self.total_s, key=lambda b: (self.total_s[b], b))
        if not ranked:
            return []
        leader = self.total_s[ranked[0]]
        stage = results[0].stage
        return [
            GCEntry(stage, bib, i + 1, self.total_s[bib], self.total_s[bib] - leader)
            for i, bib in enumerate(ranked)
        ]
