"""Telemetry from the source PostgreSQL: its day partitions, their fingerprints, their rows.

Rows are read through ADBC (binary COPY into Arrow, no Python per row) as a stream of record
batches, so memory stays bounded by the batch size, not by the day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import adbc_driver_postgresql.dbapi as adbc
import pyarrow as pa

from lakehouse.errors import PelotonError, UnavailableError
from lakehouse.redact import mask_secrets, mask_url
from lakehouse.sources.fingerprint import SERVER_AGGREGATES, DayAggregates

BATCH_HINT = "adbc.postgresql.batch_size_hint_bytes"
BATCH_BYTES = 4 << 20
BOUND = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class SourceDay:
    """One day partition of the source table, with what tells whether it changed.

    `rows` and `fingerprint` are None when the partition was not scanned (a day to be
    landed anyway): the ingestion then computes them from the rows it reads.
    """

    day: date
    partition: str
    columns: str
    """The partition's columns and types, in order."""
    changes: int
    """The server's count of rows inserted, updated and deleted in the partition."""
    rows: int | None = None
    fingerprint: str | None = None


# libpq's connection parameters for reading the source, unless the URL sets them: give up a
# connection not accepted in 10 s, and notice a peer gone from the network (keepalives; a
# frozen server is noticed by the read-ahead's stall timeout instead)
CONNECTION_DEFAULTS = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}


def with_connection_defaults(url: str) -> str:
    """`url` with CONNECTION_DEFAULTS added where its query does not set them."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query = {**CONNECTION_DEFAULTS, **query}
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _connect(url: str) -> adbc.Connection:
    try:
        return adbc.connect(with_connection_defaults(url))
    except Exception as exc:  # the driver raises its own error classes
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnavailableError(
            f"cannot reach PostgreSQL at {mask_url(url)}: {mask_secrets(first)}"
        ) from None


@contextmanager
def _lost(url: str, doing: str) -> Iterator[None]:
    """Driver errors once connected become a PelotonError naming the server and the step."""
    try:
        yield
    except PelotonError:
        raise
    except Exception as exc:  # the driver raises its own error classes
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnavailableError(
            f"lost PostgreSQL at {mask_url(url)} while {doing}: {mask_secrets(first)}"
        ) from None


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, quoted: any name, quotes and dots included, stays one name."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A PostgreSQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _partitions(cur: Any, schema: str, table: str) -> list[tuple[date, str]]:
    """The table's day partitions, oldest first, each named as a quoted `schema.table`."""
    # bounds are printed in the session's time zone: in UTC, a day's lower bound is its date
    cur.execute("set time zone 'UTC'")
    parent = quote_literal(f"{quote_ident(schema)}.{quote_ident(table)}")
    cur.execute(
        "select format('%I.%I', n.nspname, c.relname), pg_get_expr(c.relpartbound, c.oid) "
        "from pg_inherits i join pg_class c on c.oid = i.inhrelid "
        "join pg_namespace n on n.oid = c.relnamespace "
        f"where i.inhparent = {parent}::regclass"
    )
    found = []
    for name, bound in cur.fetchall():
        match = BOUND.search(str(bound))
        if match is None:
            raise PelotonError(
                f"{name}: partition bound {bound!r}; expected a day range "
                "FROM ('YYYY-MM-DD ...') TO (...)"
            )
        found.append((date.fromisoformat(match[1]), str(name)))
    return sorted(found)


def _describe(cur: Any, day: date, name: str, scan: bool) -> SourceDay:
    """The partition's columns and change counter; with `scan`, its rows and fingerprint.

    `name` is the partition's quoted name, as _partitions gives it.
    """
    relation = f"{quote_literal(name)}::regclass"
    cur.execute(
        "select string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' "
        "order by attnum), (select coalesce(n_tup_ins + n_tup_upd + n_tup_del, 0) "
        f"from pg_stat_user_tables where relid = {relation}) "
        f"from pg_attribute where attrelid = {relation} and attnum > 0 "
        "and not attisdropped"
    )
    columns, changes = cur.fetchone()
    source = SourceDay(day, name, str(columns), int(changes or 0))
    if not scan:
        return source
    cur.execute(SERVER_AGGREGATES.format(partition=name))
    aggregates = DayAggregates.from_server(tuple(cur.fetchone()))
    fingerprint = aggregates.digest(source.columns, source.changes)
    return replace(source, rows=aggregates.rows, fingerprint=fingerprint)


def iter_days(
    url: str,
    schema: str = "race",
    table: str = "telemetry",
    only: set[date] | None = None,
    scan: Callable[[date], bool] | None = None,
) -> Iterator[SourceDay]:
    """The day partitions of `schema.table` (those in `only`, if given), oldest first, each
    described as the iteration reaches it.

    A day is scanned for its row count and fingerprint (lakehouse.sources.fingerprint) when
    `scan(day)` is true, or always without `scan`: one pass over the partition by the server.
    """
    with _connect(url) as conn, conn.cursor() as cur, _lost(url, f"listing {schema}.{table}"):
        for day, name in _partitions(cur, schema, table):
            if only is None or day in only:
                yield _describe(cur, day, name, scan is None or scan(day))


def list_days(
    url: str,
    schema: str = "race",
    table: str = "telemetry",
    only: set[date] | None = None,
    scan: Callable[[date], bool] | None = None,
) -> list[SourceDay]:
    """Every day of iter_days at once."""
    return list(iter_days(url, schema, table, only, scan))


def read_day(url: str, source: SourceDay) -> Iterator[pa.RecordBatch]:
    """Stream every column of one day partition as Arrow record batches.

    A connection lost midway raises a PelotonError naming the server (password masked) and
    the partition; what was read so far must then be discarded by the caller.
    """
    with _connect(url) as conn, conn.cursor() as cur, _lost(url, f"reading {source.partition}"):
        # batches of ~4 MB decode faster than the driver's 16 MB default (they stay in the
        # CPU caches) and keep the read-ahead queue small
        cur.adbc_statement.set_options(**{BATCH_HINT: str(BATCH_BYTES)})
        cur.execute(f"select * from {source.partition}")
        yield from cur.fetch_record_batch()
