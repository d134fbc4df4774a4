"""Trino started again after a stop, with the launcher's pid file left naming a process that is
not this server (a pid reused, or the stopped server not yet reaped): it starts. A server that
dies while it starts is reported, with its log."""

import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from trino_server import trino_settings

from lakehouse.errors import PelotonError
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


def test_a_server_that_dies_while_starting_is_reported_with_its_error(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = trino_settings(tmp_path, postgres_url, "trino_dies")
    settings = replace(settings, trino=replace(settings.trino, query_max_memory="lots"))
    with pytest.raises(PelotonError, match="Trino stopped while starting: ") as raised:
        TrinoServer(settings).start()
    first_line = str(raised.value).splitlines()[0]
    assert "query.max-memory" in first_line, first_line
    assert not TrinoServer(settings).status().running


def test_a_port_taken_by_another_program_is_named_before_anything_starts(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = trino_settings(tmp_path, postgres_url, "trino_port")
    taken = socket.socket()
    taken.bind(("127.0.0.1", settings.trino.port))  # bound, not listening: no HTTP answers
    try:
        with pytest.raises(PelotonError, match=f"port {settings.trino.port} on 127.0.0.1 is taken"):
            TrinoServer(settings).start()
        assert not TrinoServer(settings).status().running
    finally:
        taken.close()
