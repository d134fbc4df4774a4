"""prefect.yaml for real: a Prefect server, a process work pool, a worker, the nightly
pipeline's deployment run: the raw tables and the marts appear."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.nightly import INGESTION
from lakehouse.ports import free_port
from racesim.simulate import SimulationReport, run_simulation

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")
SCHEMA = "deploy_src"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, and kill if it is still there after 30 s (a loaded machine stops slowly)."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


@pytest.fixture()
def report(postgres_url: str, tmp_path: Path) -> SimulationReport:
    return run_simulation("tiny", 17, tmp_path / "sources", postgres_url, schema=SCHEMA)


@pytest.fixture()
def server(tmp_path: Path, postgres_url: str, report: SimulationReport) -> Iterator[dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PELOTON_HOME": str(tmp_path / "home"),
        "PELOTON_SOURCE__URL": postgres_url,
        "PELOTON_SOURCE__SCHEMA_NAME": SCHEMA,
        "PELOTON_FILES__SOURCES_DIR": str(report.out_dir),
        "PELOTON_CATALOG__NAME": "deploytest",
    }
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{env['PREFECT_API_URL']}/health", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "Prefect server did not start in 120 s"
                time.sleep(0.5)
        yield env
    finally:
        _stop(proc)
        log.close()


def _prefect(
    env: dict[str, str], *args: str, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"[-3000:]
    return done


def _inspect(env: dict[str, str], name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        _prefect(env, "deployment", "inspect", name, "--output", "json").stdout
    )
    return found


@pytest.mark.timeout(1200)  # a server, a worker and the pipeline's flow run on 2 shared cores
def test_deployment_runs_on_a_process_worker(
    server: dict[str, str], report: SimulationReport
) -> None:
    _prefect(server, "work-pool", "create", "peloton-process", "--type", "process")
    _prefect(server, "--no-prompt", "deploy", "--all")
    nightly = _inspect(server, "nightly/nightly")
    (schedule,) = nightly["schedules"]
    assert schedule["schedule"]["cron"] == "0 3 * * *"
    assert schedule["schedule"]["timezone"] == "Europe/Paris"
    assert nightly["global_concurrency_limit"]["limit"] == 1
    assert nightly["concurrency_options"]["collision_strategy"] == "ENQUEUE"
    for name in (
        "ingest/ingest",
        "ingest_telemetry/ingest-telemetry",
        "ingest_stages/ingest-stages",
        "ingest_athletes/ingest-athletes",
        "transform/transform",
        "refresh_dashboards/refresh-dashboards",
        "gif_exports/gif-exports",
        "bot_index/bot-index",
    ):
        on_demand = _inspect(server, name)
        assert on_demand["schedules"] == [], name
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "peloton-process"],
        env=server,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _prefect(
            server,
            "deployment",
            "run",
            "nightly/nightly",
            "--params",  # the consumers' steps run in test_nightly.py; here what they read
            json.dumps({"steps": [*INGESTION, "transform"]}),
            "--watch",
            "--watch-timeout",
            "600",
        )
    finally:
        _stop(worker)
    tables = subprocess.run(
        [sys.executable, "-m", "lakehouse.cli", "tables", "--json"],
        env=server,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = {t["name"]: t for t in json.loads(tables.stdout)}
    assert found["raw.telemetry"]["rows"] == report.total_rows
    assert found["raw.athletes"]["rows"] == report.riders
    stages = len(report.rows_per_partition)
    assert len(found["marts.stage_results"]["partitions"]) == stages
    assert found["marts.general_classification"]["rows"] > 0
