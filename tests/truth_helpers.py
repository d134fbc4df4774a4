"""The simulator's ground truth, read for the tests that compare the pipeline with it."""

import csv
from pathlib import Path

from pipeline_helpers import land, model
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.settings import Settings


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
    land(catalog, settings, url, schema, sources)
    model(catalog)
    return catalog
