"""The day fingerprint: the server's aggregates and the ones computed from the rows read agree."""

from datetime import date

import psycopg
import pytest

from lakehouse.sources.fingerprint import SERVER_AGGREGATES, DayAggregates
from lakehouse.sources.telemetry import list_days, read_day

pytestmark = pytest.mark.integration
SCHEMA = "fp_src"


@pytest.fixture()
def source(pg_conn: psycopg.Connection, postgres_url: str) -> str:
    """A partitioned telemetry table with awkward values: halves at the rounding edge,
    negative coordinates, sub-second timestamps, an empty day."""
    pg_conn.execute(f"drop schema if exists {SCHEMA} cascade")
    pg_conn.execute(f"create schema {SCHEMA}")
    pg_conn.execute(
        f"create table {SCHEMA}.telemetry (athlete_id bigint, stage smallint, "
        "recorded_at timestamptz, lat double precision, lon double precision, "
        "power_w smallint) partition by range (recorded_at)"
    )
    for day in ("2023-07-01", "2023-07-02"):
        name = f"{SCHEMA}.telemetry_{day.replace('-', '_')}"
        pg_conn.execute(
            f"create table {name} partition of {SCHEMA}.telemetry "
            f"for values from ('{day} 00:00:00+00') to ('{day} 23:59:59.999999+00')"
        )
    pg_conn.execute(
        f"insert into {SCHEMA}.telemetry "
        "select 4000000 + i % 13, 1, '2023-07-01 10:00:00.123456+00'::timestamptz "
        "+ i * interval '1.000001 second', "
        "case when i % 3 = 0 then 0.00000005 * (2 * (i % 7) + 1) else 45.1234567 + i * 1e-9 end, "
        "case when i % 2 = 0 then -0.00000015 else -1.2345678 - i * 1e-9 end, "
        "case when i % 5 = 0 then null else 300 end from generate_series(1, 50000) i"
    )
    pg_conn.commit()
    return postgres_url


def test_aggregates_of_the_rows_read_equal_the_servers(source: str) -> None:
    days = list_days(source, SCHEMA)
    assert [d.day for d in days] == [date(2023, 7, 1), date(2023, 7, 2)]
    for day in days:
        client = DayAggregates()
        for batch in read_day(source, day):
            client.add(batch)
        with psycopg.connect(source) as conn:
            row = conn.execute(SERVER_AGGREGATES.format(partition=day.partition)).fetchone()
        assert row is not None
        assert client == DayAggregates.from_server(tuple(row))
        assert client.digest(day.columns, day.changes) == day.fingerprint
    assert days[0].rows == 50000 and days[1].rows == 0


def test_unscanned_days_carry_no_fingerprint(source: str) -> None:
    days = list_days(source, SCHEMA, scan=lambda d: d == date(2023, 7, 2))
    assert days[0].fingerprint is None and days[0].rows is None
    assert days[0].columns.startswith("athlete_id:bigint,stage:smallint")
    assert days[1].fingerprint is not None and days[1].rows == 0


def test_any_change_of_the_aggregates_changes_the_digest() -> None:
    base = DayAggregates(10, 1, 2, 3, 4, 5)
    digests = {base.digest("c", 0), base.digest("c", 1), base.digest("d", 0)}
    for field in ("rows", "first_us", "last_us", "sum_ids", "sum_lat", "sum_lon"):
        changed = DayAggregates(**{**base.__dict__, field: getattr(base, field) + 1})
        digests.add(changed.digest("c", 0))
    assert len(digests) == 9


def test_days_are_right_whatever_the_session_time_zone(source: str) -> None:
    west = source + ("&" if "?" in source else "?") + "options=-c%20timezone%3DAmerica/Los_Angeles"
    assert [d.day for d in list_days(west, SCHEMA)] == [date(2023, 7, 1), date(2023, 7, 2)]
    assert [d.fingerprint for d in list_days(west, SCHEMA)] == [
        d.fingerprint for d in list_days(source, SCHEMA)
    ]


def test_a_timestamp_at_the_epoch_counts_as_a_bound() -> None:
    import pyarrow as pa

    def batch(micros: list[int]) -> pa.RecordBatch:
        n = len(micros)
        return pa.RecordBatch.from_pydict(
            {
                "recorded_at": pa.array(micros, pa.timestamp("us", tz="UTC")),
                "athlete_id": pa.array([1] * n, pa.int64()),
                "lat": pa.array([0.0] * n),
                "lon": pa.array([0.0] * n),
            }
        )

    aggregates = DayAggregates()
    aggregates.add(batch([0, 5]))
    aggregates.add(batch([3, 9]))
    assert (aggregates.first_us, aggregates.last_us, aggregates.rows) == (0, 9, 4)
