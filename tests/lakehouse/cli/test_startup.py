"""The quick commands start without importing the pipeline's heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lakehouse.ports import free_port

# what the pipeline needs and a quick command must not pay for
# (pydantic: a fifth of a second; typer 0.29 and later coerce parameters through it)
HEAVY = {"prefect", "pyiceberg", "pyarrow", "polars", "numba", "sqlalchemy", "pydantic"}
# what printing the help needs not either: the database and query clients
NOT_FOR_HELP = HEAVY | {"psycopg", "trino", "requests"}
# the quick commands print plain text: rich (70 ms to import) only where a table or bar shows
QUICK = HEAVY | {"rich", "trino", "requests"}
COMMANDS = ["run", "tables", "sim", "demo", "doctor", "check", "postgres", "superset", "trino"]

# runs `peloton ARGS` in a fresh interpreter, then prints the top-level packages it imported
PROBE = """
import json, sys
from lakehouse.cli import main
sys.argv = ["peloton", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "packages": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _probe(*args: str, env: dict[str, str] | None = None) -> tuple[int, set[str], str]:
    """Exit code, imported top-level packages and output of `peloton ARGS` in its own process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
        timeout=120,
        check=False,
    )
    *output, last = done.stdout.rstrip("\n").splitlines()
    probe = json.loads(last)
    return probe["code"], set(probe["packages"]), "\n".join(output) + done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["postgres", "--help"],
        ["trino", "--help"],
        ["trino", "sql", "--help"],
        ["superset", "--help"],
        ["sim", "--help"],
        ["run", "--help"],
    ],
)
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    code, packages, output = _probe(*args)
    assert code == 0, output
    assert "Usage:" in output
    assert packages & NOT_FOR_HELP == set()


def test_help_lists_every_command() -> None:
    code, _, output = _probe("--help")
    assert code == 0
    commands = output.split("Commands:", 1)[1]
    listed = [line.split()[0] for line in commands.splitlines() if line.startswith("  ")]
    assert [name for name in listed if name in COMMANDS] == COMMANDS


def test_postgres_status_imports_no_heavy_library() -> None:
    code, packages, output = _probe("postgres", "status")
    assert code == 1  # nothing runs under the fresh PELOTON_HOME
    assert "running" in output and "no" in output
    assert packages & QUICK == set()


def test_trino_sql_imports_no_heavy_library() -> None:
    port = str(free_port())
    code, packages, output = _probe("trino", "sql", "SELECT 1", env={"PELOTON_TRINO__PORT": port})
    assert code == 1
    assert f"cannot reach Trino at 127.0.0.1:{port}" in output
    # Trino's protocol on the standard library: neither the `trino` package nor `requests`
    assert packages & QUICK == set()


def test_trino_status_imports_no_heavy_library() -> None:
    # a port nothing listens on: another Trino on this machine must not answer for this one
    code, packages, output = _probe(
        "trino", "status", env={"PELOTON_TRINO__PORT": str(free_port())}
    )
    assert code == 1  # no server under the fresh PELOTON_HOME
    assert "running" in output
    assert packages & QUICK == set()
