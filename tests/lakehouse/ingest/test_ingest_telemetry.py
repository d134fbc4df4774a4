"""Telemetry into Iceberg: idempotent, incremental by day, one commit per day, concurrent-safe."""

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pyarrow.compute as pc
import pytest
from iceberg_helpers import files_by_day, rows_by_day
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError, SelectionError
from lakehouse.ingest.telemetry import (
    DayResult,
    DayStreams,
    land_days,
    land_telemetry,
    load_day,
    plan_days,
    telemetry_table,
)
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import SourceDay, list_days
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration
SCHEMA = "ingest_src"
DAYS = [date(2023, 7, 18), date(2023, 7, 19), date(2023, 7, 23)]


@pytest.fixture(scope="module")
def source(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    run_simulation("tiny", 9, tmp_path_factory.mktemp("src") / "out", postgres_url, schema=SCHEMA)
    return postgres_url


@pytest.fixture()
def catalog(source: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Catalog]:
    settings = Settings(
        home=tmp_path,
        source={"url": source},
        catalog={"name": f"t_{request.node.name[:40]}"},
    )
    yield open_catalog(settings)


def test_first_run_lands_every_day_with_lineage(source: str, catalog: Catalog) -> None:
    results = land_telemetry(catalog, source, schema=SCHEMA)
    assert [r.day for r in results] == DAYS and not any(r.skipped for r in results)
    expected = {d.day: d.rows for d in list_days(source, SCHEMA)}
    assert rows_by_day(catalog) == expected
    data = catalog.load_table("raw.telemetry").scan().to_arrow()
    assert pc.all(pc.equal(data["_batch_id"], results[0].batch_id)).as_py()
    assert set(data["_source"].to_pylist()) == {
        f"{SCHEMA}.telemetry_2023_07_{d:02d}" for d in (18, 19, 23)
    }
    assert data["_loaded_at"].null_count == 0
    spec = catalog.load_table("raw.telemetry").spec()
    assert [f.name for f in spec.fields] == ["stage_date"]


def test_rerun_is_a_no_op_and_a_changed_day_alone_is_replaced(
    source: str, catalog: Catalog, tmp_path: Path
) -> None:
    land_telemetry(catalog, source, schema=SCHEMA)
    snapshots = len(catalog.load_table("raw.telemetry").snapshots())
    again = land_telemetry(catalog, source, schema=SCHEMA)
    assert all(r.skipped for r in again)
    assert len(catalog.load_table("raw.telemetry").snapshots()) == snapshots
    files_before = files_by_day(catalog)
    with psycopg.connect(source) as conn:
        conn.execute(f"delete from {SCHEMA}.telemetry_2023_07_19 where power_w > 900")
    try:
        changed = land_telemetry(catalog, source, schema=SCHEMA)
        assert [r.skipped for r in changed] == [True, False, True]
        files_after = files_by_day(catalog)
        assert files_after[DAYS[0]] == files_before[DAYS[0]]
        assert files_after[DAYS[2]] == files_before[DAYS[2]]
        assert files_after[DAYS[1]].isdisjoint(files_before[DAYS[1]])
        assert rows_by_day(catalog) == {d.day: d.rows for d in list_days(source, SCHEMA)}
    finally:  # put the source back for the other tests
        run_simulation("tiny", 9, tmp_path / "resim", source, schema=SCHEMA)


def test_full_refresh_reloads_without_duplicates(source: str, catalog: Catalog) -> None:
    land_telemetry(catalog, source, schema=SCHEMA)
    before = rows_by_day(catalog)
    results = land_telemetry(catalog, source, full_refresh=True, schema=SCHEMA)
    assert not any(r.skipped for r in results)
    assert rows_by_day(catalog) == before
    only = land_telemetry(catalog, source, full_refresh=True, only={DAYS[2]}, schema=SCHEMA)
    assert [r.day for r in only] == [DAYS[2]]


def test_a_day_the_source_does_not_have_is_refused_before_anything_lands(
    source: str, catalog: Catalog
) -> None:
    with pytest.raises(SelectionError, match="--day 2023-07-20: no such day"):
        land_telemetry(catalog, source, only={date(2023, 7, 20)}, schema=SCHEMA)
    assert rows_by_day(catalog) == {}


def test_a_day_landed_again_after_a_failure_streams_afresh(source: str, catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    plan = plan_days(table, source, SCHEMA)
    assert [(p.source.day, p.load) for p in plan] == [(d, True) for d in DAYS]
    tries: list[date] = []

    def land(day: SourceDay, streams: DayStreams) -> DayResult:
        tries.append(day.day)
        if day.day == DAYS[1] and tries.count(day.day) == 1:
            with streams.open(day) as batches:  # its stream was started ahead: part of it is
                next(batches)  # read, then the day fails and is landed again
        return load_day(table, streams, day, "run-1")

    results = land_days(plan, source, land, "run-1")
    expected = {d.day: d.rows for d in list_days(source, SCHEMA)}
    assert [(r.day, r.rows) for r in results] == list(expected.items())
    assert rows_by_day(catalog) == expected


def test_two_runs_on_different_days_at_once_both_land(
    source: str, catalog: Catalog, tmp_path: Path
) -> None:
    telemetry_table(catalog)
    errors: list[BaseException] = []

    def run(day: date) -> None:
        try:
            settings = Settings(
                home=tmp_path, source={"url": source}, catalog={"name": catalog.name}
            )
            land_telemetry(open_catalog(settings), source, only={day}, schema=SCHEMA)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in DAYS[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = {d.day: d.rows for d in list_days(source, SCHEMA) if d.day in DAYS[:2]}
    assert rows_by_day(catalog) == expected


def test_unreachable_source_is_named_with_the_password_masked(catalog: Catalog) -> None:
    with pytest.raises(
        PelotonError, match=r"cannot reach PostgreSQL at postgresql://u:\*\*\*\*@127\.0\.0\.1:9/x"
    ):
        land_telemetry(catalog, "postgresql://u:hunter2@127.0.0.1:9/x")
