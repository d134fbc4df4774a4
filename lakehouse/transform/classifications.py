"""Points and mountains: points awarded on each stage, and the classifications after each stage.

Scales (the places beyond a scale score nothing):
- points, finish of a flat stage: 50, 30, 20, 18, 16, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2;
- points, finish of a hilly stage: 30, 25, 22, 19, 17, 15, 13, 11, 9, 7, 6, 5, 4, 3, 2;
- points, finish of a mountain stage or a time trial, and every intermediate sprint:
  20, 17, 15, 13, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1;
- mountains, at the summit: HC 20, 15, 12, 10, 8, 6, 4, 2; category 1: 10, 8, 6, 4, 2, 1;
  category 2: 5, 3, 2, 1; category 3: 2, 1; category 4: 1.
Places are the order of the crossings among the riders with telemetry. A classification after
a stage sums a rider's points over the stages so far; riders who left the race (abandoned or
outside the time limit) leave it; ties are broken by the better general classification time,
then by bib.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.transform.results import Result, Standing

MOUNTAIN_FINISH = (20, 17, 15, 13, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
FINISH_POINTS = {
    "flat": (50, 30, 20, 18, 16, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2),
    "hilly": (30, 25, 22, 19, 17, 15, 13, 11, 9, 7, 6, 5, 4, 3, 2),
    "mountain": MOUNTAIN_FINISH,
    "time_trial": MOUNTAIN_FINISH,
}
SPRINT_POINTS = MOUNTAIN_FINISH
MOUNTAIN_POINTS = {
    "HC": (20, 15, 12, 10, 8, 6, 4, 2),
    "1": (10, 8, 6, 4, 2, 1),
    "2": (5, 3, 2, 1),
    "3": (2, 1),
    "4": (1,),
}


@dataclass(frozen=True)
class Award:
    stage: int
    bib: int
    classification: str
    """points or mountains."""
    at: str
    """finish, the sprint's name or the climb's name."""
    place: int
    points: int


def award(
    stage: int, classification: str, at: str, order: list[int], scale: tuple[int, ...]
) -> list[Award]:
    """Points for the first riders of `order` (bibs in crossing order) on `scale`."""
    return [
        Award(stage, bib, classification, at, place, scale[place - 1])
        for place, bib in enumerate(order[: len(scale)], start=1)
    ]


@dataclass(frozen=True)
class Ranking:
    stage: int
    bib: int
    rank: int
    points: int


def classification(
    kind: str, awards: list[Award], results: list[Result], standings: list[Standing]
) -> list[Ranking]:
    """The `kind` classification after each stage."""
    total: dict[int, int] = {}
    out: set[int] = set()
    rankings: list[Ranking] = []
    for stage in sorted({r.stage for r in results}):
        gc = {s.bib: s.total_time_s for s in standings if s.stage == stage}
        for res in (r for r in results if r.stage == stage):
            if res.status != "finished":
                out.add(res.bib)
            elif res.bib not in out:
                total.setdefault(res.bib, 0)
        for a in (a for a in awards if a.stage == stage and a.classification == kind):
            if a.bib not in out:
                total[a.bib] = total.get(a.bib, 0) + a.points
        for bib in out:
            total.pop(bib, None)
        scored = [b for b in total if total[b] > 0]
        ranked = sorted(scored, key=lambda b: (-total[b], gc.get(b, 1 << 62), b))
        rankings += [Ranking(stage, b, i + 1, total[b]) for i, b in enumerate(ranked)]
    return rankings
