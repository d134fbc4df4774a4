"""Land telemetry days in `raw.telemetry`: one partition overwrite per day, in one commit.

A day is loaded again when its source fingerprint changed, when it is new, or when a full
refresh is asked for (see lakehouse.lake.commits for where the state lives).
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.ingest.evolution import evolve
from lakehouse.ingest.readahead import read_ahead
from lakehouse.lake.commits import (
    ensure_table,
    landed_fingerprints,
    lineage,
    now,
    replace_partition,
)
from lakehouse.lake.raw_tables import TELEMETRY
from lakehouse.sources.fingerprint import DayAggregates
from lakehouse.sources.telemetry import SourceDay, iter_days, read_day


@dataclass(frozen=True)
class DayResult:
    day: date
    rows: int
    skipped: bool
    batch_id: str


def telemetry_table(catalog: Catalog) -> Table:
    return ensure_table(catalog, TELEMETRY)


def skipped(source: SourceDay, batch_id: str) -> DayResult:
    """The result of a day left as it is (it was scanned: its rows are known)."""
    return DayResult(source.day, source.rows or 0, True, batch_id)


def scan_landed(landed: dict[str, str], full_refresh: bool) -> Callable[[date], bool]:
    """Which source days need their fingerprint before deciding: those landed before."""
    return lambda day: not full_refresh and day.isoformat() in landed


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
    return [
        s
        for s in chosen
        if s.fingerprint is None  # not scanned: not landed before
        or landed.get(s.day.isoformat()) != s.fingerprint
    ]


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


def write_day(
    table: Table, source: SourceDay, batches: Iterable[pa.RecordBatch], batch_id: str
) -> DayResult:
    """Replace the day's partition with the rows of `batches`, in one commit.

    The source's columns are checked against the table on the first batch
    (lakehouse.ingest.evolution): new nullable columns are added, impossible changes fail
    before anything is written. Batches are then conformed and written as they come
    (lakehouse.lake.datafiles); the partition is replaced only once every row is written.
    The commit records the fingerprint of the rows read (lakehouse.sources.fingerprint).
    """
    stream = iter(batches)
    first = next(stream, None)
    if first is not None:
        incoming = pa.schema([*first.schema, *_loader_fields()])
        evolve(table, incoming, source.partition)
    target = table.schema().as_arrow()
    loaded_at = now()
    read = DayAggregates()

    def conformed() -> Iterator[pa.RecordBatch]:
        for batch in itertools.chain([first] if first is not None else [], stream):
            read.add(batch)
            yield _conform(batch, target, source.day, source.partition, batch_id, loaded_at)

    replace_partition(
        table,
        conformed(),
        source.day,
        TELEMETRY.dictionary,
        lambda: read.digest(source.columns, source.changes),
        batch_id,
    )
    return DayResult(source.day, read.rows, False, batch_id)


def load_day(table: Table, url: str, source: SourceDay, batch_id: str) -> DayResult:
    """Stream one day from the source into the table: the next batch is read while this one
    is written."""
    with contextlib.closing(read_ahead(read_day(url, source))) as batches:
        return write_day(table, source, batches, batch_id)


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
    landed = landed_fingerprints(table)
    batch_id = batch_id or uuid.uuid4().hex
    results = []
    # one thread runs ahead through fingerprints and days: the next day is already streaming
    # from the server while this one's file is finished and committed
    stream = read_ahead(_source_stream(url, schema, only, landed, full_refresh), depth=8)
    try:
        for item in stream:
            assert isinstance(item, tuple)
            source, to_load = item
            if not to_load:
                results.append(skipped(source, batch_id))
                continue
            results.append(write_day(table, source, _until_day_end(stream), batch_id))
    finally:
        stream.close()
    return results


_DAY_END = object()
StreamItem = object
"""(SourceDay, load it?), a record batch, or _DAY_END."""


def _source_stream(
    url: str, schema: str, only: set[date] | None, landed: dict[str, str], full_refresh: bool
) -> Iterator[StreamItem]:
    """(day, load it?) for each day; a day to load is followed by its batches and _DAY_END.

    Only days already landed are scanned for their fingerprint (unless all are reloaded):
    the fingerprint of a day to land is computed from the rows read.
    """
    for source in iter_days(url, schema, only=only, scan=scan_landed(landed, full_refresh)):
        to_load = bool(days_to_load([source], landed, full_refresh))
        yield source, to_load
        if to_load:
            yield from read_day(url, source)
            yield _DAY_END


def _until_day_end(stream: Iterator[StreamItem]) -> Iterator[pa.RecordBatch]:
    for item in stream:
        if item is _DAY_END:
            return
        assert isinstance(item, pa.RecordBatch)
        yield item
