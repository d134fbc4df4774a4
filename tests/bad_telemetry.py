"""A telemetry day with one impossible value in each of a few rows, for the landing tests."""

from datetime import UTC, date, datetime

import pyarrow as pa

DAY = date(2031, 5, 9)
PARTITION = "race.telemetry_2031_05_09"
BAD = {  # row index: (column, value, what the reason says)
    3: ("lat", 91.5, "lat = 91.5; expected a latitude in degrees (-90 to 90)"),
    7: ("lon", None, "lon is null; expected a longitude in degrees (-180 to 180)"),
    11: ("heart_rate_bpm", 400, "heart_rate_bpm = 400; expected a heart rate"),
    13: ("power_w", -20, "power_w = -20; expected a power in W (0 to 3,000)"),
    17: ("speed_kmh", float("nan"), "speed_kmh = nan; expected a speed in km/h"),
    19: ("recorded_at", None, "recorded_at is null; expected a time with time zone"),
}


def bad_batch(n: int = 40) -> pa.RecordBatch:
    start = datetime(2031, 5, 9, 10, 0, tzinfo=UTC).timestamp()
    columns: dict[str, list[object]] = {
        "athlete_id": [2000 + i % 4 for i in range(n)],
        "stage": [4] * n,
        "recorded_at": [datetime.fromtimestamp(start + i, UTC) for i in range(n)],
        "lat": [45.0 + i * 1e-5 for i in range(n)],
        "lon": [5.0 + i * 1e-5 for i in range(n)],
        "elevation_m": [300.0] * n,
        "speed_kmh": [38.0] * n,
        "heart_rate_bpm": [None if i % 9 == 0 else 140 for i in range(n)],  # no strap: fine
        "power_w": [250] * n,
        "cadence_rpm": [88] * n,
    }
    for row, (column, value, _) in BAD.items():
        columns[column][row] = value
    types = {
        "athlete_id": pa.int64(),
        "stage": pa.int16(),
        "recorded_at": pa.timestamp("us", tz="UTC"),
        "lat": pa.float64(),
        "lon": pa.float64(),
        "elevation_m": pa.float32(),
        "speed_kmh": pa.float32(),
        "heart_rate_bpm": pa.int16(),
        "power_w": pa.int16(),
        "cadence_rpm": pa.int16(),
    }
    return pa.RecordBatch.from_pydict({k: pa.array(v, types[k]) for k, v in columns.items()})
