"""Land telemetry days in `raw.telemetry`: one partition overwrite per day, in one commit.

A day is loaded again when its source fingerprint changed, when it is new, or when a full
refresh is asked for (see lakehouse.ingest.commit for where the state lives).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.ingest.commit import ensure_table, landed_fingerprints, lineage, now, replace
from lakehouse.sources.telemetry import SourceDay, list_days, read_day
from lakehouse.tables.raw import TELEMETRY


@dataclass(frozen=True)
class DayResult:
    day: date
    rows: int
    skipped: bool
    batch_id: str


def telemetry_table(catalog: Catalog) -> Table:
    return ensure_table(catalog, TELEMETRY)


def days_to_load(
    sources: list[SourceDay],
    landed: dict[str, str],
    full_refresh: bool = False,
    only: set[date] | None = None,
) -> list[SourceDay]:
    """New or changed days (all of them with full_refresh), restricted to `only` if given."""
    chosen = [s for s in sources if only is None or s.day in only]
    if full_refresh:
        return chosen
    return [s for s in chosen if landed.get(s.day.isoformat()) != s.fingerprint]


def _with_lineage(
    batches: Iterator[pa.RecordBatch], day: date, source: str, batch_id: str
) -> Iterator[pa.RecordBatch]:
    target = TELEMETRY.schema().as_arrow()
    loaded_at = now()
    for batch in batches:
        n = batch.num_rows
        columns = [batch.column(i) for i in range(batch.num_columns)]
        columns += [pa.array([day] * n, pa.date32()), *lineage(n, source, batch_id, loaded_at)]
        names = [*batch.schema.names, "stage_date", "_loaded_at", "_source", "_batch_id"]
        yield pa.RecordBatch.from_arrays(columns, names=names).cast(target)


def load_day(table: Table, url: str, source: SourceDay, batch_id: str) -> DayResult:
    """Replace the day's partition with the source rows, in one commit."""
    # pyiceberg cannot stream into a partitioned table yet: one day is materialised (memory is
    # bounded by the largest day, not by the number of days).
    data = pa.Table.from_batches(
        list(_with_lineage(read_day(url, source), source.day, source.partition, batch_id)),
        schema=TELEMETRY.schema().as_arrow(),
    )
    day = source.day.isoformat()
    replace(table, data, f"stage_date == '{day}'", day, source.fingerprint, batch_id)
    return DayResult(source.day, data.num_rows, False, batch_id)


def ingest_telemetry(
    catalog: Catalog,
    url: str,
    full_refresh: bool = False,
    only: set[date] | None = None,
    schema: str = "race",
    batch_id: str | None = None,
) -> list[DayResult]:
    """Land every new or changed day; days already landed unchanged are reported as skipped."""
    table = telemetry_table(catalog)
    sources = list_days(url, schema)
    todo = {s.day for s in days_to_load(sources, landed_fingerprints(table), full_refresh, only)}
    batch_id = batch_id or uuid.uuid4().hex
    results: list[DayResult] = []
    for source in sources:
        if only is not None and source.day not in only:
            continue
        if source.day in todo:
            results.append(load_day(table, url, source, batch_id))
        else:
            results.append(DayResult(source.day, source.rows, True, batch_id))
    return results
