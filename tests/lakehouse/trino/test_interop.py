"""pyiceberg and Trino write and read each other's tables: local warehouse and S3.

pyiceberg records `file://` locations and Trino's native local file system, rooted at `/`
(`local.location=/`), reads and writes them; on S3 both speak `s3://`.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from s3_server import s3_server
from trino_server import running_trino, trino_settings

from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration
BUCKET = "trino-lake"


def _both_ways(settings: Settings, tag: str) -> None:
    catalog = open_catalog(settings)
    catalog.create_namespace_if_not_exists("scratch")
    rows = pa.table(
        {
            "bib": pa.array([1, 2, 3], pa.int32()),
            "at": pa.array([datetime(2023, 7, 19, 15, 13, i, tzinfo=UTC) for i in range(3)]),
            "name": ["Vingegaard", "Pogačar", "Yates"],
        }
    )
    written = catalog.create_table(f"scratch.py_{tag}", rows.schema)
    written.append(rows)
    # pyiceberg -> Trino
    seen = run_sql(settings, f"SELECT bib, name FROM scratch.py_{tag} ORDER BY bib").rows
    assert seen == [[1, "Vingegaard"], [2, "Pogačar"], [3, "Yates"]]
    # Trino -> pyiceberg, partitioned by day, then each appends to the other's table
    run_sql(
        settings,
        f"CREATE TABLE scratch.trino_{tag} WITH (partitioning = ARRAY['day(at)']) AS "
        f"SELECT bib, at, name FROM scratch.py_{tag}",
    )
    table = catalog.load_table(f"scratch.trino_{tag}")
    assert table.location().startswith(settings.storage.warehouse or "file://")
    assert sorted(table.scan().to_arrow()["name"].to_pylist()) == sorted(rows["name"].to_pylist())
    table.append(table.scan(row_filter="bib = 1").to_arrow().select(["bib", "at", "name"]))
    run_sql(
        settings, f"INSERT INTO scratch.py_{tag} SELECT bib + 10, at, name FROM scratch.py_{tag}"
    )
    assert run_sql(settings, f"SELECT count(*) FROM scratch.trino_{tag}").rows == [[4]]
    assert len(catalog.load_table(f"scratch.py_{tag}").scan().to_arrow()) == 6
    run_sql(settings, f"DELETE FROM scratch.trino_{tag} WHERE bib = 2")
    left = catalog.load_table(f"scratch.trino_{tag}").scan().to_arrow()["bib"].to_pylist()
    assert sorted(left) == [1, 1, 3]  # Trino's delete files are applied by pyiceberg


def test_local_warehouse_both_ways(lake: Settings) -> None:
    assert open_catalog(lake).load_table("marts.stage_results").location().startswith("file://")
    _both_ways(lake, "local")


@pytest.fixture(scope="module")
def s3_lake(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    work = tmp_path_factory.mktemp("trino-s3")
    with s3_server(work) as s3:
        s3.create_bucket(BUCKET)
        settings = trino_settings(
            work / "home",
            postgres_url,
            "peloton_trino_s3",
            storage={
                "warehouse": f"s3://{BUCKET}/warehouse",
                "s3_endpoint": s3.endpoint,
                "s3_access_key_id": s3.access_key,
                "s3_secret_access_key": s3.secret_key,
            },
        )
        with running_trino(settings):
            yield settings


def test_s3_warehouse_both_ways(s3_lake: Settings) -> None:
    _both_ways(s3_lake, "s3")
    catalog_file = Path(s3_lake.home) / "trino" / "etc" / "catalog" / "lakehouse.properties"
    text = catalog_file.read_text()
    assert "fs.native-s3.enabled=true" in text
    assert s3_lake.storage.s3_secret_access_key.get_secret_value() not in text  # type: ignore[union-attr]
