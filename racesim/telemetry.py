"""1 Hz telemetry of a simulated ride: GPS, speed, heart rate, power, cadence, with GPS faults.

Faults a real head unit produces, all deterministic from the seed: position jitter (about
2.5 m), short dropouts (rows missing for 3 to 40 s), spikes (a single point hundreds of metres
off the road) and duplicated rows. The first and last two minutes of a ride are kept clean so
that the start and the finish crossing can be timed to the second.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from racesim.geo import FloatArray, offset_m
from racesim.physics import BIKE_KG, power_for_speed
from racesim.race import Ride, StageRace

PRE_START_S = 60
"""Recording starts this many seconds before the rider's start, standing at the line."""
CLEAN_EDGE_S = 120
JITTER_M = 2.5
TELEMETRY_SCHEMA = pa.schema(
    [
        pa.field("athlete_id", pa.int64(), nullable=False),
        pa.field("stage", pa.int16(), nullable=False),
        pa.field("recorded_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),
        pa.field("lon", pa.float64(), nullable=False),
        pa.field("elevation_m", pa.float32()),
        pa.field("speed_kmh", pa.float32()),
        pa.field("heart_rate_bpm", pa.int16()),
        pa.field("power_w", pa.int16()),
        pa.field("cadence_rpm", pa.int16()),
    ]
)


def _trailing_mean(values: FloatArray, width: int) -> FloatArray:
    """Mean of the last `width` values at each index (fewer at the start)."""
    csum = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - width, 0)
    return np.asarray((csum[idx] - csum[lo]) / (idx - lo))


def record_seconds(race: StageRace, ride: Ride) -> tuple[int, int]:
    """First and last recorded second of a ride, relative to the stage's start_at."""
    first = int(np.floor(ride.start_s)) - PRE_START_S
    end_t = float(ride.t_s[ride.last_index])
    last = int(np.ceil(end_t + ride.dwell_s)) if ride.status == "abandoned" else int(np.ceil(end_t))
    return first, last


def sample_ride(race: StageRace, ride: Ride, seed: int) -> pa.RecordBatch:
    """The ride's telemetry rows, as its head unit would upload them."""
    rider, course = ride.rider, race.course
    assert rider.strava_athlete_id is not None
    rng = np.random.default_rng([seed, 3, race.info.stage, rider.bib])
    first, last = record_seconds(race, ride)
    secs = np.arange(first, last + 1, dtype=np.float64)
    valid = np.isfinite(ride.t_s)
    x = np.interp(secs, ride.t_s[valid], course.x_m[valid])
    speed = np.gradient(x) if len(x) > 1 else np.zeros_like(x)
    grade = np.interp(x, course.x_m, course.grade)
    draft = np.interp(x, course.x_m, ride.draft)
    accel = np.gradient(speed) if len(x) > 1 else np.zeros_like(x)
    physics = power_for_speed(speed, grade, rider.weight_kg + BIKE_KG, rider.cda_m2 * draft, accel)
    physics = np.where(speed < 1.0, 0.0, np.clip(physics, 0.0, 2000.0))
    n = len(secs)
    noisy = physics * (1 + 0.06 * rng.standard_normal(n))

    intensity = _trailing_mean(physics, 90) / rider.ftp_w
    target = rider.rest_hr_bpm + (rider.max_hr_bpm - rider.rest_hr_bpm) * np.clip(
        0.35 + 0.55 * intensity, 0.3, 1.0
    )
    heart = _trailing_mean(target, 30) + rng.normal(0, 1.0, n)
    cadence = np.where(noisy > 25, 90 - 120 * np.clip(grade, 0, 0.12) + rng.normal(0, 3, n), 0.0)

    lat = np.interp(x, course.x_m, course.lat)
    lon = np.interp(x, course.x_m, course.lon)
    lat, lon = offset_m(lat, lon, rng.normal(0, JITTER_M, n), rng.normal(0, JITTER_M, n))
    ele = np.interp(x, course.x_m, course.ele_m) + rng.normal(0, 1.5, n)
    speed_kmh = np.maximum(speed * 3.6 + rng.normal(0, 0.3, n), 0.0) * (speed > 0.05)

    keep = _faults(rng, n, lat, lon)
    start_us = int(race.start_at.timestamp() * 1_000_000)
    recorded = start_us + (secs[keep] * 1_000_000).astype(np.int64)
    m = len(recorded)
    columns = [
        pa.array(np.full(m, rider.strava_athlete_id, dtype=np.int64)),
        pa.array(np.full(m, race.info.stage, dtype=np.int16)),
        pa.array(recorded, type=pa.timestamp("us", tz="UTC")),
        pa.array(lat[keep]),
        pa.array(lon[keep]),
        pa.array(ele[keep].astype(np.float32)),
        pa.array(speed_kmh[keep].astype(np.float32)),
        _sensor(rider.has_heart_rate, np.rint(heart[keep])),
        _sensor(rider.has_power, np.rint(noisy[keep])),
        _sensor(rider.has_cadence, np.rint(cadence[keep])),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=TELEMETRY_SCHEMA)


def _sensor(present: bool, values: FloatArray) -> pa.Array:
    if not present:
        return pa.nulls(len(values), type=pa.int16())
    return pa.array(values.astype(np.int16))


def _faults(rng: np.random.Generator, n: int, lat: FloatArray, lon: FloatArray) -> np.ndarray:
    """Apply spikes to lat/lon in place; return the row indices kept (dropouts, duplicates)."""
    middle = (CLEAN_EDGE_S, n - CLEAN_EDGE_S)
    keep = np.ones(n, dtype=bool)
    if middle[1] - middle[0] > 100:
        for _ in range(int(rng.poisson(3))):
            start = int(rng.integers(*middle))
            keep[start : min(start + int(rng.integers(3, 41)), middle[1])] = False
        for _ in range(int(rng.poisson(1.5))):
            i = int(rng.integers(*middle))
            dist, bearing = rng.uniform(200, 3000), rng.uniform(0, 2 * np.pi)
            new_lat, new_lon = offset_m(
                lat[i : i + 1],
                lon[i : i + 1],
                np.array([dist * np.cos(bearing)]),
                np.array([dist * np.sin(bearing)]),
            )
            lat[i], lon[i] = new_lat[0], new_lon[0]
    index = np.flatnonzero(keep)
    copies = np.ones(len(index), dtype=np.int64)
    inner = (index > middle[0]) & (index < middle[1])
    copies[inner & (rng.random(len(index)) < 0.002)] = 2
    return np.repeat(index, copies)


def stage_telemetry(race: StageRace, seed: int) -> pa.Table:
    """Every Strava rider's telemetry for a stage, ordered by athlete then time."""
    batches = [
        sample_ride(race, ride, seed)
        for ride in sorted(race.rides, key=lambda r: r.rider.strava_athlete_id or 0)
        if ride.rider.strava_athlete_id is not None
    ]
    return pa.Table.from_batches(batches, schema=TELEMETRY_SCHEMA)
