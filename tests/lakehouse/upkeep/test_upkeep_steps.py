"""Upkeep's steps on small tables of a SQLite catalog: compaction, expiry that keeps the
incremental state and the tags, dead runs' branches, orphan files of a killed write."""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from cli_helpers import peloton
from pyiceberg.catalog import Catalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import IntegerType, NestedField, StringType

from lakehouse.catalog import open_catalog
from lakehouse.lake.branches import open_audit, run_branch
from lakehouse.lake.commits import data_version, landed_fingerprints, replace
from lakehouse.lake.tags import stage_tag, tag_updates
from lakehouse.settings import Settings
from lakehouse.upkeep.maintain import Options, maintain
from lakehouse.upkeep.report import measure

SCHEMA = Schema(
    NestedField(1, "stage", IntegerType(), required=True),
    NestedField(2, "value", StringType(), required=True),
)
SPEC = PartitionSpec(PartitionField(1, 1000, IdentityTransform(), "stage"))


def _settings(home: Path, **upkeep: float) -> Settings:
    retention = {"snapshot_max_age_h": 0, "snapshots_kept": 2, "orphan_window_h": 0}
    return Settings(home=home, catalog={"kind": "sqlite"}, upkeep=retention | upkeep)


def _rows(stage: int, n: int, tag: str) -> pa.Table:
    return pa.table(
        {"stage": pa.array([stage] * n, pa.int32()), "value": [f"{tag}-{i}" for i in range(n)]},
        schema=SCHEMA.as_arrow(),
    )


def _appends(table: Table, runs: int) -> None:
    """`runs` commits, each adding a small file to one of two partitions, each recording the
    fingerprint of its part (the stage)."""
    for run in range(runs):
        stage = run % 2
        table.append(
            _rows(stage, 5, f"run{run}"),
            snapshot_properties={"peloton.part": f"stage {stage}", "peloton.fingerprint": f"{run}"},
        )


def _pairs(data: pa.Table) -> list[tuple[int, str]]:
    return sorted(zip(data["stage"].to_pylist(), data["value"].to_pylist(), strict=True))


def _sorted_rows(table: Table) -> list[tuple[int, str]]:
    table.refresh()
    return _pairs(table.scan().to_arrow())


@pytest.fixture()
def lake(tmp_path: Path) -> tuple[Settings, Catalog, Table]:
    settings = _settings(tmp_path)
    catalog = open_catalog(settings)
    table = catalog.create_table("raw.readings", SCHEMA, partition_spec=SPEC)
    return settings, catalog, table


def test_small_files_are_compacted_per_partition_and_no_row_changes(lake) -> None:
    settings, _, table = lake
    _appends(table, 8)
    rows, before = _sorted_rows(table), measure(table)
    assert before.max_files_per_partition == 4
    (report,) = maintain(settings)
    after = measure(table)
    assert after.max_files_per_partition == 1 and after.data_files == 2
    assert _sorted_rows(table) == rows
    assert report.steps["compaction"] == "8 files -> 2"
    assert report.after == after and report.before == before


def test_expiry_keeps_every_parts_fingerprint_and_the_data_version(lake) -> None:
    settings, _, table = lake
    _appends(table, 6)
    fingerprints, version = landed_fingerprints(table), data_version(table)
    assert fingerprints == {"stage 0": "4", "stage 1": "5"}
    maintain(settings)
    table.refresh()
    assert len(table.snapshots()) <= settings.upkeep.snapshots_kept
    assert landed_fingerprints(table) == fingerprints
    assert data_version(table) == version  # a compaction is not a change of the data
    # later commits still win over the carried state, and upkeep again keeps them
    replace(table, _rows(1, 2, "late"), "stage == 1", "stage 1", "late", "b")
    maintain(settings)
    table.refresh()
    assert landed_fingerprints(table) == {"stage 0": "4", "stage 1": "late"}
    assert data_version(table) != version


def test_a_table_without_incremental_state_is_expired_without_carrying_any(lake) -> None:
    settings, _, table = lake
    for run in range(4):
        table.append(_rows(run, 1, "plain"))
    maintain(settings)
    table.refresh()
    assert len(table.snapshots()) == settings.upkeep.snapshots_kept
    carried = [
        s
        for s in table.snapshots()
        if s.summary and "peloton.landed" in s.summary.additional_properties
    ]
    assert not carried


def test_tagged_snapshots_are_kept_for_good_and_read_as_they_were(lake) -> None:
    settings, catalog, table = lake
    _appends(table, 2)
    tagged_rows = _sorted_rows(table)
    snapshot = table.current_snapshot()
    assert snapshot is not None
    updates, requirements = tag_updates(table, stage_tag(7), snapshot.snapshot_id)
    catalog.commit_table(table, requirements, updates)
    _appends(table, 6)
    maintain(settings)
    table.refresh()
    assert table.refs()["stage-07"].snapshot_id == snapshot.snapshot_id
    assert _pairs(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow()) == tagged_rows
    # a stage tagged again keeps the earlier version under -v1
    table.refresh()
    current = table.current_snapshot()
    assert current is not None
    updates, requirements = tag_updates(table, stage_tag(7), current.snapshot_id)
    catalog.commit_table(table, requirements, updates)
    table.refresh()
    assert table.refs()["stage-07-v1"].snapshot_id == snapshot.snapshot_id
    assert table.refs()["stage-07"].snapshot_id == current.snapshot_id


