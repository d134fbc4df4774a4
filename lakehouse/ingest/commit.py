"""Commits to Iceberg tables: replace one partition (or a filtered part) atomically.

Every commit records in its snapshot summary which part it replaced (`peloton.part`), the
source fingerprint it landed (`peloton.fingerprint`) and the run (`peloton.batch_id`). The
incremental state lives in the table itself, committed with the data.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from lakehouse.tables.raw import TableDef

PART_KEY = "peloton.part"
FINGERPRINT_KEY = "peloton.fingerprint"
BATCH_KEY = "peloton.batch_id"
COMMIT_RETRIES = 5


def ensure_table(catalog: Catalog, definition: TableDef) -> Table:
    return catalog.create_table_if_not_exists(
        definition.name,
        schema=definition.schema(),
        partition_spec=definition.partition_spec(),
        properties={"comment": definition.doc, "write.parquet.compression-codec": "zstd"},
    )


def landed_fingerprints(table: Table) -> dict[str, str]:
    """The source fingerprint of each part's latest commit."""
    found: dict[str, str] = {}
    for snapshot in sorted(table.snapshots(), key=lambda s: s.timestamp_ms):
        summary = snapshot.summary
        if summary is None:
            continue
        part, fingerprint = summary.get(PART_KEY), summary.get(FINGERPRINT_KEY)
        if part and fingerprint:
            found[str(part)] = str(fingerprint)
    return found


def lineage(n: int, source: str, batch_id: str, loaded_at: datetime) -> list[pa.Array]:
    """The _loaded_at, _source and _batch_id columns for n rows."""
    return [
        pa.repeat(pa.scalar(loaded_at, pa.timestamp("us", tz="UTC")), n),
        pa.repeat(pa.scalar(source, pa.string()), n),
        pa.repeat(pa.scalar(batch_id, pa.string()), n),
    ]


def now() -> datetime:
    return datetime.now(UTC)


def replace(
    table: Table, data: pa.Table, where: str, part: str, fingerprint: str, batch_id: str
) -> None:
    """Delete the rows matching `where` and append `data`, in one commit (retried on conflict)."""
    properties = {PART_KEY: part, FINGERPRINT_KEY: fingerprint, BATCH_KEY: batch_id}
    for attempt in range(COMMIT_RETRIES):
        try:
            with warnings.catch_warnings():
                # a part landed for the first time has nothing to delete: not worth a warning
                warnings.filterwarnings("ignore", "Delete operation did not match any records")
                table.overwrite(data, overwrite_filter=where, snapshot_properties=properties)
            return
        except CommitFailedException:
            if attempt == COMMIT_RETRIES - 1:
                raise
            table.refresh()
