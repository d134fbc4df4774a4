"""Land telemetry days in `raw.telemetry`: one partition overwrite per day, one day at a time.

The plan (plan_days) says which source days to land; land_days lands them in order, each in
one commit, through load_day or a caller's wrapper of it (the Prefect flow's task); the
reading alone runs ahead, into the next day (DayStreams). A day is
loaded again when its source fingerprint changed, when it is new, or when a full
refresh is asked for (see lakehouse.lake.commits for where the state lives).
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.ingest.evolution import evolve
from lakehouse.ingest.quarantine import replace_quarantine
from lakehouse.ingest.readahead import ReadAhead, read_ahead
from lakehouse.ingest.selection import require_days
from lakehouse.ingest.validation import RejectedRow, split_rows
from lakehouse.lake.commits import (
    ensure_table,
    landed_fingerprints,
    lineage,
    now,
    replace_partition,
)
from lakehouse.lake.raw_tables import TELEMETRY
from lakehouse.settings import get_settings
from lakehouse.sources.fingerprint import DayAggregates
from lakehouse.sources.telemetry import SourceDay, list_days, read_day


@dataclass(frozen=True)
class DayResult:
    day: date
    rows: int
    """Rows read from the source (landed + quarantined)."""
    skipped: bool
    batch_id: str
    quarantined: int = 0


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
    rejected: list[RejectedRow] = []

    def conformed() -> Iterator[pa.RecordBatch]:
        for batch in itertools.chain([first] if first is not None else [], stream):
            read.add(batch)
            good, bad = split_rows(batch, source.day)
            rejected.extend(bad)
            yield _conform(good, target, source.day, source.partition, batch_id, loaded_at)

    def fingerprint() -> str:
        return read.digest(source.columns, source.changes)

    def quarantine_first() -> None:
        catalog = table.catalog
        replace_quarantine(
            catalog, "telemetry", source.partition, rejected, fingerprint(), batch_id
        )

    replace_partition(
        table,
        conformed(),
        source.day,
        TELEMETRY.dictionary,
        fingerprint,
        batch_id,
        before_commit=quarantine_first,
    )
    return DayResult(source.day, read.rows, False, batch_id, len(rejected))


class DayStreams:
    """The batches of the days to land, each day streamed by its own read-ahead thread.

    When a day's source has been read to its end, the next day to land starts streaming
    (its query, its first batches) while this one is finished: its last batches, its Parquet
    footer, its commit and the flow's bookkeeping. Days are still written and committed one
    at a time; memory holds one day's read-ahead and the next day's first batches. A day
    opened again (a retry) streams afresh.
    """

    def __init__(self, url: str, plan: list[PlannedDay], stall_s: float) -> None:
        self.url, self.stall_s = url, stall_s
        order = [p.source for p in plan if p.load]
        self._following = {a.partition: b for a, b in itertools.pairwise(order)}
        self._ahead: dict[str, ReadAhead[pa.RecordBatch]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def open(self, source: SourceDay) -> ReadAhead[pa.RecordBatch]:
        """The day's batches: the stream started ahead, or a new one."""
        with self._lock:
            started = self._ahead.pop(source.partition, None)
        return started or self._stream(source)

    def _stream(self, source: SourceDay) -> ReadAhead[pa.RecordBatch]:
        what = f"PostgreSQL while reading {source.partition}"
        return read_ahead(self._read(source), stall_s=self.stall_s, what=what)

    def _read(self, source: SourceDay) -> Iterator[pa.RecordBatch]:
        yield from read_day(self.url, source)
        following = self._following.get(source.partition)
        with self._lock:  # in the reading thread, once the day is read whole
            if following and not self._closed and following.partition not in self._ahead:
                self._ahead[following.partition] = self._stream(following)

    def close(self) -> None:
        """Stop the streams started ahead and not taken (the run failed or ended)."""
        with self._lock:
            self._closed = True
            left = list(self._ahead.values())
            self._ahead.clear()
        for stream in left:
            stream.close()

    def __enter__(self) -> DayStreams:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_day(table: Table, streams: DayStreams, source: SourceDay, batch_id: str) -> DayResult:
    """Stream one day from the source into the table: the next batch is read while this one
    is written."""
    with streams.open(source) as batches:
        return write_day(table, source, batches, batch_id)


@dataclass(frozen=True)
class PlannedDay:
    """A source day and whether it must be landed (new, changed, or a full refresh)."""

    source: SourceDay
    load: bool


def plan_days(
    table: Table,
    url: str,
    schema: str = "race",
    only: set[date] | None = None,
    full_refresh: bool = False,
) -> list[PlannedDay]:
    """Every source day (those in `only`, if given), oldest first, and whether to land it.

    A day asked for that the source does not have is refused (SelectionError). Only days
    already landed are scanned for their fingerprint (unless all are reloaded): the
    fingerprint of a day to land is computed from the rows read.
    """
    landed = landed_fingerprints(table)
    sources = list_days(url, schema, only=only, scan=scan_landed(landed, full_refresh))
    if only:
        require_days(only, [s.day for s in sources], f"the source's {schema}.telemetry")
    chosen = {s.day for s in days_to_load(sources, landed, full_refresh)}
    return [PlannedDay(s, s.day in chosen) for s in sources]


LandDay = Callable[[SourceDay, DayStreams], DayResult]
"""Lands one day from its stream: load_day on a table, or a caller's wrapper of it (the flow's
task, with its retries and logs)."""


def land_days(
    plan: list[PlannedDay],
    url: str,
    land: LandDay,
    batch_id: str,
    stall_s: float | None = None,
) -> list[DayResult]:
    """Land the planned days with `land`, one at a time and in order; the others are skipped.

    Each day is committed before the next is written, so the days' commits never conflict;
    only the reading runs ahead, into the next day (DayStreams). Memory does not grow with
    the number of days. A day's read that goes `stall_s` seconds without a batch is given up
    (by default the source's read timeout, `PELOTON_SOURCE__READ_TIMEOUT_S`).
    """
    if stall_s is None:
        stall_s = get_settings().source.read_timeout_s
    with DayStreams(url, plan, stall_s) as streams:
        return [land(p.source, streams) if p.load else skipped(p.source, batch_id) for p in plan]


def land_telemetry(
    catalog: Catalog,
    url: str,
    full_refresh: bool = False,
    only: set[date] | None = None,
    schema: str = "race",
    batch_id: str | None = None,
    stall_s: float | None = None,
) -> list[DayResult]:
    """Land every new or changed day of the source at `url` in raw.telemetry: the plan and the
    loop of the `ingest_telemetry` flow, each day landed by `load_day` in this thread (no
    retries, no run lock: the caller holds it where other runs may write). Days already
    landed unchanged are reported as skipped."""
    table = telemetry_table(catalog)
    batch = batch_id or uuid.uuid4().hex
    plan = plan_days(table, url, schema, only, full_refresh)
    land = lambda day, streams: load_day(table, streams, day, batch)  # noqa: E731
    return land_days(plan, url, land, batch, stall_s)
