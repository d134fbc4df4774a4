"""The file sources of a tiny race, copied afresh for each test that lands or breaks them."""

import shutil
from pathlib import Path

import pytest
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings
from racesim.simulate import run_simulation


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The race's files as simulated (telemetry not loaded anywhere): never written to."""
    out = tmp_path_factory.mktemp("sim") / "sources"
    run_simulation("tiny", 4, out, None)
    return out


@pytest.fixture()
def settings(sources: Path, tmp_path: Path) -> Settings:
    """A local lakehouse reading a copy of the files, which a test may change."""
    copy = tmp_path / "sources"
    shutil.copytree(sources, copy)
    return Settings(home=tmp_path, catalog={"kind": "sqlite"}, files={"sources_dir": copy})


@pytest.fixture()
def catalog(settings: Settings) -> Catalog:
    return open_catalog(settings)
