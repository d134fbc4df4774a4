"""The staging layer at tiny scale, from a real source through ingestion: checked against truth."""

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from pyiceberg.catalog import Catalog
from truth_helpers import read_truth

from lakehouse.transform.crossing import crossing_time
from lakehouse.transform.staging import build_telemetry

pytestmark = pytest.mark.integration


def test_reference_tables(landed: tuple[Catalog, Path]) -> None:
    catalog, _ = landed
    stages = catalog.load_table("staging.stages").scan().to_arrow().to_pylist()
    assert {s["stage"] for s in stages} == {16, 17, 21}
    for stage in stages:
        assert stage["route_length_km"] == pytest.approx(stage["distance_km"], rel=0.01)
    routes = catalog.load_table("staging.stage_routes").scan().to_arrow()
    loze = routes.filter(pc.equal(routes["stage"], 17))
    assert 20.0 < pc.max(loze["gradient_pct"]).as_py() < 30.0  # the steepest ramps of the Loze
    checkpoints = catalog.load_table("staging.checkpoints").scan().to_arrow().to_pylist()
    assert "Col de la Loze" in {c["name"] for c in checkpoints}
    athletes = catalog.load_table("staging.athletes").scan().to_arrow()
    assert athletes.num_rows == len(set(athletes["bib"].to_pylist()))


def test_telemetry_is_deduplicated_matched_and_flagged(landed: tuple[Catalog, Path]) -> None:
    catalog, sources = landed
    results = build_telemetry(catalog, full_refresh=True)
    assert len(results) == 3 and not any(r.skipped for r in results)
    assert sum(r.duplicates for r in results) > 0  # the simulator duplicates ~0.2 % of rows
    for r in results:
        assert r.rows == r.raw_rows - r.duplicates
    data = catalog.load_table("staging.telemetry").scan().to_arrow()
    keys = pc.binary_join_element_wise(
        data["athlete_id"].cast("string"), data["recorded_at"].cast("string"), "|"
    )
    assert len(pc.unique(keys)) == data.num_rows
    assert pc.sum(data["is_spike"]).as_py() > 0
    # simulated riders never leave the road: a point off it is a GPS spike (some spikes land
    # on another part of the route, on route but flagged by their speed)
    off = data.filter(data["off_route"])
    assert pc.all(off["is_spike"]).as_py()
    clean = data.filter(pc.invert(data["off_route"]))
    assert pc.max(clean["offset_m"]).as_py() < 50

    # every finisher reaches the finish line at the true time (interpolated between points)
    stages = {
        s["stage"]: s for s in catalog.load_table("staging.stages").scan().to_arrow().to_pylist()
    }
    truth = [
        t
        for t in read_truth(sources, "stage_results")
        if t["status"] == "finished" and t["athlete_id"]
    ]
    assert truth
    table = data.filter(pc.invert(data["off_route"])).sort_by(
        [("athlete_id", "ascending"), ("recorded_at", "ascending")]
    )
    ids = table["athlete_id"].to_numpy()
    stage_col = table["stage"].to_numpy()
    km = table["distance_km"].to_numpy()
    t = table["recorded_at"].cast("int64").to_numpy() / 1e6
    errors = []
    for row in truth:
        stage, athlete = int(row["stage"]), int(row["athlete_id"])
        rows = np.flatnonzero((ids == athlete) & (stage_col == stage))
        at = crossing_time(km[rows] * 1000, t[rows], stages[stage]["route_length_km"] * 1000)
        assert at is not None, f"rider {athlete} never reaches the finish of stage {stage}"
        true_at = datetime.fromisoformat(row["finished_at"]).timestamp()
        errors.append(abs(at - true_at))
    assert max(errors) < 1.0


def test_a_second_run_skips_unchanged_days(landed: tuple[Catalog, Path]) -> None:
    catalog, _ = landed
    build_telemetry(catalog)
    again = build_telemetry(catalog)
    assert all(r.skipped for r in again)
    assert not any(r.skipped for r in build_telemetry(catalog, full_refresh=True))
