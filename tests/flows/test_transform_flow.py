"""The transform flow on Prefect's ephemeral API, through `peloton run`: after ingestion,
incremental, and the same marts on threads and on a local Dask cluster."""

import json
import subprocess
from pathlib import Path

import pytest
from flow_helpers import SCHEMA, run_cli

from racesim.simulate import SimulationReport

pytestmark = pytest.mark.integration


def test_cli_run_ingests_then_transforms_and_a_rerun_skips(
    env: dict[str, str], report: SimulationReport
) -> None:
    wide = {**env, "COLUMNS": "200"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(wide, *args)

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
        done = run_cli(run_env, "run")
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
