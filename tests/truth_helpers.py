"""The simulator's ground truth, read for the tests that compare the pipeline with it."""

import csv
from pathlib import Path


def read_truth(sources: Path, name: str) -> list[dict[str, str]]:
    """Rows of truth/<name>.csv as dictionaries of strings."""
    with (sources / "truth" / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))
