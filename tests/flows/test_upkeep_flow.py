"""The upkeep flow on Prefect's ephemeral API, over a small SQLite lakehouse."""

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings, get_settings

pytestmark = pytest.mark.integration


@pytest.fixture()
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("PELOTON_HOME", str(tmp_path))
    monkeypatch.setenv("PELOTON_CATALOG__KIND", "sqlite")
    monkeypatch.setenv("PELOTON_UPKEEP__SNAPSHOT_MAX_AGE_H", "0")
    monkeypatch.setenv("PELOTON_UPKEEP__SNAPSHOTS_KEPT", "1")
    get_settings.cache_clear()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=300):
        yield get_settings()
    get_settings.cache_clear()


def test_the_flow_keeps_each_table_and_reports_it(harness: Settings) -> None:
    from prefect.artifacts import Artifact

    from flows.upkeep import upkeep

    catalog = open_catalog(harness)
    table = catalog.create_table("raw.samples", pa.schema([("n", pa.int64())]))
    for n in range(3):
        table.append(pa.table({"n": [n]}))
    dry = upkeep(dry_run=True)
    assert [r["table"] for r in dry] == ["raw.samples"]
    assert dry[0]["steps"]["compaction"] == "would rewrite 3 files in 1 partitions"
    assert len(catalog.load_table("raw.samples").snapshots()) == 3
    (report,) = upkeep(only=["raw.samples"])
    assert (report["before"]["data_files"], report["after"]["data_files"]) == (3, 1)
    assert report["after"]["snapshots"] == 1
    assert sorted(catalog.load_table("raw.samples").scan().to_arrow()["n"].to_pylist()) == [0, 1, 2]

    artifact = Artifact.get("upkeep-report")
    assert artifact is not None and "raw.samples" in str(artifact.data)
