"""Trino started again after a stop, with the launcher's pid file left naming a process that is
not this server (a pid reused, or the stopped server not yet reaped): it starts."""

import subprocess
from pathlib import Path

import pytest
from trino_server import trino_settings

from lakehouse.trino.client import run_sql
from lakehouse.trino.server import TrinoServer

pytestmark = pytest.mark.integration


def test_a_stale_pid_file_does_not_stop_a_start(postgres_url: str, tmp_path: Path) -> None:
    server = TrinoServer(trino_settings(tmp_path, postgres_url, "trino_restart"))
    other = subprocess.Popen(["sleep", "300"])
    try:
        server.start()
        assert server.stop()
        pid_file = server.layout.data_dir / "var" / "run" / "launcher.pid"
        pid_file.write_text(f"{other.pid}\n")  # alive, and not Trino
        status = server.start()
        assert status.answering and status.pid not in (None, other.pid)
        assert run_sql(server.settings, "SELECT 1").rows == [[1]]
    finally:
        server.stop()
        other.kill()
        other.wait()
