"""SIGKILL at any moment leaves no partial data visible, and the next run converges."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lakehouse.catalog import open_catalog
from lakehouse.ingest.telemetry import ingest_telemetry
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import list_days
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration
SCHEMA = "kill_src"
CHILD = """
import sys
from lakehouse.catalog import open_catalog
from lakehouse.ingest.telemetry import ingest_telemetry
from lakehouse.settings import Settings
settings = Settings(home=sys.argv[1], source={{"url": sys.argv[2]}}, catalog={{"name": "killtest"}})
catalog = open_catalog(settings)
print("ready", flush=True)
while True:
    ingest_telemetry(catalog, sys.argv[2], full_refresh=True, schema="{schema}")
"""


def test_sigkill_at_any_moment_leaves_whole_days_only(postgres_url: str, tmp_path: Path) -> None:
    run_simulation("tiny", 21, tmp_path / "src", postgres_url, schema=SCHEMA)
    expected = {d.day: d.rows for d in list_days(postgres_url, SCHEMA)}
    settings = Settings(home=tmp_path, source={"url": postgres_url}, catalog={"name": "killtest"})
    catalog = open_catalog(settings)
    code = CHILD.format(schema=SCHEMA)
    for delay in (0.2, 0.7, 1.3, 1.9, 2.6, 3.4):
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path), postgres_url],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        table = (
            catalog.load_table("raw.telemetry") if catalog.table_exists("raw.telemetry") else None
        )
        if table is None or table.current_snapshot() is None:
            continue
        counts = table.scan().to_arrow().group_by("stage_date").aggregate([("athlete_id", "count")])
        seen = dict(
            zip(
                counts["stage_date"].to_pylist(),
                counts["athlete_id_count"].to_pylist(),
                strict=True,
            )
        )
        for day, rows in seen.items():
            assert rows == expected[day], f"partial day {day} visible after a kill at {delay} s"
    results = ingest_telemetry(catalog, postgres_url, schema=SCHEMA)
    table = catalog.load_table("raw.telemetry")
    counts = table.scan().to_arrow().group_by("stage_date").aggregate([("athlete_id", "count")])
    assert (
        dict(
            zip(
                counts["stage_date"].to_pylist(),
                counts["athlete_id_count"].to_pylist(),
                strict=True,
            )
        )
        == expected
    )
    assert len(results) == len(expected)
