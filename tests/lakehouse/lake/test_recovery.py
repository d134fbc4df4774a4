"""A lost catalog registered again from the warehouse: same rows, snapshots, tags and branches."""

import gzip
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from cli_helpers import peloton
from pipeline_helpers import built_race
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.catalog.sql import IcebergTables, SqlCatalog
from s3_server import s3_server
from sqlalchemy import delete
from sqlalchemy.orm import Session

from lakehouse.catalog import open_catalog, warehouse_location
from lakehouse.lake.recovery import register_tables
from lakehouse.settings import Settings

pytestmark = pytest.mark.integration
SCHEMA = "recover_src"
CATALOG = "peloton_recover"


def _state(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Every table's rows (sorted), snapshot ids and refs: what a registration must restore."""
    found = {}
    for namespace in catalog.list_namespaces():
        for identifier in catalog.list_tables(namespace):
            table = catalog.load_table(identifier)
            rows = table.scan().to_arrow() if table.current_snapshot() else pa.table({})
            if rows.num_rows:
                rows = rows.sort_by([(name, "ascending") for name in rows.column_names])
            refs = {n: (r.snapshot_id, str(r.snapshot_ref_type)) for n, r in table.refs().items()}
            found[".".join(identifier)] = {
                "rows": rows,
                "snapshots": [s.snapshot_id for s in table.snapshots()],
                "refs": refs,
            }
    return found


@pytest.fixture(scope="module")
def lake(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A tiny race through every layer, a tag on each mart and raw telemetry's first snapshot,
    and a branch left on one table."""
    home = tmp_path_factory.mktemp("recover")
    settings = Settings(
        home=home,
        source={"url": postgres_url, "schema_name": SCHEMA},
        catalog={"kind": "sql", "name": CATALOG},
        files={"sources_dir": home / "sources"},
    )
    catalog = built_race(settings, postgres_url, SCHEMA, seed=4)
    for identifier in catalog.list_tables("marts"):
        table = catalog.load_table(identifier)
        snapshot = table.current_snapshot()
        assert snapshot is not None
        table.manage_snapshots().create_tag(snapshot.snapshot_id, "stage-01").commit()
    telemetry = catalog.load_table("raw.telemetry")
    first, *_ = telemetry.snapshots()
    telemetry.manage_snapshots().create_tag(first.snapshot_id, "stage-00").create_branch(
        first.snapshot_id, "audit-left-behind"
    ).commit()
    return settings


def test_a_fresh_catalog_gets_every_table_back_through_the_cli(lake: Settings) -> None:
    before = _state(open_catalog(lake))
    env = {
        "PELOTON_HOME": str(lake.home_dir),
        "PELOTON_SOURCE__URL": lake.source.url.get_secret_value() if lake.source.url else "",
        "PELOTON_CATALOG__KIND": "sql",
        "PELOTON_CATALOG__NAME": "peloton_recovered",
        "PELOTON_STORAGE__WAREHOUSE": warehouse_location(lake),
        "COLUMNS": "200",
    }
    dry = peloton("catalog", "register", "--dry-run", "--json", env=env)
    assert dry.returncode == 0, dry.stderr
    planned = json.loads(dry.stdout)["registrations"]
    assert {r["table"]["identifier"] for r in planned} == set(before)
    assert {r["status"] for r in planned} == {"would register"}
    fresh = open_catalog(
        Settings(
            home=lake.home_dir,
            source={"url": env["PELOTON_SOURCE__URL"]},
            catalog={"kind": "sql", "name": "peloton_recovered"},
            storage={"warehouse": env["PELOTON_STORAGE__WAREHOUSE"]},
        )
    )
    assert not fresh.list_tables("marts"), "a dry run registers nothing"

    done = peloton("catalog", "register", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {r["status"] for r in report["registrations"]} == {"registered"}
    tags = {r["table"]["identifier"]: r["table"]["tags"] for r in report["registrations"]}
    tagged = before["marts.stage_results"]["refs"]
    # the tag set here and those the publishing commits set (a stage-NN per stage day)
    assert "stage-01" in tags["marts.stage_results"]
    assert tags["marts.stage_results"] == sorted(
        n for n, (_, kind) in tagged.items() if kind == "tag"
    )
    assert _state(fresh) == before

    again = peloton("catalog", "register", env=env)
    assert again.returncode == 0, again.stderr
    lines = [line for line in again.stdout.splitlines() if "." in line and "│" in line]
    assert len(lines) == len(before)
    assert all("already registered" in line for line in lines), again.stdout


def test_the_catalog_rows_deleted_are_registered_again(lake: Settings) -> None:
    catalog = open_catalog(lake)
    before = _state(catalog)
    assert isinstance(catalog, SqlCatalog)
    with Session(catalog.engine) as session, session.begin():
        session.execute(delete(IcebergTables).where(IcebergTables.catalog_name == CATALOG))
    assert not catalog.list_tables("raw")

    report = register_tables(catalog, warehouse_location(lake))

    assert report.ok and not report.problems
    assert _state(catalog) == before
    telemetry = catalog.load_table("raw.telemetry")
    assert {"stage-00", "audit-left-behind", "main"} <= set(telemetry.refs())


@pytest.fixture()
def small(tmp_path: Path) -> Iterator[tuple[Catalog, str]]:
    """A SQLite catalog over a warehouse of two small tables, three snapshots each."""
    warehouse = (tmp_path / "warehouse").as_uri()
    catalog = _sqlite(tmp_path / "a.db", warehouse)
    catalog.create_namespace("marts")
    for name in ("marts.one", "marts.two"):
        table = catalog.create_table(name, schema=pa.schema([("x", pa.int64())]))
        for n in range(3):
            table.append(pa.table({"x": pa.array([n], pa.int64())}))
        table.manage_snapshots().create_tag(table.snapshots()[1].snapshot_id, "stage-02").commit()
    yield catalog, warehouse


def _sqlite(path: Path, warehouse: str) -> Catalog:
    uri = f"sqlite:///{path}"
    return load_catalog("t", type="sql", uri=uri, warehouse=warehouse, init_catalog_tables="true")


def _metadata_dir(warehouse: str, table: str) -> Path:
    return Path(warehouse.removeprefix("file://")) / table.replace(".", "/") / "metadata"


def test_a_table_at_another_file_is_refused_unless_replaced(
    small: tuple[Catalog, str], tmp_path: Path
) -> None:
    catalog, warehouse = small
    first = sorted(_metadata_dir(warehouse, "marts.one").glob("*.metadata.json"))[0]
    other = _sqlite(tmp_path / "b.db", warehouse)
    other.create_namespace("marts")
    other.register_table("marts.one", first.as_uri())

    refused = register_tables(other, warehouse)
    status = {r.table.identifier: r for r in refused.registrations}
    assert status["marts.one"].status == "refused" and not refused.ok
    assert first.as_uri() in status["marts.one"].detail
    assert status["marts.two"].status == "registered", "the other tables still register"
    assert other.load_table("marts.one").metadata_location == first.as_uri()

    replaced = register_tables(other, warehouse, replace=True)
    assert {r.table.identifier: r.status for r in replaced.registrations} == {
        "marts.one": "replaced",
        "marts.two": "already registered",
    }
    assert _state(other) == _state(catalog)


def test_metadata_of_a_failed_commit_or_unreadable_is_passed_over_by_name(
    small: tuple[Catalog, str], tmp_path: Path
) -> None:
    catalog, warehouse = small
    expected = _state(catalog)
    folder = _metadata_dir(warehouse, "marts.one")
    latest = max(folder.glob("*.metadata.json"))
    version = int(latest.name.split("-", 1)[0])
    document = json.loads(latest.read_text())
    # a commit that failed after writing its metadata: its new snapshot's files were deleted
    ghost = dict(document["snapshots"][-1])
    ghost["snapshot-id"], ghost["parent-snapshot-id"] = 4242, document["current-snapshot-id"]
    ghost["sequence-number"] = document["last-sequence-number"] + 1
    ghost["manifest-list"] = f"{warehouse}/marts/one/metadata/snap-4242-gone.avro"
    document["snapshots"].append(ghost)
    document["last-sequence-number"] = ghost["sequence-number"]
    document["current-snapshot-id"] = 4242
    document["refs"]["main"]["snapshot-id"] = 4242
    failed = folder / f"{version + 1:05d}-{uuid.uuid4()}.metadata.json"
    failed.write_text(json.dumps(document))
    truncated = folder / f"{version + 2:05d}-{uuid.uuid4()}.metadata.json"
    truncated.write_text(latest.read_text()[:100])
    view_folder = _metadata_dir(warehouse, f"views.route_speed-{uuid.uuid4().hex}")
    view_folder.mkdir(parents=True)
    view = {"view-uuid": str(uuid.uuid4()), "format-version": 1, "versions": []}
    (view_folder / f"00000-{uuid.uuid4()}.gz.metadata.json").write_bytes(
        gzip.compress(json.dumps(view).encode())
    )
    broken_folder = _metadata_dir(warehouse, "marts.broken")
    broken_folder.mkdir(parents=True)
    only = broken_folder / f"00000-{uuid.uuid4()}.metadata.json"
    only.write_text("{not json")

    fresh = _sqlite(tmp_path / "fresh.db", warehouse)
    report = register_tables(fresh, warehouse)

    found = {r.table.identifier: r.table for r in report.registrations}
    assert found["marts.one"].metadata_location == latest.as_uri()
    passed = {c.location: c.problem for c in found["marts.one"].passed_over}
    assert "not a readable Iceberg table metadata file" in passed[truncated.as_uri()]
    assert "snap-4242-gone.avro, which is missing" in passed[failed.as_uri()]
    (problem,) = report.problems
    assert problem.startswith(f"marts.broken: no usable metadata file ({only.as_uri()}: ")
    assert "not a readable Iceberg table metadata file" in problem
    assert not report.ok
    assert report.views == ["views.route_speed"], "a view of Trino's is named, not registered"
    assert _state(fresh) == expected


def test_a_warehouse_on_s3_is_registered_again(tmp_path: Path) -> None:
    with s3_server(tmp_path / "s3") as server:
        server.create_bucket("lake")
        warehouse = "s3://lake/warehouse"
        props = {
            "s3.endpoint": server.endpoint,
            "s3.access-key-id": server.access_key,
            "s3.secret-access-key": server.secret_key,
            "s3.region": "us-east-1",
            "s3.path-style-access": "true",
        }

        def sqlite(name: str) -> Catalog:
            uri = f"sqlite:///{tmp_path / name}"
            return load_catalog(
                "s3", type="sql", uri=uri, warehouse=warehouse, init_catalog_tables="true", **props
            )

        lost = sqlite("lost.db")
        lost.create_namespace("staging")
        table = lost.create_table("staging.things", schema=pa.schema([("x", pa.int64())]))
        table.append(pa.table({"x": pa.array([1, 2], pa.int64())}))
        table.append(pa.table({"x": pa.array([3], pa.int64())}))
        table.manage_snapshots().create_tag(table.snapshots()[0].snapshot_id, "stage-01").commit()
        expected = _state(lost)

        fresh = sqlite("fresh.db")
        report = register_tables(fresh, warehouse)

        assert [r.status for r in report.registrations] == ["registered"]
        assert report.registrations[0].table.tags == ("stage-01",)
        assert _state(fresh) == expected
