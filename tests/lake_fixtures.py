"""One Trino over a tiny race in the PostgreSQL catalog, shared by the Trino and Superset tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pipeline_helpers import land, model
from trino_server import running_trino, trino_settings

from lakehouse.catalog import open_catalog, warehouse_location
from lakehouse.gifs.exports import export_gifs
from lakehouse.settings import Settings
from lakehouse.trino.client import init_views
from lakehouse.trino.server import TrinoServer
from racesim.simulate import run_simulation

SCHEMA = "trino_src"


@pytest.fixture(scope="session")
def lake(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The tiny race landed, staged and modelled, its flyby GIFs exported, Trino running over it
    with its views."""
    home = tmp_path_factory.mktemp("trino-home")
    sources = home / "sources"
    run_simulation("tiny", 7, sources, postgres_url, schema=SCHEMA)
    settings = trino_settings(
        home, postgres_url, "peloton_trino", SCHEMA, files={"sources_dir": sources}
    )
    catalog = open_catalog(settings)
    land(catalog, settings, postgres_url, SCHEMA, sources)
    model(catalog)
    export_gifs(
        catalog, warehouse_location(settings), log=lambda _: None
    )  # the dashboards link them
    with running_trino(settings):
        init_views(settings)
        yield settings


@pytest.fixture(scope="session")
def server(lake: Settings) -> TrinoServer:
    return TrinoServer(lake)


@pytest.fixture(scope="session")
def sources(lake: Settings) -> Path:
    return lake.sources_dir
