"""Riders' clean tracks of a stage day, as arrays: what the marts are computed from."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from lakehouse.transform.crossing import fused_crossing
from lakehouse.transform.mapmatch import group_starts

FloatArray = NDArray[np.float64]
TRACK_COLUMNS = (
    "athlete_id",
    "recorded_at",
    "distance_km",
    "off_route",
    "is_spike",
    "is_jump",
    "moving",
    "speed_kmh",
    "heart_rate_bpm",
    "power_w",
)


@dataclass(frozen=True)
class Track:
    """One rider's clean points in time order (NaN where a sensor gave nothing)."""

    athlete_id: int
    t_s: FloatArray
    along_m: FloatArray
    moving: NDArray[np.bool_]
    speed_kmh: FloatArray
    heart_rate: FloatArray
    power_w: FloatArray

    def between(self, t0: float, t1: float) -> NDArray[np.bool_]:
        return (self.t_s >= t0) & (self.t_s <= t1)

    def crossing(self, line_m: float) -> float | None:
        """When the rider reaches `line_m` along the route (lakehouse.transform.crossing)."""
        return fused_crossing(self.along_m, self.t_s, self.speed_kmh, line_m)


def _floats(column: pa.ChunkedArray) -> FloatArray:
    return np.asarray(column.cast(pa.float64()).fill_null(np.nan).to_numpy(), dtype=np.float64)


def tracks_of_day(table: pa.Table) -> dict[int, Track]:
    """The day's points without spikes, jumps or off-route points, per rider."""
    flagged = pc.or_(pc.or_(table["off_route"], table["is_spike"]), table["is_jump"])
    clean = table.filter(pc.invert(flagged)).sort_by(
        [("athlete_id", "ascending"), ("recorded_at", "ascending")]
    )
    ids = clean["athlete_id"].to_numpy()
    t = clean["recorded_at"].cast(pa.int64()).to_numpy() / 1e6
    along = clean["distance_km"].to_numpy() * 1000.0
    moving = clean["moving"].to_numpy(zero_copy_only=False)
    speed, hr, power = (_floats(clean[c]) for c in ("speed_kmh", "heart_rate_bpm", "power_w"))
    starts = group_starts(ids).tolist()
    return {
        int(ids[lo]): Track(
            int(ids[lo]),
            t[lo:hi],
            along[lo:hi],
            moving[lo:hi],
            speed[lo:hi],
            hr[lo:hi],
            power[lo:hi],
        )
        for lo, hi in itertools.pairwise(starts)
    }


def nan_mean(values: FloatArray) -> float | None:
    """Mean of the known values; None when there are none."""
    known = values[~np.isnan(values)]
    return float(known.mean()) if len(known) else None
