"""The ingestion flows on a real Prefect API, against the real PostgreSQL."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from cli_helpers import peloton
from flow_helpers import SCHEMA, run_cli

from lakehouse.settings import get_settings
from racesim.simulate import SimulationReport

pytestmark = pytest.mark.integration


@pytest.fixture()
def harness(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_ingest_flow_lands_everything_and_publishes_a_summary(
    harness: None, report: SimulationReport
) -> None:
    from prefect.artifacts import Artifact

    from flows.ingest import ingest

    summary = ingest()
    telemetry = {r.day.isoformat(): r.rows for r in summary.telemetry}
    assert telemetry == {
        k.removeprefix("telemetry_").replace("_", "-"): v
        for k, v in report.rows_per_partition.items()
    }
    assert all(f.read == f.landed + f.quarantined for f in summary.files)

    artifact = Artifact.get("ingest-summary")
    assert artifact is not None and isinstance(artifact.data, str)
    rows = json.loads(artifact.data)
    assert {r["part"]: r["landed"] for r in rows if r["source"] == "telemetry"} == telemetry
    again = ingest()
    assert all(r.skipped for r in again.telemetry) and all(f.skipped for f in again.files)


def test_a_failing_day_is_retried_by_the_flow(
    harness: None, report: SimulationReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest_telemetry
    from lakehouse.ingest import steps

    original = steps.telemetry_day
    attempts: list[str] = []
    landing: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    def flaky(settings, source, streams, batch_id):  # type: ignore[no-untyped-def]
        attempts.append(source.partition)
        if landing:  # another day is still being landed
            overlaps.append((*landing, source.partition))
        if attempts.count(source.partition) == 1 and source.day.day == 19:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        landing.append(source.partition)
        try:
            return original(settings, source, streams, batch_id)
        finally:
            landing.remove(source.partition)

    monkeypatch.setattr(steps, "telemetry_day", flaky)
    results = ingest_telemetry(full_refresh=True)
    assert attempts.count(f"{SCHEMA}.telemetry_2023_07_19") == 2  # failed once, retried
    assert all(attempts.count(p) == 1 for p in attempts if not p.endswith("07_19"))
    assert overlaps == []  # one day at a time: the days' commits never conflict
    assert attempts == sorted(attempts)  # in day order, the retry before the next day
    assert {r.day.day: r.rows for r in results} == {
        int(k[-2:]): v for k, v in report.rows_per_partition.items()
    }


def test_an_error_that_a_retry_cannot_clear_fails_the_day_at_once(
    harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest_telemetry
    from lakehouse.ingest import steps
    from lakehouse.sources.rows import SourceFileError

    attempts: list[str] = []

    def refused(settings, source, streams, batch_id):  # type: ignore[no-untyped-def]
        attempts.append(source.partition)
        raise SourceFileError(f"{source.partition}: column power_w holds text; expected watts")

    monkeypatch.setattr(steps, "telemetry_day", refused)
    with pytest.raises(SourceFileError, match="expected watts"):
        ingest_telemetry(full_refresh=True)
    assert len(attempts) == 1  # not retried: the input, not the connection, is wrong


def test_cli_runs_on_the_ephemeral_api(env: dict[str, str], report: SimulationReport) -> None:
    done = run_cli(env, "run", "--ingest-only")
    listed = run_cli(env, "tables", "--json")
    tables = {t["name"]: t for t in json.loads(listed.stdout)}
    assert tables["raw.telemetry"]["rows"] == report.total_rows
    assert {p["value"]: p["rows"] for p in tables["raw.telemetry"]["partitions"]} == {
        k.removeprefix("telemetry_").replace("_", "-"): v
        for k, v in report.rows_per_partition.items()
    }
    assert tables["raw.athletes"]["rows"] == report.riders
    assert {"raw.stages", "raw.stage_routes", "raw.quarantine"} <= set(tables)
    assert env["PELOTON_SOURCE__URL"].split("@")[0] not in done.stdout + done.stderr


HOLD_THE_LAKEHOUSE = """
import sys
from lakehouse.lake.lock import lakehouse_lock
from lakehouse.settings import get_settings
with lakehouse_lock(get_settings(), "transform"):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_run_while_another_holds_the_lakehouse_is_refused_naming_it(
    env: dict[str, str], report: SimulationReport
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LAKEHOUSE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = peloton("run", "--ingest-only", env=env, timeout=900)
        assert refused.returncode == 1
        assert "another run (transform, started at" in refused.stderr
        assert f"pid {holder.pid} " in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        holder.kill()
        holder.wait(timeout=30)
    run_cli(env, "run", "--ingest-only")  # the holder is gone: the lakehouse is free again
