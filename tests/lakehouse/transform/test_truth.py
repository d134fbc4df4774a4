"""The truth comparison on any race: route lengths judged against their own traces, the shape
of the checks' report, and the tolerances on other seeds and on routes starting at a climb."""

import csv
import json
import math
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyiceberg.catalog import Catalog
from truth_helpers import through_the_pipeline

from lakehouse.transform.checks import Check, Figure, summary
from lakehouse.transform.crossing import fused_crossing
from lakehouse.transform.results import Result
from lakehouse.transform.truth import (
    CLIMB_TOLERANCE_S,
    DROPOUT_S,
    _bonuses_in_our_order,
    _in_our_group,
    climb_allowance,
    judge_route_lengths,
    truth_checks,
)
from racesim.route_sets import route_set
from racesim.simulate import run_simulation

CI_SEEDS = (5, 12, 20)
"""Run in CI beside the fixture's 11: two with a decision near the threshold taken the other
way, and the largest error on a gap; `bench/bench_truth.py` runs 1 to 20."""


def test_a_trace_far_from_the_official_distance_is_flagged_and_fails_nothing() -> None:
    stages = [
        {"stage": 1, "route_length_km": 188.5, "distance_km": 193.5},
        {"stage": 2, "route_length_km": 100.2, "distance_km": 100.0},
    ]
    check, figures = judge_route_lengths(stages, {1: 188.5, 2: 100.2}, {1: 188.52, 2: 100.19})
    assert check.ok, check.detail
    official, against_trace = figures
    assert against_trace.bounded and against_trace.ok
    assert not official.bounded and official.ok
    assert official.value == pytest.approx(2.58, abs=0.01)
    assert [(e["stage"], e["off_pct"]) for e in official.examples] == [(1, -2.58)]
    assert official.note.startswith("1 of 2 traces more than 1 % off")


def test_a_route_length_off_its_own_trace_fails() -> None:
    stages = [{"stage": 7, "route_length_km": 188.5, "distance_km": 188.0}]
    check, figures = judge_route_lengths(stages, {7: 188.5}, {7: 190.0})
    assert not check.ok
    assert check.examples == [{"stage": 7, "ours_km": 188.5, "along_points_km": 190.0}]
    assert not figures[-1].ok and figures[-1].value == pytest.approx(0.79, abs=0.01)
    stated_elsewhere, _ = judge_route_lengths(stages, {7: 186.0}, {7: 188.5})
    assert not stated_elsewhere.ok
    no_points, _ = judge_route_lengths(stages, {7: 188.5}, {})
    assert not no_points.ok
    no_stated_length, _ = judge_route_lengths(stages, {7: None}, {7: 188.6})
    assert no_stated_length.ok  # judged on its points alone


def test_the_report_keeps_every_check_with_its_examples_and_the_figures_apart() -> None:
    checks = [
        Check("unique key", "marts.stage_results", True, "0 repeated"),
        Check("status as in truth", "marts.stage_results", False, "1 differs", [{"bib": 3}]),
    ]
    figures = [
        Figure("worst finish time error", 0.3164, 1.0, "s"),
        Figure("riders with telemetry", 56.25, unit="%", note="18 of 32 riders"),
    ]
    report = json.loads(json.dumps(summary(checks, figures)))
    assert report["checks"] == [
        {
            "name": "unique key",
            "table": "marts.stage_results",
            "ok": True,
            "detail": "0 repeated",
            "examples": [],
        },
        {
            "name": "status as in truth",
            "table": "marts.stage_results",
            "ok": False,
            "detail": "1 differs",
            "examples": [{"bib": 3}],
        },
    ]
    assert report["failed"] == ["marts.stage_results: status as in truth"]
    assert not report["ok"]
    assert report["figures"] == {"worst finish time error": 0.316, "riders with telemetry": 56.25}
    finish, coverage = report["figure_details"]
    assert finish == {
        "name": "worst finish time error",
        "value": 0.316,
        "limit": 1.0,
        "unit": "s",
        "note": "",
        "examples": [],
        "ok": True,
    }
    assert coverage["limit"] is None and coverage["ok"] and coverage["note"] == "18 of 32 riders"

    beyond = summary(checks[:1], [Figure("worst climb time error", 2.4, 2.0, "s")])
    assert not beyond["ok"] and beyond["failed"] == ["figure: worst climb time error"]
    unmeasured = summary([], [Figure("worst route length error against the trace", math.inf, 0.1)])
    assert json.loads(json.dumps(unmeasured, allow_nan=False))["figures"] == {
        "worst route length error against the trace": None
    }
    assert not unmeasured["ok"]


