"""The ingestion flows on a real Prefect API, against the real PostgreSQL."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import peloton

from lakehouse.settings import get_settings
from racesim.simulate import SimulationReport, run_simulation

pytestmark = pytest.mark.integration
SCHEMA = "flow_src"


@pytest.fixture(scope="module")
def report(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> SimulationReport:
    out = tmp_path_factory.mktemp("flowsim") / "sources"
    return run_simulation("tiny", 12, out, postgres_url, schema=SCHEMA)


@pytest.fixture()
def env(report: SimulationReport, postgres_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "PELOTON_HOME": str(tmp_path),
        "PELOTON_SOURCE__URL": postgres_url,
        "PELOTON_SOURCE__SCHEMA_NAME": SCHEMA,
        "PELOTON_FILES__SOURCES_DIR": str(report.out_dir),
        "PELOTON_CATALOG__NAME": f"flows_{tmp_path.name}"[:60],
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


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
    from lakehouse.errors import PelotonError
    from lakehouse.ingest import run

    original = run.telemetry_day
    attempts: list[str] = []

    def flaky(settings, source, batch_id):  # type: ignore[no-untyped-def]
        attempts.append(source.partition)
        if attempts.count(source.partition) == 1 and source.day.day == 19:
            raise PelotonError("cannot reach PostgreSQL at postgresql://x:****@db/x: restarting")
        return original(settings, source, batch_id)

    monkeypatch.setattr(run, "telemetry_day", flaky)
    results = ingest_telemetry(full_refresh=True)
    assert attempts.count(f"{SCHEMA}.telemetry_2023_07_19") == 2  # failed once, retried
    assert all(attempts.count(p) == 1 for p in attempts if not p.endswith("07_19"))
    assert {r.day.day: r.rows for r in results} == {
        int(k[-2:]): v for k, v in report.rows_per_partition.items()
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`peloton ARGS` in a child process with `env` on top of this one's; must succeed."""
    done = peloton(*args, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_cli_runs_on_the_ephemeral_api(env: dict[str, str], report: SimulationReport) -> None:
    done = _cli(env, "run", "--ingest-only")
    listed = _cli(env, "tables", "--json")
    tables = {t["name"]: t for t in json.loads(listed.stdout)}
    assert tables["raw.telemetry"]["rows"] == report.total_rows
    assert {p["value"]: p["rows"] for p in tables["raw.telemetry"]["partitions"]} == {
        k.removeprefix("telemetry_").replace("_", "-"): v
        for k, v in report.rows_per_partition.items()
    }
    assert tables["raw.athletes"]["rows"] == report.riders
    assert {"raw.stages", "raw.stage_routes", "raw.quarantine"} <= set(tables)
    assert env["PELOTON_SOURCE__URL"].split("@")[0] not in done.stdout + done.stderr


def test_cli_run_ingests_then_transforms_and_a_rerun_skips(
    env: dict[str, str], report: SimulationReport
) -> None:
    wide = {**env, "COLUMNS": "200"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return _cli(wide, *args)

    first = cli("run")
    assert "Transforms" in first.stdout and "duplicates removed" in first.stdout
    tables = {t["name"]: t for t in json.loads(cli("tables", "--json").stdout)}
    staged = tables["staging.telemetry"]
    assert len(staged["partitions"]) == len(report.rows_per_partition)
    assert 0 < staged["rows"] <= report.total_rows
    results = tables["marts.stage_results"]["rows"]
    assert results > 0 and tables["marts.general_classification"]["rows"] > 0
    again = cli("run")
    assert "unchanged" in again.stdout and "none (unchanged)" in again.stdout
    tables = {t["name"]: t for t in json.loads(cli("tables", "--json").stdout)}
    assert tables["staging.telemetry"]["snapshots"] == staged["snapshots"]
    assert tables["marts.stage_results"]["rows"] == results


def test_a_local_dask_cluster_gives_the_same_marts_as_threads(
    env: dict[str, str], report: SimulationReport, tmp_path: Path
) -> None:
    """The transform's day tasks spread over a local Dask cluster of two worker processes."""
    from lakehouse.catalog import open_catalog
    from lakehouse.settings import Settings

    marts = {}
    for runner in ("threads", "dask"):
        home = tmp_path / runner
        run_env = {
            **env,
            "PELOTON_HOME": str(home),
            "PELOTON_CATALOG__NAME": f"{runner}_{tmp_path.name}"[:60],
            "PELOTON_TRANSFORM__RUNNER": runner,
            "PELOTON_TRANSFORM__WORKERS": "2",
        }
        done = _cli(run_env, "run")
        logs = done.stdout + done.stderr
        assert ("Creating a new Dask cluster" in logs) == (runner == "dask")
        settings = Settings(
            home=home,
            source={"url": env["PELOTON_SOURCE__URL"], "schema_name": SCHEMA},
            catalog={"name": run_env["PELOTON_CATALOG__NAME"]},
        )
        catalog = open_catalog(settings)
        marts[runner] = {
            name: sorted(
                (
                    {k: v for k, v in row.items() if not k.startswith("_")}
                    for row in catalog.load_table(name).scan().to_arrow().to_pylist()
                ),
                key=lambda r: (r["stage"], r["bib"]),
            )
            for name in ("marts.stage_results", "marts.general_classification")
        }
    assert marts["threads"]["marts.stage_results"]
    assert marts["dask"] == marts["threads"]
