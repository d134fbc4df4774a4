"""The fingerprint of a telemetry day: what tells the next run whether the day changed.

It digests the partition's column list, the server's count of rows inserted, updated and
deleted in it (`pg_stat_user_tables`, so that a correction of sensor values is seen), and a
few exact aggregates of its rows: count, first and last timestamp (microseconds), the sum of
athlete ids and the sums of the coordinates as integers of 1e-7 degree (a float sum would
depend on the order PostgreSQL's parallel workers add in).

The aggregates are computed in two places that must agree to the bit: by the server, for a
day already landed (is it unchanged?), and by the ingestion from the batches it reads, for a
day it lands anyway (new, or a full refresh), which then costs no extra scan of the source.
Coordinates are scaled and rounded half to even, as PostgreSQL's float-to-bigint cast does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

SERVER_AGGREGATES = (
    "select count(*), "
    "(extract(epoch from min(recorded_at)) * 1000000)::bigint, "
    "(extract(epoch from max(recorded_at)) * 1000000)::bigint, "
    "coalesce(sum(athlete_id), 0), "
    "coalesce(sum((lat * 1e7)::bigint), 0), "
    "coalesce(sum((lon * 1e7)::bigint), 0) "
    "from {partition}"
)


def _scaled_sum(column: pa.Array) -> int:
    scaled = pc.round(pc.multiply(column.cast(pa.float64()), 1e7), round_mode="half_to_even")
    return int(pc.sum(scaled.cast(pa.int64())).as_py() or 0)


@dataclass
class DayAggregates:
    """The exact aggregates of a day's rows, accumulated batch by batch."""

    rows: int = 0
    first_us: int | None = None
    last_us: int | None = None
    sum_ids: int = 0
    sum_lat: int = 0
    sum_lon: int = 0

    @classmethod
    def from_server(cls, row: tuple[object, ...]) -> DayAggregates:
        rows, first, last, ids, lat, lon = row
        return cls(
            int(rows),  # type: ignore[call-overload]
            None if first is None else int(first),  # type: ignore[call-overload]
            None if last is None else int(last),  # type: ignore[call-overload]
            int(ids),  # type: ignore[call-overload]
            int(lat),  # type: ignore[call-overload]
            int(lon),  # type: ignore[call-overload]
        )

    def add(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self.rows += batch.num_rows
        times = batch.column("recorded_at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        bounds = pc.min_max(times).as_py()
        low, high = bounds["min"], bounds["max"]
        if low is not None:
            self.first_us = low if self.first_us is None else min(low, self.first_us)
            self.last_us = high if self.last_us is None else max(high, self.last_us)
        self.sum_ids += int(pc.sum(batch.column("athlete_id")).as_py() or 0)
        self.sum_lat += _scaled_sum(batch.column("lat"))
        self.sum_lon += _scaled_sum(batch.column("lon"))

    def digest(self, columns: str, changes: int) -> str:
        parts = (
            self.rows,
            self.first_us,
            self.last_us,
            self.sum_ids,
            self.sum_lat,
            self.sum_lon,
            columns,
            changes,
        )
        text = "|".join("" if p is None else str(p) for p in parts)
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
