"""Efforts on segments of a stage: climbs (named segments) or any distance range, on demand.

A rider's effort on a segment runs from the crossing of its start to the crossing of its end
(lakehouse.transform.crossing). Per effort: time, average speed, VAM (metres climbed per hour,
from the route's elevation at both ends), average power and heart rate over the points in
between (None without the sensor), power per kilogram (the start list's weight), and the rank
among the riders who rode the whole segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.transform.tracks import Track, nan_mean


@dataclass(frozen=True)
class Segment:
    stage: int
    segment_id: str
    name: str
    kind: str
    """climb, or segment (a distance range asked for)."""
    start_m: float
    end_m: float
    start_ele_m: float | None
    end_ele_m: float | None
    category: str | None = None
    climb_number: int | None = None


@dataclass(frozen=True)
class Effort:
    segment: Segment
    athlete_id: int
    started_s: float
    ended_s: float
    time_s: float
    avg_speed_kmh: float
    vam_m_h: float | None
    avg_power_w: float | None
    w_per_kg: float | None
    avg_hr_bpm: float | None
    rank: int


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
                time_s=time_s,
                avg_speed_kmh=(segment.end_m - segment.start_m) / time_s * 3.6,
                vam_m_h=gain / time_s * 3600 if gain is not None else None,
                avg_power_w=power,
                w_per_kg=power / weight if power is not None and weight else None,
                avg_hr_bpm=nan_mean(track.heart_rate[inside]),
                rank=rank,
            )
        )
    return efforts
