"""Telemetry from the source PostgreSQL: its day partitions, their fingerprints, their rows.

Rows are read through ADBC (binary COPY into Arrow, no Python per row) as a stream of record
batches, so memory stays bounded by the batch size, not by the day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import adbc_driver_postgresql.dbapi as adbc
import pyarrow as pa

from lakehouse.errors import PelotonError
from lakehouse.redact import mask_url

BOUND = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class SourceDay:
    """One day partition of the source table, with what tells whether it changed."""

    day: date
    partition: str
    rows: int
    fingerprint: str


def _connect(url: str) -> adbc.Connection:
    try:
        return adbc.connect(url)
    except Exception as exc:  # the driver raises its own error classes
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PelotonError(
            f"cannot reach PostgreSQL at {mask_url(url)}: {first.replace(url, mask_url(url))}"
        ) from None


def list_days(url: str, schema: str = "race", table: str = "telemetry") -> list[SourceDay]:
    """The day partitions of `schema.table`, oldest first, with row count and fingerprint.

    The fingerprint costs one scan of the partition: the column list, the count, the time
    range, sums of ids and coordinates (as integers of 1e-7 degree: a float sum depends on
    the order parallel workers add in), and the server's count of rows inserted, updated and
    deleted in the partition (pg_stat_user_tables), so that a correction of sensor values
    is seen too.
    """
    with _connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select n.nspname || '.' || c.relname, pg_get_expr(c.relpartbound, c.oid) "
            "from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            "join pg_namespace n on n.oid = c.relnamespace "
            f"where i.inhparent = '{schema}.{table}'::regclass"
        )
        partitions = cur.fetchall()
        days: list[SourceDay] = []
        for name, bound in partitions:
            match = BOUND.search(str(bound))
            if match is None:
                raise PelotonError(
                    f"{name}: partition bound {bound!r}; expected a day range "
                    "FROM ('YYYY-MM-DD ...') TO (...)"
                )
            cur.execute(
                "select string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' "
                "order by attnum), (select coalesce(n_tup_ins + n_tup_upd + n_tup_del, 0) "
                f"from pg_stat_user_tables where relid = '{name}'::regclass) "
                f"from pg_attribute where attrelid = '{name}'::regclass and attnum > 0 "
                "and not attisdropped"
            )
            columns, changes = cur.fetchone()
            cur.execute(
                "select count(*), md5(concat_ws('|', count(*), min(recorded_at), "
                "max(recorded_at), sum(athlete_id), sum((lat * 1e7)::bigint), "
                f"sum((lon * 1e7)::bigint), '{columns}', {int(changes or 0)})) from {name}"
            )
            rows, fingerprint = cur.fetchone()
            days.append(
                SourceDay(date.fromisoformat(match[1]), str(name), int(rows), str(fingerprint))
            )
    return sorted(days, key=lambda d: d.day)


def read_day(url: str, source: SourceDay) -> Iterator[pa.RecordBatch]:
    """Stream every column of one day partition as Arrow record batches."""
    with _connect(url) as conn, conn.cursor() as cur:
        cur.execute(f"select * from {source.partition}")
        reader = cur.fetch_record_batch()
        yield from reader
