"""Reading tables: as of a branch, or one stage day's partition (pruned by the partition key),
with a row filter and the columns wanted; the data files planned for a read, and the rows per
day from their metadata alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import FileScanTask, Table
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.lake.branches import head
from lakehouse.lake.definition import TableDef

PARTITION_KEY = "stage_date"
EPOCH = date(1970, 1, 1)
EVERY_ROW = "True"


def day_filter(day: date | str) -> str:
    """The row filter of one stage day's partition (a date, or its ISO text)."""
    text = day if isinstance(day, str) else day.isoformat()
    return f"{PARTITION_KEY} == '{date.fromisoformat(text).isoformat()}'"


def read(
    table: Table,
    ref: str = MAIN_BRANCH,
    columns: Iterable[str] | None = None,
    where: str = EVERY_ROW,
) -> pa.Table:
    """The rows matching `where` (every row by default) as of `ref`'s head (main when the ref
    does not exist); only the files whose statistics may match are read."""
    return _scan(table, ref, columns, where)


def read_all(
    catalog: Catalog, definition: TableDef, columns: Iterable[str] | None = None
) -> pa.Table:
    """Every row of a (small) table, as published."""
    return read(catalog.load_table(definition.name), columns=columns)


def read_day(
    table: Table,
    day: date | str,
    columns: Iterable[str] | None = None,
    ref: str = MAIN_BRANCH,
    where: str = EVERY_ROW,
) -> pa.Table:
    """One stage day's rows (those matching `where`): only that partition's files are planned
    and read."""
    row_filter = day_filter(day) if where == EVERY_ROW else f"{day_filter(day)} and ({where})"
    return _scan(table, ref, columns, row_filter)


def count(table: Table, where: str = EVERY_ROW) -> int:
    """The published rows matching `where` (from file metadata where it settles it)."""
    return table.scan(row_filter=where).count()


def file_tasks(
    table: Table, snapshot_id: int | None = None, where: str = EVERY_ROW
) -> list[FileScanTask]:
    """The data files (with their delete files) a read of the snapshot (main's current one by
    default) would open, planned from the metadata: nothing is read. None without a
    snapshot."""
    if snapshot_id is None and table.current_snapshot() is None:
        return []
    return list(table.scan(row_filter=where, snapshot_id=snapshot_id).plan_files())


def rows_per_day(table: Table, ref: str = MAIN_BRANCH) -> dict[date, int]:
    """Rows per stage-day partition as of `ref`'s head, from the data files' metadata (no data
    read)."""
    snapshot = head(table, ref) if ref != MAIN_BRANCH else None
    counts: dict[date, int] = {}
    for task in file_tasks(table, snapshot):
        value = task.file.partition[0]
        day = value if isinstance(value, date) else EPOCH + timedelta(days=int(value))
        counts[day] = counts.get(day, 0) + task.file.record_count
    return counts


def _scan(table: Table, ref: str, columns: Iterable[str] | None, row_filter: str) -> pa.Table:
    snapshot = head(table, ref) if ref != MAIN_BRANCH else None
    fields = tuple(columns) if columns else ("*",)
    return table.scan(
        row_filter=row_filter, snapshot_id=snapshot, selected_fields=fields
    ).to_arrow()
