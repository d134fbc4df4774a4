"""The pipeline's library steps in order, for the tests that build a lakehouse from a race."""

from pathlib import Path

from pyiceberg.catalog import Catalog

from lakehouse.ingest.files import ingest_athletes, ingest_stages
from lakehouse.ingest.telemetry import ingest_telemetry
from lakehouse.settings import Settings
from lakehouse.transform.marts import build_marts
from lakehouse.transform.staging import build_reference, build_telemetry


def land(catalog: Catalog, settings: Settings, url: str, schema: str, sources: Path) -> None:
    """The three sources landed in raw.*, and staging's reference tables built."""
    ingest_telemetry(catalog, url, schema=schema)
    ingest_stages(catalog, sources / "stages")
    ingest_athletes(catalog, settings)
    build_reference(catalog)


def model(catalog: Catalog) -> None:
    """staging.telemetry, then the marts (checked and published)."""
    build_telemetry(catalog)
    build_marts(catalog)
