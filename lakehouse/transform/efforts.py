"""Segments of a stage (its climbs, its final 10 km, any range) and the riders' efforts on them.

A rider's effort on a segment runs from the crossing of its start to the crossing of its end
(lakehouse.transform.crossing). Per effort: time, average speed, VAM (metres climbed per hour,
from the route's elevation at both ends), average power and heart rate over the points in
between (None without the sensor), power per kilogram (the start list's weight), and the rank
among the riders who rode the whole segment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lakehouse.transform.facts import Route
from lakehouse.transform.results import StageFacts
from lakehouse.transform.tracks import Track, nan_mean

FINAL_SEGMENT_M = 10_000.0
"""Every stage also gets its final 10 km as a segment."""


@dataclass(frozen=True)
class Climb:
    """What a categorized climb adds to its segment (foot to summit)."""

    number: int
    category: str


@dataclass(frozen=True)
class Segment:
    stage: int
    segment_id: str
    name: str
    start_m: float
    end_m: float
    start_ele_m: float | None
    end_ele_m: float | None
    climb: Climb | None = None

    @property
    def kind(self) -> str:
        """climb, or segment (a distance range: the final 10 km, or one asked for)."""
        return "segment" if self.climb is None else "climb"


def route_segment(stage: int, route: Route, start_m: float, end_m: float, name: str) -> Segment:
    """The range of a stage's route from start_m to end_m, as a segment."""
    return Segment(
        stage=stage,
        segment_id=f"{stage}-{start_m:.0f}-{end_m:.0f}",
        name=name,
        start_m=start_m,
        end_m=end_m,
        start_ele_m=route.elevation(start_m),
        end_ele_m=route.elevation(end_m),
    )


def stage_segments(facts: StageFacts, route: Route) -> list[Segment]:
    """The stage's climbs (foot to summit) and its final 10 km: the stored segments."""
    feet = {c.climb_number: c for c in route.where("climb_foot")}
    found = []
    for top in route.where("climb_summit"):
        foot = feet.get(top.climb_number)
        if foot is None or top.climb_number is None:
            continue
        start_m, end_m = foot.distance_km * 1000.0, top.distance_km * 1000.0
        segment = route_segment(facts.stage, route, start_m, end_m, str(top.name))
        found.append(replace(segment, climb=Climb(top.climb_number, str(top.category))))
    end = facts.route_length_m
    start = max(end - FINAL_SEGMENT_M, 0.0)
    found.append(route_segment(facts.stage, route, start, end, "Final 10 km"))
    return found


@dataclass(frozen=True)
class EffortFigures:
    """What an effort measures, and its rank on the segment."""

    time_s: float
    avg_speed_kmh: float
    vam_m_h: float | None
    avg_power_w: float | None
    w_per_kg: float | None
    avg_hr_bpm: float | None
    rank: int


@dataclass(frozen=True)
class Effort:
    segment: Segment
    athlete_id: int
    started_s: float
    ended_s: float
    figures: EffortFigures


def segment_efforts(
    segment: Segment, tracks: dict[int, Track], weights: dict[int, float]
) -> list[Effort]:
    """Every rider's effort on the segment, fastest first."""
    if segment.end_m <= segment.start_m:
        raise ValueError(
            f"segment {segment.segment_id}: end {segment.end_m} m is not after start "
            f"{segment.start_m} m"
        )
    timed = []
    for athlete, track in tracks.items():
        t0 = track.crossing(segment.start_m)
        t1 = track.crossing(segment.end_m)
        if t0 is None or t1 is None or t1 <= t0:
            continue
        timed.append((t1 - t0, athlete, t0, t1, track))
    timed.sort(key=lambda item: (item[0], item[1]))
    gain = (
        segment.end_ele_m - segment.start_ele_m
        if segment.end_ele_m is not None and segment.start_ele_m is not None
        else None
    )
    efforts = []
    for rank, (time_s, athlete, t0, t1, track) in enumerate(timed, start=1):
        inside = track.between(t0, t1)
        power = nan_mean(track.power_w[inside])
        weight = weights.get(athlete)
        efforts.append(
            Effort(
                segment=segment,
                athlete_id=athlete,
                started_s=t0,
                ended_s=t1,
                figures=EffortFigures(
                    time_s=time_s,
                    avg_speed_kmh=(segment.end_m - segment.start_m) / time_s * 3.6,
                    vam_m_h=gain / time_s * 3600 if gain is not None else None,
                    avg_power_w=power,
                    w_per_kg=power / weight if power is not None and weight else None,
                    avg_hr_bpm=nan_mean(track.heart_rate[inside]),
                    rank=rank,
                ),
            )
        )
    return efforts
