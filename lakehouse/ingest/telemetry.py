"""Land telemetry days in `raw.telemetry`: one partition overwrite per day, in one commit.

Each day's commit records the source fingerprint in its snapshot summary
(`peloton.fingerprint`, `peloton.day`): the state of the incremental load lives in the table
itself, committed atomically with the data. A day is loaded again when its fingerprint
changed, when it is new, or when a full refresh is asked for.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from lakehouse.sources.telemetry import SourceDay, list_days, read_day
from lakehouse.tables.raw import TELEMETRY

FINGERPRINT_KEY = "peloton.fingerprint"
DAY_KEY = "peloton.day"
COMMIT_RETRIES = 5


@dataclass(frozen=True)
class DayResult:
    day: date
    rows: int
    skipped: bool
    batch_id: str


def telemetry_table(catalog: Catalog) -> Table:
    return catalog.create_table_if_not_exists(
        TELEMETRY.name,
        schema=TELEMETRY.schema(),
        partition_spec=TELEMETRY.partition_spec(),
        properties={"comment": TELEMETRY.doc, "write.parquet.compression-codec": "zstd"},
    )


def landed_fingerprints(table: Table) -> dict[date, str]:
    """The source fingerprint of each day's latest commit."""
    found: dict[date, str] = {}
    for snapshot in sorted(table.snapshots(), key=lambda s: s.timestamp_ms):
        summary = snapshot.summary
        if summary is not None and summary.get(DAY_KEY) and summary.get(FINGERPRINT_KEY):
            found[date.fromisoformat(str(summary.get(DAY_KEY)))] = str(summary.get(FINGERPRINT_KEY))
    return found


def days_to_load(
    sources: list[SourceDay],
    landed: dict[date, str],
    full_refresh: bool = False,
    only: set[date] | None = None,
) -> list[SourceDay]:
    """New or changed days (all of them with full_refresh), restricted to `only` if given."""
    chosen = [s for s in sources if only is None or s.day in only]
    if full_refresh:
        return chosen
    return [s for s in chosen if landed.get(s.day) != s.fingerprint]


def _with_lineage(
    batches: Iterator[pa.RecordBatch], day: date, source: str, batch_id: str, loaded_at: datetime
) -> Iterator[pa.RecordBatch]:
    target = TELEMETRY.schema().as_arrow()
    for batch in batches:
        n = batch.num_rows
        columns = [batch.column(i) for i in range(batch.num_columns)]
        columns += [
            pa.array([day] * n, pa.date32()),
            pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC")),
            pa.array([source] * n, pa.string()),
            pa.array([batch_id] * n, pa.string()),
        ]
        names = [*batch.schema.names, "stage_date", "_loaded_at", "_source", "_batch_id"]
        yield pa.RecordBatch.from_arrays(columns, names=names).cast(target)


def load_day(table: Table, url: str, source: SourceDay, batch_id: str) -> DayResult:
    """Replace the day's partition with the source rows, in one commit (retried on conflict)."""
    loaded_at = datetime.now(UTC)
    target = TELEMETRY.schema().as_arrow()
    properties = {
        FINGERPRINT_KEY: source.fingerprint,
        DAY_KEY: source.day.isoformat(),
        "peloton.batch_id": batch_id,
    }
    # pyiceberg cannot stream into a partitioned table yet: one day is materialised (memory is
    # bounded by the largest day, not by the number of days).
    data = pa.Table.from_batches(
        list(
            _with_lineage(read_day(url, source), source.day, source.partition, batch_id, loaded_at)
        ),
        schema=target,
    )
    for attempt in range(COMMIT_RETRIES):
        try:
            with warnings.catch_warnings():
                # a day landed for the first time has nothing to delete: not worth a warning
                warnings.filterwarnings("ignore", "Delete operation did not match any records")
                table.overwrite(
                    data,
                    overwrite_filter=f"stage_date == '{source.day.isoformat()}'",
                    snapshot_properties=properties,
                )
            break
        except CommitFailedException:
            if attempt == COMMIT_RETRIES - 1:
                raise
            table.refresh()
    return DayResult(source.day, source.rows, False, batch_id)


def ingest_telemetry(
    catalog: Catalog,
    url: str,
    full_refresh: bool = False,
    only: set[date] | None = None,
    schema: str = "race",
) -> list[DayResult]:
    """Land every new or changed day; days already landed unchanged are reported as skipped."""
    table = telemetry_table(catalog)
    sources = list_days(url, schema)
    todo = {s.day for s in days_to_load(sources, landed_fingerprints(table), full_refresh, only)}
    batch_id = uuid.uuid4().hex
    results: list[DayResult] = []
    for source in sources:
        if only is not None and source.day not in only:
            continue
        if source.day in todo:
            results.append(load_day(table, url, source, batch_id))
        else:
            results.append(DayResult(source.day, source.rows, True, batch_id))
    return results
