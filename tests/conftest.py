"""Shared fixtures: isolation from the user's configuration, and one real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lakehouse.postgres.throwaway import throwaway_server
from lakehouse.settings import get_settings

pytest_plugins = ["lake_fixtures"]


@pytest.fixture(autouse=True)
def isolated_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One embedded PostgreSQL for the whole session, stopped and removed at the end."""
    with throwaway_server() as url:
        yield url


@pytest.fixture()
def pg_conn(postgres_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(postgres_url) as conn:
        yield conn
