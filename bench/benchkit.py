"""What the benchmarks share: a source database to run against, the simulated race landed
and modelled, and the peak memory."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse.postgres.throwaway import throwaway_server

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

    from lakehouse.settings import Settings


@contextmanager
def source_database() -> Iterator[str]:
    """PELOTON_SOURCE__URL if set, else an embedded PostgreSQL in a temporary folder."""
    if os.environ.get("PELOTON_SOURCE__URL"):
        yield os.environ["PELOTON_SOURCE__URL"]
        return
    with throwaway_server("peloton-bench-", parent="/var/tmp") as url:
        yield url


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB).

    VmHWM (Linux) is the high-water mark of this program alone; getrusage's ru_maxrss would
    also count what the parent held when it forked a benchmark's worker process.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def land_sources(catalog: Catalog, settings: Settings, url: str, schema: str = "race") -> list[Any]:
    """The simulated race landed in raw.*, as the pipeline's library steps do (no flows): the
    telemetry of `schema` at `url`, the stage files and athletes of the settings' sources
    folder. The telemetry days landed (DayResult)."""
    from lakehouse.ingest.files import ingest_athletes, ingest_stages
    from lakehouse.ingest.telemetry import land_telemetry

    landed = land_telemetry(catalog, url, schema=schema)
    ingest_stages(catalog, settings.sources_dir / "stages")
    ingest_athletes(catalog, settings)
    return landed


def land_and_model(settings: Settings, url: str, schema: str = "race") -> None:
    """land_sources in the settings' lakehouse, then staging and the marts built."""
    from lakehouse.catalog import open_catalog
    from lakehouse.transform.marts import build_marts
    from lakehouse.transform.staging import build_reference, build_telemetry

    catalog = open_catalog(settings)
    land_sources(catalog, settings, url, schema)
    build_reference(catalog)
    build_telemetry(catalog)
    build_marts(catalog)
