"""Stage results and the general classification at tiny scale, against the simulator's truth."""

from datetime import datetime
from pathlib import Path

import pytest
from pyiceberg.catalog import Catalog
from truth_helpers import read_truth

from lakehouse.errors import PelotonError
from lakehouse.lake.mart_tables import GENERAL_CLASSIFICATION, MART_TABLES, POINTS_CLASSIFICATION
from lakehouse.transform.classifications import FINISH_POINTS, MOUNTAIN_POINTS
from lakehouse.transform.mart_rows import RankingRow, RiderColumns, to_table
from lakehouse.transform.marts import build_marts
from lakehouse.transform.segments import efforts_between

pytestmark = pytest.mark.integration


def test_stage_results_match_the_truth(built: tuple[Catalog, Path]) -> None:
    catalog, sources = built
    ours = catalog.load_table("marts.stage_results").scan().to_arrow().to_pylist()
    truth = {(int(t["stage"]), int(t["bib"])): t for t in read_truth(sources, "stage_results")}
    assert ours
    worst = 0.0
    for row in ours:
        true = truth[(row["stage"], row["bib"])]
        assert row["status"] == true["status"], (row["stage"], row["bib"])
        if row["status"] == "abandoned":
            assert row["finish_time_s"] is None
            continue
        worst = max(worst, abs(row["finish_time_s"] - float(true["finish_time_s"])))
        started = datetime.fromisoformat(true["started_at"])
        assert abs((row["started_at"] - started).total_seconds()) < 1e-3
    assert worst < 1.0
    # finish order: riders are only ever swapped with riders less than 1 s apart in truth
    # (a bunch sprint, where the line is crossed a few tenths apart)
    for stage in {r["stage"] for r in ours}:
        ranked = sorted(
            (r for r in ours if r["stage"] == stage and r["rank"]), key=lambda r: r["rank"]
        )
        true_times = [float(truth[(stage, r["bib"])]["finish_time_s"]) for r in ranked]
        for i in range(1, len(true_times)):
            assert true_times[i] > max(true_times[:i]) - 1.0, (stage, ranked[i]["bib"])


def test_general_classification_order_is_the_truth(built: tuple[Catalog, Path]) -> None:
    """Identical order, except that riders whose true totals are less than 1 s apart may swap:
    official times are truncated to the second, and 1 Hz GPS cannot tell on which side of a
    second boundary a crossing 0.03 s from it fell."""
    catalog, sources = built
    ours = catalog.load_table("marts.general_classification").scan().to_arrow().to_pylist()
    truth = {(int(t["stage"]), int(t["bib"])): t for t in read_truth(sources, "stage_results")}
    for stage in sorted({r["stage"] for r in ours}):
        mine = sorted((r for r in ours if r["stage"] == stage), key=lambda r: r["rank"])
        totals = [
            sum(
                float(truth[(s, r["bib"])]["finish_time_s"]) - int(truth[(s, r["bib"])]["bonus_s"])
                for s in {x["stage"] for x in ours}
                if s <= stage
            )
            for r in mine
        ]
        for i in range(1, len(totals)):
            assert totals[i] > max(totals[:i]) - 1.0, (stage, mine[i]["bib"])


def test_unchanged_days_are_not_recomputed(built: tuple[Catalog, Path]) -> None:
    catalog, _ = built
    build_marts(catalog)  # whatever the tests before left: now up to date
    names = [t.name for t in MART_TABLES]
    snapshots = {n: len(catalog.load_table(n).snapshots()) for n in names}
    again = build_marts(catalog)
    assert again.days == [] and len(again.skipped) == 3
    assert again.standings > 0
    assert again.published == []  # not even the classifications are committed again
    assert {n: len(catalog.load_table(n).snapshots()) for n in names} == snapshots


def test_climb_efforts_match_the_true_climb_times(built: tuple[Catalog, Path]) -> None:
    catalog, sources = built
    ours = catalog.load_table("marts.climb_efforts").scan().to_arrow().to_pylist()
    truth = {
        (int(t["stage"]), int(t["climb_number"]), int(t["bib"])): t
        for t in read_truth(sources, "climb_times")
    }
    assert ours
    worst = max(
        abs(r["time_s"] - float(truth[(r["stage"], r["climb_number"], r["bib"])]["time_s"]))
        for r in ours
    )
    assert worst < 2.0
    loze = [r for r in ours if r["climb_name"] == "Col de la Loze"]
    assert loze and {r["category"] for r in loze} == {"HC"}
    winner = min(loze, key=lambda r: r["rank"])
    assert winner["rank"] == 1 and winner["time_s"] == min(r["time_s"] for r in loze)
    assert 1200 < winner["vam_m_h"] < 2200  # a credible VAM for the best on the Loze
    with_power = [r for r in loze if r["avg_power_w"] is not None]
    assert with_power and all(3.0 < r["w_per_kg"] < 8.0 for r in with_power)
    segments = catalog.load_table("marts.segment_efforts").scan().to_arrow().to_pylist()
    assert {s["kind"] for s in segments} == {"climb", "segment"}
    assert len([s for s in segments if s["kind"] == "climb"]) == len(ours)


