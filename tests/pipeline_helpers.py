"""The pipeline's library steps in order, for the tests that build a lakehouse from a race."""

from pathlib import Path

from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.ingest.files import ingest_athletes, ingest_stages
from lakehouse.ingest.telemetry import land_telemetry
from lakehouse.settings import Settings
from lakehouse.transform.marts import build_marts
from lakehouse.transform.staging import build_reference, build_telemetry
from racesim.simulate import run_simulation


def land(catalog: Catalog, settings: Settings, url: str, schema: str, sources: Path) -> None:
    """The three sources landed in raw.*, and staging's reference tables built."""
    land_telemetry(catalog, url, schema=schema)
    ingest_stages(catalog, sources / "stages")
    ingest_athletes(catalog, settings)
    build_reference(catalog)


def model(catalog: Catalog) -> None:
    """staging.telemetry, then the marts (checked and published)."""
    build_telemetry(catalog)
    build_marts(catalog)


def built_race(settings: Settings, url: str, schema: str, seed: int) -> Catalog:
    """A tiny race simulated into `schema` and the settings' sources folder, then landed, staged
    and modelled in the settings' lakehouse."""
    run_simulation("tiny", seed, settings.sources_dir, url, schema=schema)
    catalog = open_catalog(settings)
    land(catalog, settings, url, schema, settings.sources_dir)
    model(catalog)
    return catalog
