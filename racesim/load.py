"""Load simulated telemetry into the source PostgreSQL: `race.telemetry`, one partition a day.

The whole load is one transaction: the table is dropped and created again, each stage day's
partition is created and filled by ADBC bulk ingest (binary COPY), and the run is recorded in
`race.sim_runs`. Readers see the old data or the new, never half of it. In the same
transaction as the CREATE, a server with wal_level=minimal skips the WAL for the COPY.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import adbc_driver_postgresql.dbapi as adbc
import pyarrow as pa

from lakehouse.redact import mask_url
from racesim.errors import SimulationError

TELEMETRY_DDL = """
create table {schema}.telemetry (
    athlete_id bigint not null,
    stage smallint not null,
    recorded_at timestamptz not null,
    lat double precision not null,
    lon double precision not null,
    elevation_m real,
    speed_kmh real,
    heart_rate_bpm smallint,
    power_w smallint,
    cadence_rpm smallint
) partition by range (recorded_at)
"""
RUNS_DDL = """
create table if not exists {schema}.sim_runs (
    run_id bigint generated always as identity primary key,
    seed bigint not null,
    scale text not null,
    manifest jsonb not null,
    loaded_at timestamptz not null default now()
)
"""
COMMENTS = {
    "athlete_id": "Strava athlete id of the rider",
    "recorded_at": "time of the GPS fix (UTC); one row per second, with dropouts and duplicates",
    "elevation_m": "GPS elevation (m)",
    "speed_kmh": "speed from the head unit (km/h)",
    "heart_rate_bpm": "heart rate (beats/min); null when the rider has no strap",
    "power_w": "power at the pedals (W); null without a power meter",
    "cadence_rpm": "pedalling cadence (rpm); null without a sensor",
}


def partition_name(day: date) -> str:
    return f"telemetry_{day:%Y_%m_%d}"


class TelemetryLoader:
    """Writes a run's telemetry in one transaction; use through `open_loader`."""

    def __init__(self, conn: Any, schema: str) -> None:
        self.conn = conn
        self.schema = schema
        self.rows: dict[str, int] = {}
        self.ingest_seconds = 0.0
        """Time spent creating partitions and ingesting (the database's share of a run)."""

    def _execute(self, sql: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute(sql)

    def prepare(self) -> None:
        """Replace the telemetry table, empty, in the open transaction."""
        s = self.schema
        self._execute(f"create schema if not exists {s}")
        self._execute(f"drop table if exists {s}.telemetry cascade")
        self._execute(TELEMETRY_DDL.format(schema=s))
        self._execute(RUNS_DDL.format(schema=s))
        self._execute(
            f"comment on table {s}.telemetry is 'Race telemetry at 1 Hz, partitioned per day "
            "(simulated by racesim)'"
        )
        for column, text in COMMENTS.items():
            self._execute(f"comment on column {s}.telemetry.{column} is '{text}'")

    def load_day(self, day: date, table: pa.Table) -> int:
        """Create the day's partition and bulk-ingest its rows."""
        started = time.perf_counter()
        s, name, end = self.schema, partition_name(day), day + timedelta(days=1)
        self._execute(
            f"create table {s}.{name} partition of {s}.telemetry for values "
            f"from ('{day.isoformat()} 00:00:00+00') to ('{end} 00:00:00+00')"
        )
        self.ingest_seconds += time.perf_counter() - started
        return self._ingest(day, table)

    def append_day(self, day: date, table: pa.Table) -> int:
        """Add rows to the day's existing partition (a late delivery)."""
        return self._ingest(day, table)

    def replace_day(self, day: date, table: pa.Table) -> int:
        """Empty the day's existing partition and fill it again (a day sent again)."""
        self._execute(f"truncate {self.schema}.{partition_name(day)}")
        self.rows[partition_name(day)] = 0
        return self._ingest(day, table)

    def _ingest(self, day: date, table: pa.Table) -> int:
        name = partition_name(day)
        started = time.perf_counter()
        with self.conn.cursor() as cur:
            count = cur.adbc_ingest(name, table, mode="append", db_schema_name=self.schema)
        rows = int(count) if count is not None and count >= 0 else table.num_rows
        self.rows[name] = self.rows.get(name, 0) + rows
        self.ingest_seconds += time.perf_counter() - started
        return rows

    def has_run(self, key: str, value: str | int) -> bool:
        """Whether a run whose manifest has `key` = `value` was recorded."""
        with self.conn.cursor() as cur:
            cur.execute(
                f"select count(*) from {self.schema}.sim_runs where manifest ->> $1 = $2",
                parameters=(key, str(value)),
            )
            row = cur.fetchone()
        return bool(row and row[0])

    def record_run(self, seed: int, scale: str, manifest: dict[str, Any]) -> None:
        """Log the load in sim_runs, in the same transaction."""
        with self.conn.cursor() as cur:
            cur.execute(
                f"insert into {self.schema}.sim_runs (seed, scale, manifest) "
                "values ($1, $2, $3::jsonb)",
                parameters=(int(seed), scale, json.dumps(manifest, sort_keys=True)),
            )


@contextmanager
def open_loader(url: str, schema: str = "race", replace: bool = True) -> Iterator[TelemetryLoader]:
    """A loader inside one transaction: committed when the block ends, rolled back on error.

    `replace`: start from an empty telemetry table (a new run); else add to the table as it is.
    """
    if not schema.isidentifier():
        raise SimulationError(f"schema {schema!r}: expected a plain SQL identifier")
    try:
        conn = adbc.connect(url)
    except Exception as exc:  # the driver raises its own error classes
        raise SimulationError(
            f"cannot reach PostgreSQL at {mask_url(url)}: {_reason(exc, url)}"
        ) from None
    try:
        loader = TelemetryLoader(conn, schema)
        if replace:
            loader.prepare()
        yield loader
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def _reason(exc: Exception, url: str) -> str:
    """The driver's message, first line, with the URL's secret masked."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.replace(url, mask_url(url))