def test_on_demand_segment_matches_the_stored_climb(built: tuple[Catalog, Path]) -> None:
    catalog, _ = built
    stored = [
        r
        for r in catalog.load_table("marts.segment_efforts").scan().to_arrow().to_pylist()
        if r["segment_name"] == "Col de la Loze"
    ]
    start, end = stored[0]["start_km"], stored[0]["end_km"]
    fresh = efforts_between(catalog, 17, start, end).to_pylist()
    assert {(r["bib"], round(r["time_s"], 6)) for r in fresh} == {
        (r["bib"], round(r["time_s"], 6)) for r in stored
    }
    with pytest.raises(PelotonError, match=r"stage 17: segment 5-4 km; expected 0 <= start"):
        efforts_between(catalog, 17, 5, 4)


def test_rider_and_stage_summaries_agree_with_the_results(built: tuple[Catalog, Path]) -> None:
    catalog, _ = built
    results = catalog.load_table("marts.stage_results").scan().to_arrow().to_pylist()
    riders = catalog.load_table("marts.rider_stage_summary").scan().to_arrow().to_pylist()
    stages = catalog.load_table("marts.stage_summary").scan().to_arrow().to_pylist()
    lengths = {
        s["stage"]: s["route_length_km"]
        for s in catalog.load_table("staging.stages").scan().to_arrow().to_pylist()
    }
    finished = {(r["stage"], r["bib"]): r for r in results if r["status"] == "finished"}
    for row in riders:
        result = finished.get((row["stage"], row["bib"]))
        if result is None:
            continue
        assert row["distance_km"] == pytest.approx(lengths[row["stage"]], abs=0.1)
        assert row["moving_time_s"] <= result["finish_time_s"] + 60
        assert 20 < row["avg_speed_kmh"] < 60
        if row["avg_power_w"] is not None:
            assert row["normalized_power_w"] >= row["avg_power_w"] * 0.95
            assert row["work_kj"] > 0
    for stage in stages:
        ranked = [r for r in results if r["stage"] == stage["stage"] and r["rank"] == 1]
        assert stage["winner_bib"] == ranked[0]["bib"]
        assert stage["finishers"] == sum(
            1 for r in results if r["stage"] == stage["stage"] and r["status"] == "finished"
        )
        assert stage["avg_speed_kmh"] == pytest.approx(
            lengths[stage["stage"]] / ranked[0]["finish_time_s"] * 3600, rel=1e-6
        )


def test_points_and_mountains_follow_the_scales(built: tuple[Catalog, Path]) -> None:
    catalog, _ = built
    awarded = catalog.load_table("marts.points_awarded").scan().to_arrow().to_pylist()
    results = catalog.load_table("marts.stage_results").scan().to_arrow().to_pylist()
    stages = {
        s["stage"]: s for s in catalog.load_table("staging.stages").scan().to_arrow().to_pylist()
    }
    for stage, info in stages.items():
        finish = sorted(
            (a for a in awarded if a["stage"] == stage and a["at"] == "finish"),
            key=lambda a: a["place"],
        )
        winner = next(r for r in results if r["stage"] == stage and r["rank"] == 1)
        assert finish[0]["bib"] == winner["bib"]
        assert finish[0]["points"] == FINISH_POINTS[info["profile"]][0]
    loze = sorted((a for a in awarded if a["at"] == "Col de la Loze"), key=lambda a: a["place"])
    assert [a["points"] for a in loze] == list(MOUNTAIN_POINTS["HC"][: len(loze)])
    efforts = catalog.load_table("marts.climb_efforts").scan().to_arrow().to_pylist()
    first_over = min(
        (e for e in efforts if e["climb_name"] == "Col de la Loze"), key=lambda e: e["ended_at"]
    )
    assert loze[0]["bib"] == first_over["bib"]

    for kind in ("points", "mountains"):
        table = catalog.load_table(f"marts.{kind}_classification").scan().to_arrow().to_pylist()
        last = max(r["stage"] for r in table)
        final = sorted((r for r in table if r["stage"] == last), key=lambda r: r["rank"])
        left = {r["bib"] for r in results if r["status"] != "finished"}
        totals: dict[int, int] = {}
        for a in awarded:
            if a["classification"] == kind and a["bib"] not in left:
                totals[a["bib"]] = totals.get(a["bib"], 0) + a["points"]
        assert {r["bib"]: r["points"] for r in final} == {b: p for b, p in totals.items() if p}
        assert [r["points"] for r in final] == sorted((r["points"] for r in final), reverse=True)


def test_a_row_converts_only_to_the_table_of_its_columns() -> None:
    row = RankingRow(3, RiderColumns(7, 70, "A Rider", "A Team"), rank=1, points=20)
    assert to_table([row], POINTS_CLASSIFICATION).to_pylist() == [
        {
            "stage": 3,
            "bib": 7,
            "athlete_id": 70,
            "rider_name": "A Rider",
            "team": "A Team",
            "rank": 1,
            "points": 20,
        }
    ]
    with pytest.raises(ValueError, match=r"RankingRow for marts.general_classification: columns"):
        to_table([row], GENERAL_CLASSIFICATION)
