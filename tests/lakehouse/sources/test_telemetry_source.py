"""The telemetry source reader on names that need quoting: schema and table are identifiers."""

from datetime import date

import psycopg
import pytest
from psycopg import sql

from lakehouse.sources.telemetry import list_days, quote_ident, quote_literal, read_day

pytestmark = pytest.mark.integration
SCHEMA = 'Race "2023"; drop'
TABLE = "tele'metry"


def test_quoting_keeps_one_name_one_name() -> None:
    assert quote_ident('a"b.c') == '"a""b.c"'
    assert quote_literal("it's") == "'it''s'"


@pytest.fixture()
def awkward_source(pg_conn: psycopg.Connection) -> None:
    """A day-partitioned table whose schema, table and partition names need quoting."""
    schema, table = sql.Identifier(SCHEMA), sql.Identifier(TABLE)
    pg_conn.execute(sql.SQL("drop schema if exists {} cascade").format(schema))
    pg_conn.execute(sql.SQL("create schema {}").format(schema))
    pg_conn.execute(
        sql.SQL(
            "create table {}.{} (athlete_id bigint, recorded_at timestamptz, lat float8, "
            "lon float8) "
            "partition by range (recorded_at)"
        ).format(schema, table)
    )
    for day, rows in (("2023-07-01", 3), ("2023-07-02", 5)):
        part = sql.Identifier(f"Day {day}")
        pg_conn.execute(
            sql.SQL("create table {}.{} partition of {}.{} for values from ({}) to ({})").format(
                schema,
                part,
                schema,
                table,
                sql.Literal(f"{day} 00:00:00+00"),
                sql.Literal(f"{day} 23:59:59.999999+00"),
            )
        )
        pg_conn.execute(
            sql.SQL(
                "insert into {}.{} select i, {}::timestamptz + i * interval '1 second', 45, 6 "
                "from generate_series(1, {}) i"
            ).format(schema, table, sql.Literal(f"{day} 10:00:00+00"), sql.Literal(rows))
        )
    pg_conn.commit()


def test_days_of_a_table_with_quoted_names_are_listed_and_read(
    awkward_source: None, postgres_url: str
) -> None:
    days = list_days(postgres_url, SCHEMA, TABLE)
    assert [d.day for d in days] == [date(2023, 7, 1), date(2023, 7, 2)]
    assert [d.rows for d in days] == [3, 5]
    assert days[0].partition == '"Race ""2023""; drop"."Day 2023-07-01"'
    read = [sum(b.num_rows for b in read_day(postgres_url, d)) for d in days]
    assert read == [3, 5]
