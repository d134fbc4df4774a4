"""Per rider and per stage summaries.

Rider (per stage): distance covered along the route; moving time (the seconds between
consecutive points where the rider moves at both, gaps of up to MAX_GAP_S counted whole, so a
short GPS dropout at speed still counts); average speed over the moving time; maxima of the
head-unit speed and heart rate; average power, normalized power (the fourth-power mean of the
30 s rolling average, on the 1 s grid the points are recorded on, gaps left out) and work
(power times the time to the next point, up to MAX_GAP_S); the route's climbing over the
distance covered (sum of the rises of its elevation profile).

Stage: the winner, the average speed (route length over the winner's time), how many started,
finished, abandoned or missed the time limit, and the largest gap between consecutive
finishers' official times.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from lakehouse.transform.results import Result
from lakehouse.transform.tracks import FloatArray, Track, nan_mean

MAX_GAP_S = 60.0
NP_WINDOW_S = 30


@dataclass(frozen=True)
class RiderSummary:
    """The marts.rider_stage_summary measures of one rider's track."""

    distance_km: float
    moving_time_s: float
    avg_speed_kmh: float | None
    max_speed_kmh: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None
    avg_power_w: float | None
    normalized_power_w: float | None
    work_kj: float | None
    elevation_gain_m: float


def _nan_max(values: FloatArray) -> float | None:
    known = values[~np.isnan(values)]
    return float(known.max()) if len(known) else None


def normalized_power(t_s: FloatArray, power_w: FloatArray) -> float | None:
    """Fourth-power mean of the 30 s rolling average of power on a 1 s grid (gaps skipped)."""
    known = ~np.isnan(power_w)
    if known.sum() < NP_WINDOW_S:
        return None
    seconds = np.rint(t_s[known] - t_s[known][0]).astype(np.int64)
    grid = np.full(int(seconds[-1]) + 1, np.nan)
    grid[seconds] = power_w[known]
    filled = np.nan_to_num(grid)
    counts = np.convolve(~np.isnan(grid), np.ones(NP_WINDOW_S), mode="valid")
    sums = np.convolve(filled, np.ones(NP_WINDOW_S), mode="valid")
    full = counts == NP_WINDOW_S  # only windows without a gap
    if not full.any():
        return None
    rolling = sums[full] / NP_WINDOW_S
    return float(np.mean(rolling**4) ** 0.25)


def climbing(profile_m: FloatArray, cum_m: FloatArray, start_m: float, end_m: float) -> float:
    """The rises of the route's elevation profile between two distances (m)."""
    inside = (cum_m >= start_m) & (cum_m <= end_m)
    ele = profile_m[inside]
    if len(ele) < 2:
        return 0.0
    return float(np.clip(np.diff(ele), 0.0, None).sum())


def rider_summary(track: Track, profile_m: FloatArray, cum_m: FloatArray) -> RiderSummary:
    dt = np.diff(track.t_s)
    step = np.minimum(dt, MAX_GAP_S)
    both_moving = track.moving[1:] & track.moving[:-1]
    moving_time = float(step[both_moving].sum()) if len(dt) else 0.0
    start = float(np.min(track.along_m)) if len(track.along_m) else 0.0
    end = float(np.max(track.along_m)) if len(track.along_m) else 0.0
    distance = end - start
    power = track.power_w
    work = None
    if (~np.isnan(power)).any() and len(dt):
        work = float(np.nansum(power[:-1] * step) / 1000.0)
    return RiderSummary(
        distance_km=distance / 1000.0,
        moving_time_s=moving_time,
        avg_speed_kmh=distance / moving_time * 3.6 if moving_time > 0 else None,
        max_speed_kmh=_nan_max(track.speed_kmh),
        avg_hr_bpm=nan_mean(track.heart_rate),
        max_hr_bpm=_nan_max(track.heart_rate),
        avg_power_w=nan_mean(power),
        normalized_power_w=normalized_power(track.t_s, power),
        work_kj=work,
        elevation_gain_m=climbing(profile_m, cum_m, start, end),
    )


@dataclass(frozen=True)
class StageSummary:
    winner_bib: int | None
    winner_time_s: float | None
    avg_speed_kmh: float | None
    starters: int
    finishers: int
    abandoned: int
    outside_time_limit: int
    largest_gap_s: int | None
    largest_gap_after_rank: int | None


def stage_summary(results: list[Result], route_length_m: float) -> StageSummary:
    ranked = sorted((r for r in results if r.rank is not None), key=lambda r: r.rank or 0)
    winner = ranked[0] if ranked else None
    gaps = [
        ((b.official_time_s or 0) - (a.official_time_s or 0), a.rank or 0)
        for a, b in itertools.pairwise(ranked)
        if b.status == "finished"
    ]
    largest = max(gaps, key=lambda g: (g[0], -g[1])) if gaps else None
    return StageSummary(
        winner_bib=winner.bib if winner else None,
        winner_time_s=winner.finish_time_s if winner else None,
        avg_speed_kmh=(
            route_length_m / winner.finish_time_s * 3.6 if winner and winner.finish_time_s else None
        ),
        starters=len(results),
        finishers=sum(r.status == "finished" for r in results),
        abandoned=sum(r.status == "abandoned" for r in results),
        outside_time_limit=sum(r.status == "outside_time_limit" for r in results),
        largest_gap_s=largest[0] if largest else None,
        largest_gap_after_rank=largest[1] if largest else None,
    )
