"""staging.telemetry for one stage day: typed, deduplicated, flagged, matched to the route.

Pure functions over Arrow tables and numpy arrays (no catalog, no Prefect), so each step is
tested on its own. The flag thresholds are defined with the table, in lakehouse.lake.staging_tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from lakehouse.errors import PelotonError
from lakehouse.lake.staging_tables import MOVING_KMH, OFF_ROUTE_M, SPIKE_KMH, STAGING_TELEMETRY
from lakehouse.transform.mapmatch import (
    RouteLine,
    group_starts,
    match_points,
    to_plane,
)

FloatArray = NDArray[np.float64]
GRADIENT_WINDOW_M = 100.0


@dataclass(frozen=True)
class StageRoute:
    """A stage's route for matching: the line and the gradient at each route point."""

    stage: int
    line: RouteLine
    gradient_pct: FloatArray

    @classmethod
    def from_points(
        cls, stage: int, lat: FloatArray, lon: FloatArray, ele_m: FloatArray, cum_m: FloatArray
    ) -> StageRoute:
        return cls(stage, RouteLine.from_degrees(lat, lon, cum_m), gradient(cum_m, ele_m))


def gradient(
    cum_m: FloatArray, ele_m: FloatArray, window_m: float = GRADIENT_WINDOW_M
) -> FloatArray:
    """Gradient (%) at each point: the elevation change over `window_m` centred on it."""
    ele = np.asarray(ele_m, dtype=np.float64)
    if np.isnan(ele).all():
        return np.full(len(cum_m), np.nan)
    known = ~np.isnan(ele)
    lo = np.maximum(cum_m - window_m / 2, cum_m[0])
    hi = np.minimum(cum_m + window_m / 2, cum_m[-1])
    rise = np.interp(hi, cum_m[known], ele[known]) - np.interp(lo, cum_m[known], ele[known])
    run = np.maximum(hi - lo, 1e-9)
    return np.asarray(100.0 * rise / run)


@dataclass(frozen=True)
class StagedDay:
    table: pa.Table
    raw_rows: int
    duplicates: int


def _neighbour_speeds(
    x: FloatArray, y: FloatArray, t: FloatArray, starts: NDArray[np.int64]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Speeds (km/h) from the previous point, to the next one, and previous to next."""
    n = len(x)
    first = np.zeros(n, dtype=bool)
    last = np.zeros(n, dtype=bool)
    if n:
        first[starts[:-1]] = True
        last[starts[1:] - 1] = True

    def speed(dx: FloatArray, dy: FloatArray, dt: FloatArray) -> FloatArray:
        return np.asarray(3.6 * np.hypot(dx, dy) / np.maximum(dt, 1e-3))

    v_in = np.zeros(n)
    v_out = np.zeros(n)
    v_across = np.zeros(n)
    if n > 1:
        step = speed(np.diff(x), np.diff(y), np.diff(t))
        v_in[1:] = step
        v_out[:-1] = step
        v_in[first] = 0.0
        v_out[last] = 0.0
    if n > 2:
        v_across[1:-1] = speed(x[2:] - x[:-2], y[2:] - y[:-2], t[2:] - t[:-2])
    v_across[first | last] = 0.0
    return v_in, v_out, v_across


def stage_day(raw: pa.Table, routes: dict[int, StageRoute], day: date) -> StagedDay:
    """staging.telemetry rows (without lineage) for the raw rows of one day."""
    stages = set(pc.unique(raw["stage"]).to_pylist()) if raw.num_rows else set()
    missing = sorted(s for s in stages if s not in routes)
    if missing:
        raise PelotonError(
            f"telemetry of {day}: no route for stage(s) {missing} in raw.stage_routes; "
            "ingest the stage files first"
        )
    ordered = raw.sort_by(
        [("stage", "ascending"), ("athlete_id", "ascending"), ("recorded_at", "ascending")]
    )
    ids = ordered["athlete_id"].to_numpy()
    stage_col = ordered["stage"].to_numpy()
    t_us = ordered["recorded_at"].cast(pa.int64()).to_numpy()
    same = np.zeros(len(ids), dtype=bool)
    if len(ids) > 1:
        same[1:] = (
            (ids[1:] == ids[:-1]) & (stage_col[1:] == stage_col[:-1]) & (t_us[1:] == t_us[:-1])
        )
    kept = ordered.filter(pa.array(~same))
    n = kept.num_rows
    along = np.zeros(n)
    offset = np.zeros(n)
    grade = np.full(n, np.nan)
    spike = np.zeros(n, dtype=bool)
    jump = np.zeros(n, dtype=bool)
    moving = np.zeros(n, dtype=bool)
    stage_k = kept["stage"].to_numpy()
    for stage in sorted(stages):
        rows = np.flatnonzero(stage_k == stage)
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        part = kept.slice(lo, hi - lo)
        route = routes[stage]
        lat = part["lat"].to_numpy()
        lon = part["lon"].to_numpy()
        t = part["recorded_at"].cast(pa.int64()).to_numpy() / 1e6
        starts = group_starts(part["athlete_id"].to_numpy())
        matches = match_points(route.line, lat, lon, t, starts)
        along[lo:hi] = matches.along_m
        offset[lo:hi] = matches.offset_m
        grade[lo:hi] = np.interp(matches.along_m, route.line.cum_m, route.gradient_pct)
        x, y = to_plane(lat, lon, route.line.lat0, route.line.lon0)
        v_in, v_out, v_across = _neighbour_speeds(x, y, t, starts)
        is_spike = (v_in > SPIKE_KMH) & (v_out > SPIKE_KMH) & (v_across <= SPIKE_KMH)
        spike[lo:hi] = is_spike
        jump[lo:hi] = (v_in > SPIKE_KMH) & ~is_spike
        unit = part["speed_kmh"].to_numpy(zero_copy_only=False)
        progress = np.zeros(hi - lo)
        if hi - lo > 1:
            progress[1:] = 3.6 * np.diff(matches.along_m) / np.maximum(np.diff(t), 1e-3)
            progress[starts[:-1]] = 0.0
        speed = np.where(np.isnan(unit.astype(np.float64)), progress, unit)
        moving[lo:hi] = speed >= MOVING_KMH

    target = STAGING_TELEMETRY.schema().as_arrow()
    columns = {name: kept[name] for name in kept.column_names}
    columns |= {
        "distance_km": pa.array(along / 1000.0),
        "offset_m": pa.array(offset),
        "route_gradient_pct": pa.array(grade, mask=np.isnan(grade)),
        "off_route": pa.array(offset > OFF_ROUTE_M),
        "is_spike": pa.array(spike),
        "is_jump": pa.array(jump),
        "moving": pa.array(moving),
        "stage_date": pa.array(np.full(n, np.datetime64(day, "D"))).cast(pa.date32()),
    }
    arrays = []
    for field in target:
        if field.name.startswith("_"):
            continue
        arrays.append(columns[field.name].cast(field.type))
    schema = pa.schema([f for f in target if not f.name.startswith("_")])
    table = pa.Table.from_arrays(arrays, schema=schema)
    return StagedDay(table, raw.num_rows, int(same.sum()))
