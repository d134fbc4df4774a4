"""Shared by the flow tests: a tiny race simulated into the real PostgreSQL, and the
environment that points Peloton and Prefect at it."""

from pathlib import Path

import pytest
from flow_helpers import SCHEMA

from lakehouse.ports import free_port
from racesim.simulate import SimulationReport, run_simulation


@pytest.fixture(scope="session")
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
        # no Trino of this machine's (a demo's on the default port) is reached by upkeep
        "PELOTON_TRINO__PORT": str(free_port()),
    }