def test_a_line_at_the_start_is_crossed_when_the_rider_rolls_off_not_while_waiting() -> None:
    """Riders wait at the start line, their GPS points scattered around it and clamped onto
    the start of the route; the wheel reads 0 until they roll off at 9 m/s."""
    rng = np.random.default_rng(4)
    t = np.arange(0.0, 180.0)
    rolls_off = 60.4
    x = np.maximum(t - rolls_off, 0.0) * 9.0
    along = np.maximum(x + rng.normal(0.0, 3.0, len(t)), 0.0)
    speed_kmh = np.gradient(x) * 3.6  # a head unit's speed spans the neighbouring seconds
    for line_m in (0.0, 6.0):
        crossed = fused_crossing(along, t, speed_kmh, line_m)
        assert crossed == pytest.approx(rolls_off + line_m / 9.0, abs=0.2)


def _failures(sources: Path, home: Path, url: str, seed: int, routes: Path | None) -> list[Any]:
    """The tiny race of `seed` on `routes` through the pipeline: the failed truth checks and
    the figures beyond their limits."""
    run_simulation("tiny", seed, sources, url, data_dir=routes, schema="truth_seeds")
    catalog = through_the_pipeline(sources, home, url, "truth_seeds")
    checks, figures = truth_checks(catalog, sources / "truth")
    decided = next(c for c in checks if c.name == "same-time groups as in truth")
    assert " decisions, " in decided.detail
    flips = next(f for f in figures if f.name.endswith("taken the other way"))
    assert not flips.bounded  # reported: undecidable at 1 Hz, whatever the sample's size
    return [(c.name, c.detail, c.examples) for c in checks if not c.ok] + [
        f for f in figures if not f.ok
    ]


@pytest.mark.integration
@pytest.mark.parametrize("seed", CI_SEEDS)
def test_the_truth_tolerances_hold_on_another_seed(
    seed: int, postgres_url: str, tmp_path: Path
) -> None:
    assert _failures(tmp_path / "sources", tmp_path / "home", postgres_url, seed, None) == []


@pytest.mark.integration
def test_climb_times_hold_on_stages_that_start_at_the_foot_of_a_climb(
    postgres_url: str, tmp_path: Path
) -> None:
    """The mountain stage's bunch waits at the foot; the time trial's riders roll off its ramp
    one a minute."""
    routes, sources = tmp_path / "routes", tmp_path / "sources"
    assert {16, 17} <= set(route_set("climb-foot", routes))
    assert _failures(sources, tmp_path / "home", postgres_url, 11, routes) == []
    for stage in (16, 17):
        with (sources / "stages" / f"stage-{stage}.csv").open(encoding="utf-8") as f:
            feet = [r for r in csv.DictReader(f) if r["checkpoint"] == "climb_foot"]
        # the case at hand: a foot at the start line (the time trial's moves up 133 m past
        # false flat, seconds from it)
        assert float(feet[0]["distance_km"]) < 0.2


@pytest.mark.integration
@pytest.mark.parametrize(
    ("kind", "seed"), [("summit-finish", 13), ("backwards", 6), ("out-and-back", 5)]
)
def test_the_truth_tolerances_hold_on_routes_the_pipeline_has_not_seen(
    kind: str, seed: int, postgres_url: str, tmp_path: Path
) -> None:
    """Stages and a time trial ending at a summit; stages ridden finish to start; stages ridden
    to their middle and back the same road (every place passed twice, both ways). The first two
    seeds gave the largest gap error and climb error of 20 on their routes."""
    routes = tmp_path / "routes"
    assert {16, 17, 21} <= set(route_set(kind, routes))  # the tiny race's stages changed
    assert _failures(tmp_path / "sources", tmp_path / "home", postgres_url, seed, routes) == []


