"""Impossible telemetry rows are quarantined at landing with the reason; the day still lands."""

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.ingest.steps import IngestSummary
from lakehouse.ingest.telemetry import telemetry_table, write_day
from lakehouse.ingest.validation import split_rows
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import SourceDay

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


def _batch(n: int = 40) -> pa.RecordBatch:
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


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    return open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))


def test_split_names_each_rejected_row_and_why() -> None:
    good, rejected = split_rows(_batch(), DAY)
    assert good.num_rows == 40 - len(BAD)
    reasons = [r.reason for r in rejected]
    for (_, _, expected), reason in zip(BAD.values(), reasons, strict=True):
        assert reason.startswith(expected)
    assert rejected[0].location.startswith("day 2031-05-09, athlete 2003, 2031-05-09 10:00:03")
    assert '"lat": 91.5' in rejected[0].payload


def test_a_day_with_bad_rows_lands_the_rest_and_quarantines_them(catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    source = SourceDay(DAY, PARTITION, "cols", 0)
    result = write_day(table, source, [_batch(), _batch().slice(0, 0)], "run-1")
    assert (result.rows, result.quarantined) == (40, len(BAD))
    assert table.scan().count() == 40 - len(BAD)
    quarantine = catalog.load_table("raw.quarantine").scan().to_arrow().to_pylist()
    assert len(quarantine) == len(BAD)
    assert {q["source"] for q in quarantine} == {"telemetry"}
    assert {q["_source"] for q in quarantine} == {PARTITION}
    (row,) = IngestSummary(telemetry=[result]).rows()
    assert (row["read"], row["landed"], row["quarantined"]) == (40, 40 - len(BAD), len(BAD))


def test_landing_the_day_again_replaces_its_quarantine(catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    source = SourceDay(DAY, PARTITION, "cols", 0)
    write_day(table, source, [_batch()], "run-1")
    clean = split_rows(_batch(), DAY)[0]
    again = write_day(table, source, [clean], "run-2")
    assert again.quarantined == 0
    assert catalog.load_table("raw.quarantine").scan().count() == 0
    assert table.scan().count() == clean.num_rows
