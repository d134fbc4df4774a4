"""Two `peloton run`s started at once on one lakehouse: one is refused, naming the other; the
lakehouse then holds what one run makes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from trial_harness import Race, Reference, contents, differences, lakehouse_env

pytestmark = pytest.mark.integration


@pytest.mark.timeout(1800)  # two full runs through Prefect on a shared machine
def test_two_runs_at_once_one_refused_naming_the_other_and_one_runs_result(
    race: Race, reference: Reference, tmp_path: Path
) -> None:
    env = {
        **lakehouse_env(race, tmp_path / "lake"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "lakehouse.cli", "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=900) for run in runs]
    codes = [run.returncode for run in runs]
    assert sorted(codes) == [0, 1], [err[-3000:] for _, err in outputs]
    winner, loser = (0, 1) if codes[0] == 0 else (1, 0)
    refused = outputs[loser][1]
    assert "another run (run, started at" in refused
    assert f"pid {runs[winner].pid} " in refused
    assert "holds the lakehouse" in refused
    assert "Traceback" not in refused
    assert differences(reference.tables, contents(env)) == []
