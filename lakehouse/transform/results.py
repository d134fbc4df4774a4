"""Stage results and the general classification, from the riders' crossing times.

The rules, as the race applies them (docs/transforms.md):
- a road stage is timed from the official start (`start_at`); a time trial from each rider's
  own start: the scheduled minute, recovered from the telemetry as the minute in which the
  rider first passes TT_START_LINE_M;
- the finish time is the crossing of the finish line (lakehouse.transform.crossing);
- official times are whole seconds (truncated). On road stages the same-time rule applies: a
  rider who crosses less than SAME_TIME_GAP_S after the rider ahead gets that rider's time,
  chained through a bunch;
- finish bonuses of 10, 6 and 4 s go to the first three of a road stage;
- the time limit is the winner's time plus the stage's percentage: slower finishers are
  `outside_time_limit`; riders who do not reach the line are `abandoned`; both leave the
  general classification;
- the general classification after a stage sums official times minus bonuses over the stages
  a rider finished, ties broken by bib.

Only riders with telemetry are seen: ranks, bonuses and gaps are among them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

SAME_TIME_GAP_S = 1.0
FINISH_BONUSES_S = (10, 6, 4)
TT_START_LINE_M = 20.0


@dataclass(frozen=True)
class StageFacts:
    stage: int
    stage_date: date
    kind: str
    start_at: datetime
    route_length_m: float
    time_limit_pct: float
    profile: str = "flat"
    """flat, hilly, mountain or time_trial: picks the finish's points scale."""

    @property
    def is_time_trial(self) -> bool:
        return self.kind == "individual_time_trial"


@dataclass(frozen=True)
class Ride:
    """What the telemetry tells of one rider on one stage (times in epoch seconds)."""

    athlete_id: int
    bib: int
    start_s: float
    finish_s: float | None


@dataclass(frozen=True)
class Result:
    stage: int
    stage_date: date
    athlete_id: int
    bib: int
    status: str
    start_s: float
    finish_s: float | None
    finish_time_s: float | None
    official_time_s: int | None
    bonus_s: int
    rank: int | None
    gap_s: int | None


def tt_start(first_beyond_line_s: float) -> float:
    """The scheduled start minute of a time-trial rider (epoch seconds)."""
    return math.floor(first_beyond_line_s / 60.0) * 60.0


def same_time_heads(timed: list[tuple[float, int]], time_trial: bool) -> dict[int, int]:
    """Each finisher's bib -> the bib whose time they get, from (time, bib) in finishing order.

    On a road stage a rider less than SAME_TIME_GAP_S behind the rider ahead gets the time of
    that rider's group head; in a time trial everyone keeps their own.
    """
    heads: dict[int, int] = {}
    head, prev = 0, -math.inf
    for time_s, bib in timed:
        if time_trial or time_s - prev >= SAME_TIME_GAP_S:
            head = bib
        prev = time_s
        heads[bib] = head
    return heads


def stage_results(facts: StageFacts, rides: list[Ride]) -> list[Result]:
    """Every rider's result on the stage: finishers ranked, the others with their status."""
    timed = sorted(
        ((r.finish_s - r.start_s, r) for r in rides if r.finish_s is not None),
        key=lambda item: (item[0], item[1].bib),
    )
    limit = timed[0][0] * (1 + facts.time_limit_pct / 100) if timed else math.inf
    time_of = {ride.bib: time_s for time_s, ride in timed}
    heads = same_time_heads([(time_s, ride.bib) for time_s, ride in timed], facts.is_time_trial)
    official = {bib: math.floor(time_of[head]) for bib, head in heads.items()}
    rank = {ride.bib: i + 1 for i, (_, ride) in enumerate(timed)}
    winner = official[timed[0][1].bib] if timed else 0
    results = []
    for ride in sorted(rides, key=lambda r: r.bib):
        finished = ride.bib in rank
        took = ride.finish_s - ride.start_s if ride.finish_s is not None else None
        if not finished:
            status = "abandoned"
        elif took is not None and took > limit:
            status = "outside_time_limit"
        else:
            status = "finished"
        bonus = 0
        if finished and not facts.is_time_trial and rank[ride.bib] <= len(FINISH_BONUSES_S):
            bonus = FINISH_BONUSES_S[rank[ride.bib] - 1]
        results.append(
            Result(
                stage=facts.stage,
                stage_date=facts.stage_date,
                athlete_id=ride.athlete_id,
                bib=ride.bib,
                status=status,
                start_s=ride.start_s,
                finish_s=ride.finish_s,
                finish_time_s=took,
                official_time_s=official.get(ride.bib),
                bonus_s=bonus,
                rank=rank.get(ride.bib),
                gap_s=official[ride.bib] - winner if finished else None,
            )
        )
    return results


@dataclass(frozen=True)
class Standing:
    stage: int
    bib: int
    rank: int
    total_time_s: int
    gap_s: int


def general_classification(results: list[Result]) -> list[Standing]:
    """The classification after each stage, from every stage's results."""
    total: dict[int, int] = {}
    out: set[int] = set()
    standings: list[Standing] = []
    for stage in sorted({r.stage for r in results}):
        for res in (r for r in results if r.stage == stage):
            if res.status != "finished" or res.official_time_s is None:
                out.add(res.bib)
                total.pop(res.bib, None)
            elif res.bib not in out:
                total[res.bib] = total.get(res.bib, 0) + res.official_time_s - res.bonus_s
        ranked = sorted(total, key=lambda b: (total[b], b))
        if not ranked:
            continue
        leader = total[ranked[0]]
        standings += [
            Standing(stage, bib, i + 1, total[bib], total[bib] - leader)
            for i, bib in enumerate(ranked)
        ]
    return standings
