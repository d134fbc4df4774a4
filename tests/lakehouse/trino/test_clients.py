"""Trino through its own CLI, the SQLAlchemy URL Superset uses, `peloton trino`, and the source."""

import json
import re
import subprocess

import pytest
import sqlalchemy as sa
from cli_helpers import peloton

from lakehouse.doctor import find_java
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import connect, run_sql
from lakehouse.trino.install import install_cli
from lakehouse.trino.server import TrinoServer

pytestmark = pytest.mark.integration
WINNER = "SELECT bib FROM marts.stage_results WHERE stage = 17 AND rank = 1"


def _peloton(lake: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PELOTON_HOME": str(lake.home),
        "PELOTON_SOURCE__URL": lake.source.url.get_secret_value(),  # type: ignore[union-attr]
        "PELOTON_CATALOG__NAME": lake.catalog.name,
        "PELOTON_TRINO__PORT": str(lake.trino.port),
    }
    return peloton("trino", *args, env=env)


def test_trinos_own_cli_runs_a_query_as_bi(lake: Settings) -> None:
    java = find_java(lake)
    assert java is not None
    done = subprocess.run(
        [
            str(java[0]),
            "-jar",
            str(install_cli()),
            "--server",
            f"http://127.0.0.1:{lake.trino.port}",
            "--user",
            "bi",
            "--catalog",
            "lakehouse",
            "--output-format",
            "CSV_HEADER_UNQUOTED",
            "--execute",
            WINNER,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    header, bib = done.stdout.strip().splitlines()
    assert header == "bib"
    assert int(bib) == run_sql(lake, WINNER).rows[0][0]


def test_the_sqlalchemy_url_superset_uses(lake: Settings) -> None:
    engine = sa.create_engine(f"trino://bi@127.0.0.1:{lake.trino.port}/lakehouse")
    with engine.connect() as conn:
        bib = conn.execute(sa.text(WINNER)).scalar_one()
        tables = sa.inspect(conn).get_table_names(schema="marts")
    assert bib == run_sql(lake, WINNER).rows[0][0]
    assert "stage_results" in tables


def test_peloton_trino_sql_prints_rows_and_fails_on_error(lake: Settings) -> None:
    podium = "SELECT bib FROM marts.stage_results WHERE stage = 17 AND rank <= 2"
    done = _peloton(lake, "sql", podium, "--user", "bi", "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 2 and set(rows[0]) == {"bib"}
    table = _peloton(lake, "sql", WINNER)
    assert table.returncode == 0 and table.stdout.splitlines()[0].strip() == "bib"
    assert table.stdout.splitlines()[-1] == "(1 row)"
    bad = _peloton(lake, "sql", "SELECT nope FROM marts.stage_results")
    assert bad.returncode == 1
    assert "COLUMN_NOT_FOUND" in bad.stderr


def test_status_and_a_second_start_find_the_running_server(lake: Settings) -> None:
    status = _peloton(lake, "status")
    assert status.returncode == 0
    assert re.search(r"^version\s+476$", status.stdout, re.M), status.stdout
    again = _peloton(lake, "start")
    assert again.returncode == 0, again.stderr
    assert "already answers" in again.stdout


def test_no_secret_is_written_to_the_configuration(lake: Settings, server: TrinoServer) -> None:
    password = lake.source.url.get_secret_value().split(":")[2].split("@")[0]  # type: ignore[union-attr]
    assert len(password) >= 8
    files = [*server.layout.etc_dir.rglob("*"), *server.layout.data_dir.rglob("*.log")]
    assert any(p.name == "server.log" for p in files)
    for path in files:
        if path.is_file():
            assert password not in path.read_text(encoding="utf-8", errors="replace"), path


def test_a_federated_query_joins_the_race_database_and_the_lakehouse(lake: Settings) -> None:
    query = """
        SELECT count(*) FROM source.trino_src.telemetry t
        JOIN lakehouse.marts.stage_results r
          ON r.athlete_id = t.athlete_id AND r.stage = t.stage
        WHERE r.stage = 17 AND r.rank = 1
    """
    from_source = run_sql(lake, query).rows[0][0]
    landed = run_sql(
        lake,
        "SELECT count(*) FROM raw.telemetry t JOIN marts.stage_results r "
        "ON r.athlete_id = t.athlete_id AND r.stage = t.stage WHERE r.stage = 17 AND r.rank = 1",
    ).rows[0][0]
    assert from_source == landed > 1000


TYPED = """
SELECT 42 AS n, BIGINT '9000000000' AS big, 1.5e0 AS x, nan() AS not_a_number,
       infinity() AS inf, DECIMAL '12.345' AS dec, 'café' AS text, true AS yes,
       DATE '2023-07-01' AS day, TIME '12:34:56.789' AS clock,
       TIMESTAMP '2023-07-01 12:34:56.789' AS at,
       TIMESTAMP '2023-07-01 12:34:56.789 Europe/Paris' AS at_paris,
       TIMESTAMP '2023-07-01 12:34:56.789 +02:00' AS at_offset,
       ARRAY[1, 2] AS list, MAP(ARRAY['a'], ARRAY[1]) AS pairs, CAST(NULL AS VARCHAR) AS nothing
"""


def test_run_sql_gives_the_values_the_dbapi_gives(lake: Settings) -> None:
    """The light protocol client and the `trino` package agree on every value of every type."""
    ours = run_sql(lake, TYPED, "bi")
    cursor = connect(lake, "bi").cursor()
    cursor.execute(TYPED)
    theirs = cursor.fetchall()[0]
    assert ours.columns == [d[0] for d in cursor.description]
    for column, mine, expected in zip(ours.columns, ours.rows[0], theirs, strict=True):
        if column == "not_a_number":
            assert mine != mine and expected != expected  # NaN on both sides
        else:
            assert (type(mine), mine) == (type(expected), expected), column


def test_run_sql_names_trinos_error(lake: Settings) -> None:
    with pytest.raises(PelotonError, match=r"Trino refused the query: COLUMN_NOT_FOUND: .*nope"):
        run_sql(lake, "SELECT nope FROM marts.stage_results", "bi")


def test_run_sql_reads_every_page_of_a_long_result(lake: Settings) -> None:
    query = (
        "SELECT a * 10000 + b AS x FROM UNNEST(sequence(0, 19)) AS s(a) "
        "CROSS JOIN UNNEST(sequence(1, 10000)) AS t(b) ORDER BY x"
    )
    rows = run_sql(lake, query, "bi").rows
    assert len(rows) == 200000 and rows[0] == [1] and rows[-1] == [200000]
