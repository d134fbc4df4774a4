"""File-based access control: `etl` writes; `bi` and `bot` only read the marts and the views."""

import pytest

from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("user", ["bi", "bot"])
def test_readers_read_marts_and_views(lake: Settings, user: str) -> None:
    assert run_sql(lake, "SELECT count(*) FROM marts.stage_results", user).rows[0][0] > 0
    assert run_sql(lake, "SELECT count(*) FROM views.stage_routes", user).rows[0][0] == 3


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE marts.forbidden AS SELECT 1 AS x",
        "INSERT INTO marts.stage_summary SELECT * FROM marts.stage_summary LIMIT 1",
        "DELETE FROM marts.stage_results WHERE stage = 17",
        "DROP TABLE marts.stage_results",
        "CREATE SCHEMA lakehouse.forbidden",
        "CREATE OR REPLACE VIEW views.stage_routes AS SELECT 1 AS x",
        "SELECT count(*) FROM staging.telemetry",
        "SELECT count(*) FROM raw.athletes",
        "SELECT count(*) FROM source.trino_src.telemetry",
    ],
)
@pytest.mark.parametrize("user", ["bi", "bot"])
def test_readers_cannot_write_nor_read_outside_marts_and_views(
    lake: Settings, statement: str, user: str
) -> None:
    with pytest.raises(PelotonError, match="Access Denied"):
        run_sql(lake, statement, user)


def test_etl_writes_and_drops(lake: Settings) -> None:
    run_sql(lake, "CREATE SCHEMA IF NOT EXISTS lakehouse.scratch")
    run_sql(lake, "CREATE TABLE scratch.allowed AS SELECT 1 AS x")
    run_sql(lake, "INSERT INTO scratch.allowed VALUES 2")
    assert run_sql(lake, "SELECT sum(x) FROM scratch.allowed").rows == [[3]]
    run_sql(lake, "DROP TABLE scratch.allowed")
    with pytest.raises(PelotonError, match="TABLE_NOT_FOUND"):
        run_sql(lake, "SELECT * FROM scratch.allowed")
