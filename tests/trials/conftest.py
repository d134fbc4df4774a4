"""The trials' race (simulated once into the session's PostgreSQL) and an uninterrupted run."""

import pytest
from trial_harness import Race, Reference, reference_run

from racesim.simulate import run_simulation

SCHEMA = "trials_src"


@pytest.fixture(scope="session")
def race(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Race:
    sources = tmp_path_factory.mktemp("trials") / "sources"
    run_simulation("tiny", 21, sources, postgres_url, schema=SCHEMA)
    return Race(postgres_url, SCHEMA, sources)


@pytest.fixture(scope="session")
def reference(race: Race, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The pipeline run once, never interrupted: what every trial must converge to."""
    return reference_run(race, tmp_path_factory.mktemp("reference") / "lake")
