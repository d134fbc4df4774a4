"""The run lock: a second run is refused, naming the holder; a killed holder frees it."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import SqlCatalog

from lakehouse.catalog import catalog_properties
from lakehouse.lake.lock import LakehouseLocked, run_lock
from lakehouse.settings import Settings

HOLD = """
import sys
from pyiceberg.catalog.sql import SqlCatalog
from lakehouse.catalog import catalog_properties
from lakehouse.lake.lock import run_lock
from lakehouse.settings import get_settings
settings = get_settings()
catalog = SqlCatalog(settings.catalog.name, **catalog_properties(settings))
with run_lock(catalog, settings.home_dir, "transform"):
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def environment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The PELOTON_* variables of a lakehouse whose catalog is SQLite or PostgreSQL."""
    if request.param == "sqlite":
        return {"PELOTON_HOME": str(tmp_path), "PELOTON_CATALOG__KIND": "sqlite"}
    return {
        "PELOTON_HOME": str(tmp_path),
        "PELOTON_SOURCE__URL": request.getfixturevalue("postgres_url"),
        "PELOTON_CATALOG__NAME": f"lock_{tmp_path.name}",
    }


@pytest.fixture()
def settings(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return Settings()


def _catalog(settings: Settings) -> Catalog:
    return SqlCatalog(settings.catalog.name, **catalog_properties(settings))


@pytest.fixture()
def holder(settings: Settings) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock until its stdin gets a line (or it is killed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


@pytest.mark.integration
def test_a_second_run_is_refused_with_the_holder_named(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(LakehouseLocked) as refused,
        run_lock(_catalog(settings), settings.home_dir, "ingest"),
    ):
        pass
    message = str(refused.value)
    assert "another run (transform, started at " in message
    assert f"pid {holder.pid} " in message and "holds the lakehouse" in message


@pytest.mark.integration
def test_the_lock_is_taken_once_the_holder_finishes(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    with run_lock(_catalog(settings), settings.home_dir, "ingest"):
        pass


@pytest.mark.integration
def test_a_killed_holder_frees_the_lakehouse(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    with run_lock(_catalog(settings), settings.home_dir, "ingest", wait_s=30):
        pass


@pytest.mark.integration
def test_a_waiting_run_gives_up_after_its_wait(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(LakehouseLocked, match=r"\(waited 1 s\)"),
        run_lock(_catalog(settings), settings.home_dir, "ingest", wait_s=1),
    ):
        pass
