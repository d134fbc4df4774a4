"""A failing command prints one line that says what to do, exits 1, and shows no secret."""

from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from cli_helpers import peloton

from lakehouse.cli.failures import explain
from lakehouse.errors import PelotonError, retryable
from lakehouse.ports import free_port
from racesim.simulate import run_simulation

SECRET = "s3cr3t-pw"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "sources"
    run_simulation("tiny", 33, out, None)
    return out


def _one_line_failure(done: object) -> str:
    assert done.returncode == 1
    stderr = str(done.stderr)
    assert "Traceback" not in stderr and SECRET not in stderr + str(done.stdout)
    (line,) = [line for line in stderr.splitlines() if line.strip()]
    return line


def test_an_unknown_stage_is_refused_with_the_stages_that_exist(
    sources: Path, tmp_path: Path
) -> None:
    stages = sorted(int(p.stem[6:]) for p in (sources / "stages").glob("stage-*.csv"))
    env = {"PELOTON_HOME": str(tmp_path), "PELOTON_FILES__SOURCES_DIR": str(sources)}
    line = _one_line_failure(peloton("run", "--stage", "99", env=env))
    assert f"--stage 99: no such stage in {sources}/stages/stages.csv" in line
    assert f"(it has stages {stages[0]} to {stages[-1]})" in line


def test_a_day_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    line = _one_line_failure(
        peloton("run", "--day", "2023-07-40", env={"PELOTON_HOME": str(tmp_path)})
    )
    assert "--day '2023-07-40' is not a date; expected YYYY-MM-DD" in line


def test_postgres_down_behind_an_external_url(tmp_path: Path) -> None:
    url = f"postgresql://etl:{SECRET}@127.0.0.1:{free_port()}/race"
    env = {"PELOTON_HOME": str(tmp_path), "PELOTON_SOURCE__URL": url}
    line = _one_line_failure(peloton("run", "--ingest-only", env=env))
    assert "cannot reach PostgreSQL" in line and "Connection refused" in line
    assert "PELOTON_SOURCE__URL" in line


def test_a_bad_setting_names_its_variable(tmp_path: Path) -> None:
    env = {"PELOTON_HOME": str(tmp_path), "PELOTON_TRINO__PORT": "eighty"}
    line = _one_line_failure(peloton("trino", "status", env=env))
    assert "trino.port (PELOTON_TRINO__PORT): expected an integer, got 'eighty'" in line


def test_library_errors_are_explained_and_secrets_masked() -> None:
    try:
        sa.create_engine(f"postgresql+psycopg://u:{SECRET}@127.0.0.1:{free_port()}/x").connect()
    except sa.exc.OperationalError as exc:
        wrapped = explain(exc)
    assert (
        wrapped.startswith("cannot reach PostgreSQL: connection failed") and SECRET not in wrapped
    )
    denied = explain(PermissionError(13, "Permission denied", "/warehouse/raw"))
    assert denied.startswith("permission denied: /warehouse/raw; give this user write access")
    odd = explain(RuntimeError(f"bad state\nat postgresql://u:{SECRET}@db/x"))
    assert odd == "RuntimeError: bad state (run again with PELOTON_DEBUG=1 for the traceback)"
    leak = explain(PelotonError(f"cannot open postgresql://u:{SECRET}@db/x (password={SECRET})"))
    assert SECRET not in leak and "postgresql://u:****@db/x" in leak


@pytest.mark.parametrize(
    ("failure", "again"),
    [
        (ConnectionResetError("reset by peer"), True),
        (TimeoutError("timed out"), True),
        (psycopg.OperationalError("server closed the connection"), True),
        (FileNotFoundError("stage-01.csv"), False),
        (PermissionError("warehouse"), False),
        (ValueError("bad value"), False),
        (UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid"), False),
        (PelotonError("another run holds the lakehouse"), False),
    ],
)
def test_only_errors_that_a_retry_can_clear_are_retried(failure: Exception, again: bool) -> None:
    assert retryable(failure) is again
