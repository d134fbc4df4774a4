"""The telemetry write path: read ahead, stream into Parquet, register in one commit."""

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from iceberg_helpers import files_by_day, rows_by_day
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError
from lakehouse.ingest.readahead import read_ahead
from lakehouse.ingest.telemetry import telemetry_table, write_day
from lakehouse.lake.datafiles import write_partition
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import SourceDay

DAY = date(2023, 7, 21)


def _source_batch(n: int, start: int = 0) -> pa.RecordBatch:
    """A batch as the source sends it (PostgreSQL's narrow integer types)."""
    base = datetime(2023, 7, 21, 11, 0, tzinfo=UTC).timestamp()
    return pa.RecordBatch.from_pydict(
        {
            "athlete_id": pa.array([1000 + i % 7 for i in range(start, start + n)], pa.int64()),
            "stage": pa.array([19] * n, pa.int16()),
            "recorded_at": pa.array(
                [datetime.fromtimestamp(base + i, UTC) for i in range(start, start + n)],
                pa.timestamp("us", tz="UTC"),
            ),
            "lat": pa.array([46.0 + i * 1e-5 for i in range(start, start + n)]),
            "lon": pa.array([6.0 + i * 1e-5 for i in range(start, start + n)]),
            "elevation_m": pa.array([400.0] * n, pa.float32()),
            "speed_kmh": pa.array([42.5] * n, pa.float32()),
            "heart_rate_bpm": pa.array([150 + i % 20 for i in range(start, start + n)], pa.int16()),
            "power_w": pa.array(
                [None if i % 5 == 0 else 300 for i in range(start, start + n)], pa.int16()
            ),
            "cadence_rpm": pa.array([90] * n, pa.int16()),
        }
    )


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    return open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))


def _day(fingerprint: str) -> SourceDay:
    return SourceDay(DAY, "race.telemetry_2023_07_21", fingerprint, 0)


def test_read_ahead_keeps_order_and_raises_the_source_error() -> None:
    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))

    def failing() -> Iterator[int]:
        yield 1
        raise PelotonError("lost PostgreSQL while reading race.telemetry_2023_07_21")

    stream = read_ahead(failing())
    assert next(stream) == 1
    with pytest.raises(PelotonError, match=r"while reading race\.telemetry_2023_07_21"):
        next(stream)


def test_read_ahead_stops_its_thread_when_the_consumer_stops() -> None:
    produced: list[int] = []

    def endless() -> Iterator[int]:
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    before = threading.active_count()
    stream = read_ahead(endless(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert threading.active_count() == before
    assert len(produced) <= 5  # it ran at most a few items ahead


def test_streamed_day_lands_whole_with_statistics_and_dictionaries(catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    batches = [_source_batch(1000, start) for start in (0, 1000, 2000)]
    result = write_day(table, _day("a"), iter(batches), "run-1")
    assert result.rows == 3000 and not result.skipped
    data = table.scan().to_arrow()
    assert data.num_rows == 3000
    assert data["power_w"].null_count == 600
    assert set(data["_source"].to_pylist()) == {"race.telemetry_2023_07_21"}
    (task,) = table.scan().plan_files()
    assert task.file.record_count == 3000
    schema = table.schema()
    lat = schema.find_field("lat").field_id
    assert task.file.lower_bounds[lat] and task.file.upper_bounds[lat]  # for pruning
    # files written this way are pruned like pyiceberg's own
    assert table.scan(row_filter="lat > 50").to_arrow().num_rows == 0
    local = task.file.file_path.removeprefix("file://")
    meta = pq.ParquetFile(local).metadata.row_group(0)
    encodings = {
        meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)
    }
    assert "RLE_DICTIONARY" in encodings["athlete_id"]
    assert "RLE_DICTIONARY" not in encodings["lat"]
    assert pq.read_schema(local).field("lat").metadata[b"PARQUET:field_id"] == str(lat).encode()


def test_a_failure_midway_leaves_the_table_and_storage_as_they_were(
    catalog: Catalog, tmp_path: Path
) -> None:
    table = telemetry_table(catalog)
    write_day(table, _day("a"), iter([_source_batch(500)]), "run-1")
    before_files = files_by_day(catalog)
    snapshots = len(table.snapshots())

    def broken() -> Iterator[pa.RecordBatch]:
        yield _source_batch(700)
        yield _source_batch(700, 700)
        raise PelotonError("lost PostgreSQL at postgresql://u:****@h/db while reading x")

    with pytest.raises(PelotonError, match="lost PostgreSQL"):
        write_day(table, _day("b"), read_ahead(broken()), "run-2")
    table.refresh()
    assert len(table.snapshots()) == snapshots
    assert files_by_day(catalog) == before_files
    assert rows_by_day(catalog) == {DAY: 500}
    on_disk = {str(p) for p in (tmp_path / "warehouse").rglob("*.parquet")}
    assert on_disk == {p.removeprefix("file://") for p in before_files[DAY]}


def test_large_partitions_roll_over_to_several_files(catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    target = table.schema().as_arrow()
    from lakehouse.ingest.telemetry import _conform

    batches = [
        _conform(_source_batch(400, s), target, DAY, "src", "run", datetime.now(UTC))
        for s in range(0, 2000, 400)
    ]
    files = write_partition(table, iter(batches), DAY, rows_per_file=1000)
    assert [f.record_count for f in files] == [1200, 800]
    assert len({f.file_path for f in files}) == 2


def test_read_ahead_closes_its_source_in_its_own_thread() -> None:
    closed: list[str] = []

    def source() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.append(threading.current_thread().name)

    stream = read_ahead(source(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert closed == ["read-ahead"]


def test_a_commit_that_fails_for_good_removes_its_files(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyiceberg.exceptions import CommitFailedException

    table = telemetry_table(catalog)
    write_day(table, _day("a"), iter([_source_batch(300)]), "run-1")
    kept = {p.removeprefix("file://") for p in files_by_day(catalog)[DAY]}

    def conflict(*args: object, **kwargs: object) -> None:
        raise CommitFailedException("another writer won five times")

    monkeypatch.setattr("lakehouse.lake.commits.replace_with_files", conflict)
    with pytest.raises(CommitFailedException):
        write_day(table, _day("b"), iter([_source_batch(400)]), "run-2")
    assert {str(p) for p in (tmp_path / "warehouse").rglob("*.parquet")} == kept
    assert rows_by_day(catalog) == {DAY: 300}
