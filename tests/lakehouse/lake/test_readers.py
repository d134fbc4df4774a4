"""The readers of the table layer: filters and columns, a day's partition alone, a branch's
head, and what the files' metadata tells without reading them."""

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DateType, LongType, NestedField

from lakehouse.catalog import open_catalog
from lakehouse.lake.raw_tables import STAGES
from lakehouse.lake.readers import count, file_tasks, read, read_all, read_day, rows_per_day
from lakehouse.settings import Settings

DAYS = [date(2023, 7, 18), date(2023, 7, 19)]
SCHEMA = Schema(
    NestedField(1, "stage_date", DateType(), required=False),
    NestedField(2, "athlete_id", LongType(), required=False),
    NestedField(3, "n", LongType(), required=False),
)


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    return open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))


def _rows(day: date, athletes: list[int]) -> pa.Table:
    return pa.table(
        {
            "stage_date": pa.array([day] * len(athletes), pa.date32()),
            "athlete_id": pa.array(athletes, pa.int64()),
            "n": pa.array(range(len(athletes)), pa.int64()),
        }
    )


@pytest.fixture()
def table(catalog: Catalog) -> Table:
    catalog.create_namespace_if_not_exists("t")
    spec = PartitionSpec(PartitionField(1, 1000, IdentityTransform(), "stage_date"))
    table = catalog.create_table("t.points", schema=SCHEMA, partition_spec=spec)
    table.append(_rows(DAYS[0], [1, 2, 3]))
    table.append(_rows(DAYS[1], [1, 2]))
    return table


def test_read_filters_rows_and_columns(table: Table) -> None:
    assert read(table).num_rows == 5
    found = read(table, columns=("athlete_id",), where="athlete_id == 2")
    assert found.column_names == ["athlete_id"] and found["athlete_id"].to_pylist() == [2, 2]


def test_read_day_plans_the_day_alone(table: Table) -> None:
    assert sorted(read_day(table, DAYS[0])["athlete_id"].to_pylist()) == [1, 2, 3]
    assert read_day(table, DAYS[1].isoformat(), where="athlete_id > 1").num_rows == 1
    planned = file_tasks(table, where=f"stage_date == '{DAYS[1]}'")
    assert {t.file.partition[0] for t in planned} == {(DAYS[1] - date(1970, 1, 1)).days}


def test_a_branch_is_read_at_its_head(table: Table) -> None:
    table.manage_snapshots().create_branch(table.current_snapshot().snapshot_id, "audit").commit()
    table.append(_rows(DAYS[1], [9]), branch="audit")
    assert read(table).num_rows == 5 and read(table, "audit").num_rows == 6
    assert rows_per_day(table, "audit") == {DAYS[0]: 3, DAYS[1]: 3}
    assert read(table, "no-such-branch").num_rows == 5  # main, when the ref does not exist


def test_metadata_alone_counts_rows_per_day_and_plans_an_old_snapshot(table: Table) -> None:
    first = table.snapshots()[0].snapshot_id
    assert rows_per_day(table) == {DAYS[0]: 3, DAYS[1]: 2}
    assert count(table) == 5 and count(table, "athlete_id == 1") == 2
    assert [t.file.record_count for t in file_tasks(table, first)] == [3]


def test_an_empty_table_plans_no_file(catalog: Catalog) -> None:
    catalog.create_namespace_if_not_exists("t")
    empty = catalog.create_table("t.empty", schema=SCHEMA)
    assert file_tasks(empty) == [] and rows_per_day(empty) == {} and count(empty) == 0


def test_read_all_reads_a_definition_s_table(catalog: Catalog) -> None:
    catalog.create_namespace_if_not_exists("raw")
    catalog.create_table(STAGES.name, schema=STAGES.schema())
    assert read_all(catalog, STAGES, ("stage",)).column_names == ["stage"]
