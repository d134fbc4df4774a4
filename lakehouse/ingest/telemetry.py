"""Land telemetry days in `raw.telemetry`: one partition overwrite per day, in one commit.

A day is loaded again when its source fingerprint changed, when it is new, or when a full
refresh is asked for (see lakehouse.ingest.commit for where the state lives).
"""

from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.ingest.commit import ensure_table, landed_fingerprints, lineage, now, replace
from lakehouse.ingest.evolution import evolve
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


LOADER_COLUMNS = ("stage_date", "_loaded_at", "_source", "_batch_id")


def _loader_fields() -> list[pa.Field]:
    target = TELEMETRY.schema().as_arrow()
    return [target.field(name) for name in LOADER_COLUMNS]


def _conform(
    batch: pa.RecordBatch,
    target: pa.Schema,
    day: date,
    source: str,
    batch_id: str,
    loaded_at: datetime,
) -> pa.RecordBatch:
    """A source batch with the table's columns, in its order and types, lineage filled in."""
    n = batch.num_rows
    extra = dict(
        zip(
            LOADER_COLUMNS,
            [pa.repeat(pa.scalar(day, pa.date32()), n), *lineage(n, source, batch_id, loaded_at)],
            strict=True,
        )
    )
    arrays = []
    for field in target:
        if field.name in extra:
            arrays.append(extra[field.name].cast(field.type))
        elif field.name in batch.schema.names:
            arrays.append(batch.column(field.name).cast(field.type))
        else:  # a column the source no longer has
            arrays.append(pa.nulls(n, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=target)


def fetch_day(url: str, source: SourceDay) -> list[pa.RecordBatch]:
    """Read one day whole (before anything is written: a lost connection lands nothing)."""
    return list(read_day(url, source))


def write_day(
    table: Table, source: SourceDay, batches: list[pa.RecordBatch], batch_id: str
) -> DayResult:
    """Replace the day's partition with the rows read, in one commit.

    The source's columns are checked against the table first (lakehouse.ingest.evolution):
    new nullable columns are added, impossible changes fail before anything is written.
    """
    if batches:
        incoming = pa.schema([*batches[0].schema, *_loader_fields()])
        evolve(table, incoming, source.partition)
    target = table.schema().as_arrow()
    loaded_at = now()
    # pyiceberg cannot stream into a partitioned table yet: one day is materialised (memory is
    # bounded by the largest day, not by the number of days).
    data = pa.Table.from_batches(
        [_conform(b, target, source.day, source.partition, batch_id, loaded_at) for b in batches],
        schema=target,
    )
    day = source.day.isoformat()
    replace(table, data, f"stage_date == '{day}'", day, source.fingerprint, batch_id)
    return DayResult(source.day, data.num_rows, False, batch_id)


def load_day(table: Table, url: str, source: SourceDay, batch_id: str) -> DayResult:
    """Read then write one day."""
    return write_day(table, source, fetch_day(url, source), batch_id)


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
    chosen = [s for s in sources if only is None or s.day in only]
    to_read = [s for s in chosen if s.day in todo]
    results: dict[date, DayResult] = {
        s.day: DayResult(s.day, s.rows, True, batch_id) for s in chosen if s.day not in todo
    }
    # the next day is read (by the server's COPY) while this one is written (by pyiceberg):
    # the two sides share the cores instead of waiting on each other; two days in memory
    with ThreadPoolExecutor(max_workers=1) as reader:
        pending: Future[list[pa.RecordBatch]] | None = (
            reader.submit(fetch_day, url, to_read[0]) if to_read else None
        )
        for i, source in enumerate(to_read):
            assert pending is not None
            batches = pending.result()
            pending = (
                reader.submit(fetch_day, url, to_read[i + 1]) if i + 1 < len(to_read) else None
            )
            results[source.day] = write_day(table, source, batches, batch_id)
            del batches
    return [results[s.day] for s in chosen]
