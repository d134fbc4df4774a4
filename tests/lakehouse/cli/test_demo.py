"""`peloton demo` on a new PELOTON_HOME leaves the platform running where it says, then
`make stop` stops it all."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import peloton

from lakehouse.ports import free_port
from lakehouse.postgres.throwaway import reachable_home
from racesim.scales import get_scale

# the whole platform from nothing: Superset's virtualenv and metadata, Trino, the pipeline
pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]
REPO = Path(__file__).parents[3]
SCALE = "tiny"


@dataclass(frozen=True)
class DemoRun:
    home: Path
    env: dict[str, str]
    done: subprocess.CompletedProcess[str]

    @property
    def output(self) -> str:
        return self.done.stdout + self.done.stderr

    def printed(self, label: str) -> str:
        """The value printed after `label` at the start of a summary line (two spaces or more
        between them: other lines start with the same word)."""
        found = re.search(rf"^{label} {{2,}}(\S+)", self.done.stdout, re.MULTILINE)
        assert found, f"no {label!r} line in:\n{self.done.stdout[-3000:]}"
        return found.group(1)

    def tried(self, start: str) -> list[str]:
        """The command of the 'Try' list that starts with `start`, as argv."""
        for line in self.done.stdout.splitlines():
            if line.strip().startswith(start):
                return shlex.split(line.strip())
        raise AssertionError(f"no command starting with {start!r} in:\n{self.done.stdout[-3000:]}")


def _make_stop(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`make stop` of the checkout, with the virtualenv this test runs in."""
    venv = Path(sys.executable).parent.parent
    return subprocess.run(
        ["make", "-C", str(REPO), "stop", f"VENV={venv}"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoRun]:
    home = reachable_home("peloton-demo-")
    env = {
        "PELOTON_HOME": str(home),
        "PELOTON_TRINO__PORT": str(free_port()),
        "PELOTON_SUPERSET__URL": f"http://127.0.0.1:{free_port()}",
        "PELOTON_SUPERSET__WORKERS": "2",
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "COLUMNS": "200",
    }
    try:
        done = peloton("demo", "--scale", SCALE, env=env, timeout=1500)
        yield DemoRun(home, env, done)
    finally:
        _make_stop(env)
        shutil.rmtree(home, ignore_errors=True)


def test_the_demo_ends_with_every_step_timed(demo: DemoRun) -> None:
    assert demo.done.returncode == 0, demo.output[-5000:]
    table = demo.done.stdout[demo.done.stdout.index("Time per step") :]
    for step in ("PostgreSQL", "Simulation", "Pipeline", "Trino", "Superset", "Flyby GIF"):
        assert re.search(rf"{step}.*\d+(\.\d)? s", table), table
    assert re.search(r"total\s.*\d+(\.\d)? s", table), table
    assert "Demo ready in" in demo.done.stdout


def test_superset_answers_at_the_printed_url_with_every_chart_s_data(demo: DemoRun) -> None:
    url = demo.printed("Superset")
    assert url.startswith(demo.env["PELOTON_SUPERSET__URL"])
    with urllib.request.urlopen(url.split("/superset/")[0] + "/health", timeout=10) as response:
        assert response.read().decode().strip() == "OK"
    # no password in the environment: the command reads the one the demo generated and stored
    done = peloton("superset", "check", "--json", env=demo.env)
    assert done.returncode == 0, done.stdout + done.stderr
    *charts, summary = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert summary["ok"] and summary["failed"] == [] and summary["charts"] == len(charts) > 0
    assert all(c["rows"] > 0 for c in charts)


def test_the_admin_password_is_printed_once_and_kept_0600_the_key_never(demo: DemoRun) -> None:
    folder = demo.home / "superset"
    password = (folder / "admin-password").read_text().strip()
    key = (folder / "secret-key").read_text().strip()
    assert (folder / "admin-password").stat().st_mode & 0o777 == 0o600
    assert (folder / "secret-key").stat().st_mode & 0o777 == 0o600
    assert demo.done.stdout.count(password) == 1
    assert key not in demo.output


def test_trino_answers_the_printed_select_as_bi(demo: DemoRun) -> None:
    command = demo.tried("peloton trino sql")
    assert command[-2:] == ["--user", "bi"]
    done = peloton(*command[1:], "--json", env=demo.env)
    assert done.returncode == 0, done.stderr
    stages = sorted(json.loads(line)["stage"] for line in done.stdout.splitlines())
    assert stages == sorted(get_scale(SCALE).stages)
    refused = peloton(
        "trino", "sql", "DROP TABLE marts.stage_summary", "--user", "bi", env=demo.env
    )
    assert refused.returncode == 1  # bi reads, never writes


def test_the_flyby_and_the_bot_answer_come_from_the_demo_s_race(demo: DemoRun) -> None:
    gif = Path(demo.printed("Flyby GIF"))
    assert gif.read_bytes()[:6] == b"GIF89a"
    asked = demo.tried("peloton ask")
    stage = re.fullmatch(r"who won stage (\d+)\?", asked[-1])
    assert stage, asked
    winner_query = f"SELECT winner_name FROM marts.stage_summary WHERE stage = {stage.group(1)}"
    found = peloton("trino", "sql", winner_query, "--user", "bi", "--json", env=demo.env)
    winner = json.loads(found.stdout.splitlines()[0])["winner_name"]
    answer = demo.done.stdout[demo.done.stdout.index(f"Q: {asked[-1]}") :].splitlines()[1]
    assert answer.startswith("A: ") and winner in answer
    # the printed command draws the same flyby again
    command = demo.tried("peloton gif")
    again = demo.home / "again.gif"
    done = peloton(*command[1:], "--out", str(again), env=demo.env)
    assert done.returncode == 0, done.stderr
    assert again.read_bytes() == gif.read_bytes()


def test_make_stop_stops_every_server_the_demo_started(demo: DemoRun) -> None:
    stopped = _make_stop(demo.env)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    for line in ("Superset stopped.", "Trino stopped.", "PostgreSQL stopped."):
        assert line in stopped.stdout, stopped.stdout
    assert peloton("trino", "status", env=demo.env).returncode == 1
    with pytest.raises(OSError):
        urllib.request.urlopen(demo.env["PELOTON_SUPERSET__URL"] + "/health", timeout=5)
