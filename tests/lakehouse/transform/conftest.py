"""A tiny race, simulated into the real PostgreSQL and ingested: shared by the transform tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pipeline_helpers import land, model
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings
from racesim.simulate import run_simulation

SCHEMA = "staging_src"


@pytest.fixture(scope="session")
def landed(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Catalog, Path]]:
    home = tmp_path_factory.mktemp("staging")
    sources = home / "sources"
    run_simulation("tiny", 11, sources, postgres_url, schema=SCHEMA)
    settings = Settings(
        home=home,
        source={"url": postgres_url, "schema_name": SCHEMA},
        catalog={"kind": "sqlite"},
        files={"sources_dir": sources},
    )
    catalog = open_catalog(settings)
    land(catalog, settings, postgres_url, SCHEMA, sources)
    yield catalog, sources


@pytest.fixture(scope="session")
def built(landed: tuple[Catalog, Path]) -> tuple[Catalog, Path]:
    """The tiny race through staging and the marts."""
    catalog, sources = landed
    model(catalog)
    return catalog, sources
