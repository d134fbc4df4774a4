"""Where each rider is at each frame, and how they compare: from staging telemetry, in time.

A rider's position is the route distance of their clean telemetry, interpolated linearly in
time between points; before the effort's start crossing it is the segment's start, after its
end crossing the segment's end (crossings as lakehouse.transform.crossing computes them for the
marts). Where the points around a time are more than GPS_GAP_S apart, the position is bridged
across a GPS gap and marked estimated. Speed, power and heart rate are averaged over the last
SMOOTH_S seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lakehouse.gifs.request import Align
from lakehouse.gifs.riders import Entrant
from lakehouse.transform.efforts import Effort, Segment
from lakehouse.transform.tracks import FloatArray, Track

GPS_GAP_S = 2.5
"""Points further apart than this (1 Hz telemetry) leave a gap that the position bridges."""
SMOOTH_S = 5.0
"""Speed, power and heart rate shown are their mean over this many seconds."""


@dataclass(frozen=True)
class Duelist:
    """A rider of the duel: who, their track on the day, their effort on the segment."""

    entrant: Entrant
    track: Track
    effort: Effort


@dataclass(frozen=True)
class Motion:
    """One rider's state at every frame (arrays of the frame count)."""

    along_m: FloatArray
    speed_kmh: FloatArray
    power_w: FloatArray
    heart_rate: FloatArray
    estimated: np.ndarray
    finished: np.ndarray


@dataclass(frozen=True)
class Comparison:
    """Who leads at every frame, by how many seconds and metres."""

    leader: np.ndarray
    """0 or 1: the duelist ahead (at the end: the faster one)."""
    gap_s: FloatArray
    gap_m: FloatArray


def zero_s(duelists: tuple[Duelist, Duelist], align: Align) -> tuple[float, float]:
    """Each rider's clock time shown as 0: their own start crossing, or the earlier one."""
    starts = tuple(d.effort.started_s for d in duelists)
    if align == "start":
        return (starts[0], starts[1])
    first = min(starts)
    return (first, first)


def replay_s(duelists: tuple[Duelist, Duelist], align: Align) -> float:
    """How long the replay lasts (s): until the last rider's end crossing."""
    zeros = zero_s(duelists, align)
    return max(d.effort.ended_s - z for d, z in zip(duelists, zeros, strict=True))


def frame_times(duelists: tuple[Duelist, Duelist], align: Align, frames: int) -> FloatArray:
    """The replay's time (s) at each frame, evenly spaced, first 0 and last at the end."""
    return np.linspace(0.0, replay_s(duelists, align), frames)


def _windowed_mean(t_s: FloatArray, values: FloatArray, at: FloatArray) -> FloatArray:
    known = ~np.isnan(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(known, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(known)))
    hi = np.searchsorted(t_s, at, side="right")
    lo = np.searchsorted(t_s, at - SMOOTH_S, side="right")
    n = counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[hi] - sums[lo]) / np.maximum(n, 1), np.nan)


def motion(duelist: Duelist, segment: Segment, clock_s: FloatArray) -> Motion:
    """The rider's state at the clock times `clock_s` (absolute, as the track's t_s)."""
    track, effort = duelist.track, duelist.effort
    along = np.interp(clock_s, track.t_s, track.along_m)
    along = np.clip(along, segment.start_m, segment.end_m)
    along = np.where(clock_s <= effort.started_s, segment.start_m, along)
    finished = clock_s >= effort.ended_s
    along = np.where(finished, segment.end_m, along)
    riding = (clock_s > effort.started_s) & ~finished
    after = np.clip(np.searchsorted(track.t_s, clock_s), 1, len(track.t_s) - 1)
    spacing = track.t_s[after] - track.t_s[after - 1]
    return Motion(
        along_m=along,
        speed_kmh=_windowed_mean(track.t_s, track.speed_kmh, clock_s),
        power_w=_windowed_mean(track.t_s, track.power_w, clock_s),
        heart_rate=_windowed_mean(track.t_s, track.heart_rate, clock_s),
        estimated=riding & (spacing > GPS_GAP_S),
        finished=finished,
    )


def _time_at(duelist: Duelist, segment: Segment, along_m: FloatArray) -> FloatArray:
    """When (clock, s) the rider was at each route distance on the segment."""
    track, effort = duelist.track, duelist.effort
    inside = track.between(effort.started_s, effort.ended_s)
    t = np.concatenate(([effort.started_s], track.t_s[inside], [effort.ended_s]))
    at = np.concatenate(([segment.start_m], track.along_m[inside], [segment.end_m]))
    at = np.clip(np.maximum.accumulate(at), segment.start_m, segment.end_m)
    return np.interp(along_m, at, t)


def compare(
    duelists: tuple[Duelist, Duelist],
    motions: tuple[Motion, Motion],
    segment: Segment,
    replay: FloatArray,
    align: Align,
) -> Comparison:
    """The gap at each replay time: how long ago the leader was where the other rider is."""
    zeros = zero_s(duelists, align)
    a, b = motions
    times = tuple(d.effort.figures.time_s for d in duelists)
    faster = 0 if times[0] <= times[1] else 1
    leader = np.where(a.along_m > b.along_m, 0, np.where(b.along_m > a.along_m, 1, faster))
    gap_m = np.abs(a.along_m - b.along_m)
    gap_s = np.zeros_like(replay)
    for who in (0, 1):
        rows = leader == who
        other = motions[1 - who].along_m[rows]
        leader_was_there = _time_at(duelists[who], segment, other) - zeros[who]
        gap_s[rows] = replay[rows] - leader_was_there
    if align == "start":  # a ghost race ends on the difference of the two efforts
        gap_s[a.finished & b.finished] = abs(times[0] - times[1])
    return Comparison(leader=leader, gap_s=np.maximum(gap_s, 0.0), gap_m=gap_m)
