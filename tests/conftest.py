"""Shared fixtures: isolation from the user's configuration, and one real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lakehouse.postgres.embedded import EmbeddedPostgres
from lakehouse.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def isolated_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """No PELOTON_* variable or .env of the user's leaks in; PELOTON_HOME is a fresh folder."""
    for name in list(os.environ):
        if name.startswith("PELOTON_"):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("peloton-home")
    monkeypatch.setenv("PELOTON_HOME", str(home))
    monkeypatch.chdir(home)  # no .env from the checkout is read
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def reachable_home(prefix: str) -> Path:
    """A temporary PELOTON_HOME that the unprivileged server user can enter when run as root."""
    home = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    home.chmod(0o755)  # the test's own folder
    return home


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One embedded PostgreSQL for the whole session, stopped and removed at the end."""
    home = reachable_home("peloton-pg-")
    server = EmbeddedPostgres(Settings(home=home))
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture()
def pg_conn(postgres_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(postgres_url) as conn:
        yield conn
