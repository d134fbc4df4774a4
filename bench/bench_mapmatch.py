"""Benchmark: map matching of telemetry points to their stage routes, against a naive baseline.

    python bench/bench_mapmatch.py --scale small            (make bench-mapmatch)

Simulates the race in memory (no database), then for each stage:
(a) Peloton's matcher (lakehouse/transform/mapmatch.py, numba, moving window) on every point;
(b) the whole staging step for the day (deduplicate, match, flags, gradient) on every point;
(c) a naive baseline on a sample: shapely's `LineString.project` of each point onto the whole
    route, one call per row, as a first version would do.
Prints points/s, the ratio (a)/(c), and the peak memory of the process. Target: >= 2 M
points/s for (a).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np
import pyarrow as pa
from benchkit import peak_rss_mb

from lakehouse.transform.day_telemetry import StageRoute, stage_day
from lakehouse.transform.mapmatch import group_starts, match_points, to_plane
from racesim.simulate import simulate_race
from racesim.telemetry import stage_telemetry


def naive_rate(route: StageRoute, lat: np.ndarray, lon: np.ndarray, sample: int) -> float:
    """Points/s of shapely's per-row projection on the whole route."""
    from shapely.geometry import LineString, Point

    line = LineString(np.column_stack([route.line.x_m, route.line.y_m]))
    x, y = to_plane(lat[:sample], lon[:sample], route.line.lat0, route.line.lon0)
    started = time.perf_counter()
    for px, py in zip(x, y, strict=True):
        line.project(Point(px, py))
    return len(x) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--sample", type=int, default=20_000, help="points for the baseline")
    args = parser.parse_args()

    print(f"simulating the {args.scale} race in memory ...", flush=True)
    race = simulate_race(args.scale, args.seed)
    total_points, match_s, staging_s, naive = 0, 0.0, 0.0, []
    for stage in race.stages:
        number = stage.info.stage
        route = race.routes[number]
        line = StageRoute.from_points(number, route.lat, route.lon, route.ele_m, route.cum_m)
        rows = stage_telemetry(stage, args.seed)
        rows = rows.sort_by([("athlete_id", "ascending"), ("recorded_at", "ascending")])
        lat, lon = rows["lat"].to_numpy(), rows["lon"].to_numpy()
        t = rows["recorded_at"].cast(pa.int64()).to_numpy() / 1e6
        starts = group_starts(rows["athlete_id"].to_numpy())
        one_rider = group_starts(np.zeros(1000, dtype=np.int64))  # compile before timing
        match_points(line.line, lat[:1000], lon[:1000], t[:1000], one_rider)
        started = time.perf_counter()
        match_points(line.line, lat, lon, t, starts)
        match_s += time.perf_counter() - started
        started = time.perf_counter()
        stage_day(rows, {number: line}, date(2023, 7, 1))
        staging_s += time.perf_counter() - started
        naive.append(naive_rate(line, lat, lon, args.sample))
        total_points += rows.num_rows
        print(f"  stage {number:2d}: {rows.num_rows:>10,} points", flush=True)

    rate = total_points / match_s
    baseline = float(np.mean(naive))
    print(f"(a) matcher            {match_s:7.2f} s {rate:>14,.0f} points/s")
    print(f"(b) staging step       {staging_s:7.2f} s {total_points / staging_s:>14,.0f} points/s")
    print(f"(c) shapely per row    (sample) {baseline:>14,.0f} points/s (baseline)")
    print(f"ratio (a)/(c): {rate / baseline:,.0f}x")
    print(f"peak memory: {peak_rss_mb():,.0f} MB")
    print(f"target: (a) >= 2,000,000 points/s -> {'met' if rate >= 2e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
