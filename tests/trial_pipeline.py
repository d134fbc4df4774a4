"""The pipeline of `peloton run`, step by step as its flows call them, reporting each phase.

Run as a script (`python tests/trial_pipeline.py`) with the PELOTON_* variables of a
lakehouse; the kill trials (trial_harness) watch its output and kill it at a chosen point.
Each phase is announced on stdout (`phase NAME`) before it starts, and `done` at the end; the
publish phase is announced by wrapping the marts' publish step in this process only.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

from lakehouse.catalog import open_catalog
from lakehouse.ingest import steps
from lakehouse.ingest.telemetry import land_days
from lakehouse.lake.branches import run_branch
from lakehouse.lake.lock import lakehouse_lock
from lakehouse.postgres.connect import reader_url
from lakehouse.settings import get_settings
from lakehouse.transform import marts
from lakehouse.transform.staging import build_day, build_reference, plan_telemetry

PHASES = ("files", "telemetry", "staging", "marts", "publish")


def announce(name: str) -> None:
    print(f"phase {name}", flush=True)


def _announced_publish(*args: Any, **kwargs: Any) -> Any:
    announce("publish")
    return _publish(*args, **kwargs)


_publish = marts.publish
marts.publish = _announced_publish


def main() -> None:
    settings = get_settings()
    catalog = open_catalog(settings)
    batch = uuid.uuid4().hex
    with lakehouse_lock(settings, "run"):
        announce("files")
        steps.athletes(settings, False, batch)
        steps.stage_files(settings, False, None, batch)
        announce("telemetry")
        plan = steps.telemetry_plan(settings, None, False)
        land = lambda day, streams: steps.telemetry_day(settings, day, streams, batch)  # noqa: E731
        land_days(plan, reader_url(settings), land, batch, settings.source.read_timeout_s)
        announce("staging")
        marts.open_run(catalog, batch)
        branch = run_branch(batch)
        build_reference(catalog, batch, branch)
        for day_plan in plan_telemetry(catalog, False, None):
            build_day(catalog, day_plan, batch, branch=branch)
        announce("marts")
        marts.build_marts(catalog, False, None, batch)
    print("done", flush=True)


if __name__ == "__main__":
    main()
    sys.exit(0)
