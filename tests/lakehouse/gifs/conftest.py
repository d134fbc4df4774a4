"""The flyby tests read the tiny race that Trino's tests serve (fixture `lake`): no second race."""

import pytest
from climb_duel import ClimbDuel
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings


@pytest.fixture(scope="session")
def catalog(lake: Settings) -> Catalog:
    return open_catalog(lake)


@pytest.fixture(scope="session")
def climb_duel(catalog: Catalog) -> ClimbDuel:
    rows = catalog.load_table("marts.climb_efforts").scan().to_arrow().to_pylist()
    climbs_per_stage: dict[int, set[int]] = {}
    for r in rows:
        climbs_per_stage.setdefault(r["stage"], set()).add(r["climb_number"])
    stage = max(climbs_per_stage, key=lambda s: (len(climbs_per_stage[s]), s))
    number = max(climbs_per_stage[stage])
    on_climb = sorted(
        (r for r in rows if r["stage"] == stage and r["climb_number"] == number),
        key=lambda r: r["rank"],
    )
    first, second = on_climb[0], on_climb[1]
    return ClimbDuel(
        stage,
        number,
        first["climb_name"],
        (first["bib"], second["bib"]),
        (first["time_s"], second["time_s"]),
    )
