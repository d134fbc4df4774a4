"""The simulator's ground truth, read for the tests that compare the pipeline with it."""

import csv
from pathlib import Path

from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.ingest.files import ingest_athletes, ingest_stages
from lakehouse.ingest.telemetry import ingest_telemetry
from lakehouse.settings import Settings
from lakehouse.transform.marts import build_marts
from lakehouse.transform.staging import build_reference, build_telemetry


def read_truth(sources: Path, name: str) -> list[dict[str, str]]:
    """Rows of truth/<name>.csv as dictionaries of strings."""
    with (sources / "truth" / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def through_the_pipeline(sources: Path, home: Path, url: str, schema: str) -> Catalog:
    """A simulated race (files in `sources`, telemetry in `schema`) landed in a fresh catalog
    under `home`, then built through staging and the marts."""
    settings = Settings(
        home=home,
        source={"url": url, "schema_name": schema},
        catalog={"kind": "sqlite"},
        files={"sources_dir": sources},
    )
    catalog = open_catalog(settings)
    ingest_telemetry(catalog, url, schema=schema)
    ingest_stages(catalog, sources / "stages")
    ingest_athletes(catalog, settings)
    build_reference(catalog)
    build_telemetry(catalog)
    build_marts(catalog)
    return catalog