@pytest.mark.integration
def test_a_climb_line_hidden_by_a_gps_dropout_is_allowed_a_share_of_the_dropout(
    postgres_url: str, tmp_path: Path
) -> None:
    """Seed 11 on the out-and-back routes: a rider's GPS drops out across a time trial's climb
    summit; the bridged crossing leaves the effort more than 2 s off, within its allowance."""
    routes, sources = tmp_path / "routes", tmp_path / "sources"
    route_set("out-and-back", routes)
    run_simulation("tiny", 11, sources, postgres_url, data_dir=routes, schema="truth_seeds")
    catalog = through_the_pipeline(sources, tmp_path / "home", postgres_url, "truth_seeds")
    checks, figures = truth_checks(catalog, sources / "truth")
    assert [c.name for c in checks if not c.ok] == [] and [f for f in figures if not f.ok] == []
    across = next(f for f in figures if f.name.startswith("climb efforts timed across"))
    assert across.value == len(across.examples) >= 1
    for effort in across.examples:
        assert effort["dropout_s"] > DROPOUT_S
        assert CLIMB_TOLERANCE_S < effort["error_s"] <= climb_allowance(effort["dropout_s"])
    seen = next(f for f in figures if f.name == "worst climb time error")
    assert seen.value <= CLIMB_TOLERANCE_S  # the efforts whose lines were seen


@pytest.mark.integration
def test_a_climb_time_off_where_its_lines_were_seen_fails(
    built: tuple[Catalog, Path], tmp_path: Path
) -> None:
    catalog, sources = built
    truth = tmp_path / "truth"
    shutil.copytree(sources / "truth", truth)
    path = truth / "climb_times.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["time_s"] = str(float(rows[0]["time_s"]) + 3.0)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    checks, figures = truth_checks(catalog, truth)
    climbs = next(c for c in checks if c.name == "climb times as in truth")
    assert not climbs.ok and [int(e["bib"]) for e in climbs.examples] == [int(rows[0]["bib"])]
    across = next(f for f in figures if f.name.startswith("climb efforts timed across"))
    assert across.value == 0  # a 3 s error on seen lines is not put down to a dropout


def test_the_climb_allowance_grows_only_with_a_dropout_hiding_a_line() -> None:
    assert climb_allowance(1.0) == climb_allowance(DROPOUT_S) == CLIMB_TOLERANCE_S
    assert climb_allowance(46.0) == pytest.approx(CLIMB_TOLERANCE_S + 4.6)


def _result(bib: int, took: float, bonus: int = 0) -> Result:
    return Result(
        stage=21,
        stage_date=date(2023, 7, 23),
        athlete_id=bib,
        bib=bib,
        status="finished",
        start_s=0.0,
        finish_s=took,
        finish_time_s=took,
        official_time_s=math.floor(took),
        bonus_s=bonus,
        rank=None,
        gap_s=None,
    )


def test_the_truth_rebuilt_in_our_groups_keeps_our_side_only_of_what_1_hz_cannot_settle() -> None:
    truly = [_result(4, 6319.80, 10), _result(24, 6319.87, 6), _result(9, 6321.40, 4)]
    # 4 and 24 crossed 0.07 s apart: our order between them stands, not one 1.4 s apart
    ours = {4: 6, 24: 10, 9: 4}
    assert [r.bonus_s for r in _bonuses_in_our_order(truly, ours)] == [6, 10, 4]
    far = [_result(4, 6319.80, 10), _result(24, 6320.30, 6)]
    assert [r.bonus_s for r in _bonuses_in_our_order(far, {4: 6, 24: 10})] == [10, 6]

    alone = {7: 7}
    near_a_second = _result(7, 19771.95)  # ours read 19772: either side of the boundary
    assert _in_our_group(near_a_second, alone, {7: 19771.95}, {7: 19772}).official_time_s == 19772
    mid_second = _result(7, 19771.5)
    assert _in_our_group(mid_second, alone, {7: 19771.5}, {7: 19772}).official_time_s == 19771
