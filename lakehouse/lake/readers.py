"""Reading tables: as of a branch, or one stage day's partition (pruned by the partition key)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.lake.branches import head
from lakehouse.lake.definition import TableDef

PARTITION_KEY = "stage_date"


def day_filter(day: date | str) -> str:
    """The row filter of one stage day's partition (a date, or its ISO text)."""
    text = day if isinstance(day, str) else day.isoformat()
    return f"{PARTITION_KEY} == '{date.fromisoformat(text).isoformat()}'"


def read(table: Table, ref: str = MAIN_BRANCH, columns: Iterable[str] | None = None) -> pa.Table:
    """The table as of `ref`'s head (main when the ref does not exist)."""
    return _scan(table, ref, columns, "True")


def read_all(catalog: Catalog, definition: TableDef) -> pa.Table:
    """Every row of a (small) table, as published."""
    return catalog.load_table(definition.name).scan().to_arrow()


def read_day(
    table: Table, day: date | str, columns: Iterable[str] | None = None, ref: str = MAIN_BRANCH
) -> pa.Table:
    """One stage day's rows: only that partition's files are planned and read."""
    return _scan(table, ref, columns, day_filter(day))


def _scan(table: Table, ref: str, columns: Iterable[str] | None, row_filter: str) -> pa.Table:
    snapshot = head(table, ref) if ref != MAIN_BRANCH else None
    fields = tuple(columns) if columns else ("*",)
    return table.scan(
        row_filter=row_filter, snapshot_id=snapshot, selected_fields=fields
    ).to_arrow()
