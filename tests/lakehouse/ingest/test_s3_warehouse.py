"""The warehouse on a real S3-protocol server: write, read back, replace one partition."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import pyarrow.compute as pc
import pytest
from iceberg_helpers import files_by_day
from pyiceberg.catalog import Catalog
from s3_server import S3Server, s3_server

from lakehouse.catalog import open_catalog
from lakehouse.doctor import check_storage
from lakehouse.ingest.files import ingest_stages
from lakehouse.ingest.telemetry import land_telemetry
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import list_days
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration
SCHEMA = "s3_src"
BUCKET = "peloton-lake"
CHANGED = date(2023, 7, 19)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("s3")) as running:
        running.create_bucket(BUCKET)
        yield running


@pytest.fixture(scope="module")
def sources(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("s3sim") / "sources"
    run_simulation("tiny", 5, out, postgres_url, schema=SCHEMA)
    return out


@pytest.fixture()
def settings(server: S3Server, postgres_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        source={"url": postgres_url},
        catalog={"name": f"s3_{tmp_path.name[-30:]}"},
        storage={
            "warehouse": f"s3://{BUCKET}/{tmp_path.name}",
            "s3_endpoint": server.endpoint,
            "s3_access_key_id": server.access_key,
            "s3_secret_access_key": server.secret_key,
        },
    )


@pytest.fixture()
def catalog(settings: Settings) -> Catalog:
    return open_catalog(settings)


def _objects(server: S3Server, prefix: str) -> set[str]:
    """Object keys as the server stores them on its own disk: proof the bytes went over S3."""
    root = server.data_dir / BUCKET
    return {str(p.relative_to(root)) for p in (root / prefix).rglob("*") if p.is_file()}


def test_doctor_reaches_the_bucket_and_names_a_missing_one(settings: Settings) -> None:
    check = check_storage(settings)
    assert check.ok, check.detail
    missing = replace(settings, storage=replace(settings.storage, warehouse="s3://nope/x"))
    check = check_storage(missing)
    assert not check.ok
    assert "bucket 'nope' does not exist" in check.detail and "bucket exists" in check.fix
    assert settings.storage.s3_secret_access_key is not None
    assert settings.storage.s3_secret_access_key.get_secret_value() not in check.detail


def test_telemetry_lands_on_s3_and_one_day_is_replaced(
    server: S3Server, sources: Path, settings: Settings, catalog: Catalog, postgres_url: str
) -> None:
    prefix = settings.storage.warehouse.removeprefix(f"s3://{BUCKET}/")  # type: ignore[union-attr]
    results = land_telemetry(catalog, postgres_url, schema=SCHEMA)
    assert len(results) == 3 and not any(r.skipped for r in results)

    table = catalog.load_table("raw.telemetry")
    assert table.metadata.location.startswith(f"s3://{BUCKET}/{prefix}/")
    files = files_by_day(catalog)
    keys = _objects(server, prefix)
    for paths in files.values():
        for path in paths:
            assert path.startswith(f"s3://{BUCKET}/")
            assert path.removeprefix(f"s3://{BUCKET}/") in keys
    assert any(k.endswith(".metadata.json") for k in keys)

    # read back through S3, from a fresh catalog handle
    again = open_catalog(settings).load_table("raw.telemetry").scan().to_arrow()
    counts = again.group_by("stage_date").aggregate([("athlete_id", "count")]).to_pylist()
    source_rows = {d.day: d.rows for d in list_days(postgres_url, SCHEMA)}
    assert {c["stage_date"]: c["athlete_id_count"] for c in counts} == source_rows

    # change one source day: only its partition is replaced, the others keep their objects
    with psycopg.connect(postgres_url) as conn:
        conn.execute(f"delete from {SCHEMA}.telemetry_2023_07_19 where heart_rate_bpm > 170")
    changed = land_telemetry(catalog, postgres_url, schema=SCHEMA)
    assert [r.day for r in changed if not r.skipped] == [CHANGED]
    after = files_by_day(catalog)
    for day, paths in files.items():
        if day == CHANGED:
            assert after[day].isdisjoint(paths)
        else:
            assert after[day] == paths
    replaced = catalog.load_table("raw.telemetry").scan(row_filter=f"stage_date = '{CHANGED}'")
    data = replaced.to_arrow()
    assert data.num_rows == {d.day: d.rows for d in list_days(postgres_url, SCHEMA)}[CHANGED]
    assert pc.max(data["heart_rate_bpm"]).as_py() <= 170
    # the files of the replaced snapshot remain for time travel, the table no longer reads them
    assert all(
        p.removeprefix(f"s3://{BUCKET}/") in _objects(server, prefix) for p in files[CHANGED]
    )


def test_stage_files_land_on_s3(sources: Path, catalog: Catalog) -> None:
    results = ingest_stages(catalog, sources / "stages")
    assert all(r.read == r.landed for r in results)
    routes = catalog.load_table("raw.stage_routes").scan().to_arrow()
    assert routes.num_rows == sum(r.landed for r in results[1:])
    assert all(
        t.file.file_path.startswith("s3://")
        for t in catalog.load_table("raw.stage_routes").scan().plan_files()
    )