def test_a_dead_runs_branch_is_removed_after_the_window_and_not_before(tmp_path: Path) -> None:
    settings = _settings(tmp_path, orphan_window_h=1)
    catalog = open_catalog(settings)
    table = catalog.create_table("marts.readings", SCHEMA, partition_spec=SPEC)
    branch = run_branch("deadbeef")
    open_audit(table, branch)
    table.append(_rows(3, 2, "audit"), branch=branch)
    (report,) = maintain(settings)
    assert branch in catalog.load_table("marts.readings").refs()
    assert report.steps["branches"] == "no dead run's branch"
    later = datetime.now(UTC) + timedelta(hours=2)
    (report,) = maintain(settings, Options(now=later))
    assert branch not in catalog.load_table("marts.readings").refs()
    assert report.steps["branches"] == f"removed {branch}"


KILLED_WRITE = """
import os, sys
import pyarrow as pa
from lakehouse.catalog import open_catalog
from lakehouse.lake.commits import replace_with_files
from lakehouse.settings import Settings
from pyiceberg.io.pyarrow import _dataframe_to_data_files

catalog = open_catalog(Settings(home=sys.argv[1], catalog={"kind": "sqlite"}))
table = catalog.load_table("raw.readings")
rows = pa.table({"stage": pa.array([9] * 3, pa.int32()), "value": ["x", "y", "z"]},
                schema=table.schema().as_arrow())
files = list(_dataframe_to_data_files(table.metadata, rows, table.io))
print(*[f.file_path for f in files], flush=True)
os.kill(os.getpid(), 9)  # killed between writing its files and committing them
replace_with_files(table, files, "stage == 9", "stage 9", "f", "b")
"""


def test_files_of_a_killed_write_are_removed_after_the_window_and_not_before(lake) -> None:
    settings, _, table = lake
    _appends(table, 2)
    rows = _sorted_rows(table)
    home = str(settings.home_dir)
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, home], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -9, done.stderr
    written = [Path(p.removeprefix("file:")) for p in done.stdout.split()]
    assert written and all(p.exists() for p in written)

    windowed = _settings(settings.home_dir, orphan_window_h=1)
    (report,) = maintain(windowed)
    assert all(p.exists() for p in written)
    assert "within the safety window kept" in report.steps["orphans"]
    assert _sorted_rows(table) == rows

    hours_ago = time.time() - 2 * 3600
    for path in written:
        os.utime(path, (hours_ago, hours_ago))
    (report,) = maintain(windowed)
    assert not any(p.exists() for p in written)
    assert report.steps["orphans"].startswith(f"{len(written)} orphan files removed")
    assert _sorted_rows(table) == rows


def test_a_dry_run_changes_nothing(lake) -> None:
    settings, _, table = lake
    _appends(table, 6)
    before = measure(table)
    (report,) = maintain(settings, Options(dry_run=True))
    assert measure(table) == before
    assert report.steps["compaction"] == "would rewrite 6 files in 2 partitions"
    assert report.steps["expiry"].startswith("would expire")


def test_an_unknown_table_is_refused_naming_the_tables(lake) -> None:
    settings, _, _ = lake
    with pytest.raises(Exception, match=r"no table raw\.nothing in the lakehouse; tables: "):
        maintain(settings, Options(tables=("raw.nothing",)))


def test_the_command_line_reports_each_table_and_shows_a_tables_history(lake) -> None:
    settings, catalog, table = lake
    _appends(table, 4)
    env = {"PELOTON_HOME": str(settings.home_dir), "PELOTON_CATALOG__KIND": "sqlite"}
    env |= {"PELOTON_UPKEEP__SNAPSHOT_MAX_AGE_H": "0", "PELOTON_UPKEEP__SNAPSHOTS_KEPT": "2"}
    dry = peloton("maintain", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would rewrite 4 files in 2 partitions" in dry.stdout
    assert measure(table).data_files == 4
    done = peloton("maintain", "--table", "raw.readings", "--json", env=env)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)
    assert report["table"] == "raw.readings"
    assert (report["before"]["data_files"], report["after"]["data_files"]) == (4, 2)
    assert report["after"]["snapshots"] == 2
    shown = peloton("tables", "--history", "raw.readings", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    history = json.loads(shown.stdout)
    current = catalog.load_table("raw.readings").current_snapshot()
    assert current is not None and history[0]["snapshot_id"] == current.snapshot_id
    assert history[0]["refs"] == ["main"]
    assert history[0]["summary"]["peloton.upkeep"] == "compaction"
    assert history[0]["summary"]["peloton.landed"] == "<state of 2 parts>"
    unknown = peloton("tables", "--history", "raw.nothing", env=env)
    assert unknown.returncode == 1
    assert "no table raw.nothing in the lakehouse" in unknown.stderr


def test_earlier_metadata_files_beyond_the_kept_versions_are_removed(lake) -> None:
    settings, _, table = lake
    _appends(table, 12)
    kept = _settings(settings.home_dir, metadata_versions_kept=3)

    def metadata_files() -> list[Path]:
        return sorted(Path(table.location().removeprefix("file://"), "metadata").glob("*.json"))

    assert len(metadata_files()) >= 13
    maintain(kept)
    maintain(kept)  # the files that fell off the log are orphans by now
    table.refresh()
    assert len(table.metadata.metadata_log) <= 3
    assert len(metadata_files()) <= 3 + 1  # the log and the current file
    assert landed_fingerprints(table) == {"stage 0": "10", "stage 1": "11"}
