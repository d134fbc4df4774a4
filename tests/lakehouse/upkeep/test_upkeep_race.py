"""A race landed in 21 successive runs with changed inputs, upkeep after each: files and
snapshots stay bounded, every stage is tagged, the race reads as of any stage through its tag,
and a rerun after expiry still skips what did not change."""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import pytest
from pyiceberg.table import Table
from truth_helpers import read_truth

from lakehouse.catalog import open_catalog
from lakehouse.ingest.files import ingest_athletes, ingest_stages
from lakehouse.ingest.telemetry import land_telemetry
from lakehouse.lake.tags import STAGE_TAG, stage_tag
from lakehouse.settings import Settings
from lakehouse.transform.marts import build_marts
from lakehouse.transform.staging import build_reference, build_telemetry
from lakehouse.upkeep.maintain import maintain, table_names
from lakehouse.upkeep.report import TableReport
from racesim.simulate import run_simulation

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]
"""21 pipeline runs with upkeep after each: about 3 minutes on 2 free cores, far more on a
loaded machine."""

SCHEMA = "upkeep_src"
RUNS = 21
KEPT = 3
RETENTION = {"snapshot_max_age_h": 0, "snapshots_kept": KEPT, "orphan_window_h": 0}


@dataclass
class Race:
    settings: Settings
    url: str
    sources: Path
    days: dict[int, date]
    published: dict[int, int] = field(default_factory=dict)
    """How many runs published each stage."""
    reports: list[list[TableReport]] = field(default_factory=list)
    """Upkeep's reports, run after run."""


def _duplicate_fixes(url: str, stage: int, n: int = 3) -> None:
    """A changed input: a few of the stage's fixes sent twice (staging keeps one)."""
    with psycopg.connect(url) as conn:
        conn.execute(
            f"insert into {SCHEMA}.telemetry select * from {SCHEMA}.telemetry "
            "where stage = %s order by recorded_at, athlete_id limit %s",
            (stage, n),
        )


def _source_rows(url: str, stage: int) -> int:
    with psycopg.connect(url) as conn:
        found = conn.execute(
            f"select count(*) from {SCHEMA}.telemetry where stage = %s", (stage,)
        ).fetchone()
    assert found is not None
    return int(found[0])


@pytest.fixture(scope="module")
def race(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Race:
    """Stage after stage, then runs that each change one stage's telemetry: each run lands,
    stages and publishes what changed, then upkeep runs."""
    home = tmp_path_factory.mktemp("upkeep-home")
    sources = home / "sources"
    run_simulation("tiny", 3, sources, postgres_url, schema=SCHEMA)
    settings = Settings(
        home=home,
        source={"url": postgres_url, "schema_name": SCHEMA},
        catalog={"kind": "sqlite"},
        files={"sources_dir": sources},
        upkeep=RETENTION,
    )
    catalog = open_catalog(settings)
    with (sources / "stages" / "stages.csv").open(encoding="utf-8") as f:
        days = {int(s["stage"]): date.fromisoformat(s["date"]) for s in csv.DictReader(f)}
    stages = sorted(days)
    race = Race(settings, postgres_url, sources, days)
    for run in range(RUNS):
        stage = stages[run % len(stages)]
        if run == 0:  # the files and the sheet once; the telemetry a day at a time
            ingest_stages(catalog, sources / "stages")
            ingest_athletes(catalog, settings)
            build_reference(catalog)
        if run >= len(stages):
            _duplicate_fixes(postgres_url, stage)
        land_telemetry(catalog, postgres_url, only={days[stage]}, schema=SCHEMA)
        build_telemetry(catalog)
        result = build_marts(catalog)
        for day in result.days:
            published = next(s for s, d in days.items() if d == day)
            race.published[published] = race.published.get(published, 0) + 1
        race.reports.append(maintain(settings))
    return race


def _tagged(table: Table) -> dict[str, int]:
    return {n: r.snapshot_id for n, r in table.refs().items() if STAGE_TAG.match(n)}


def test_files_and_snapshots_stay_within_bounds_that_do_not_grow_with_the_runs(
    race: Race,
) -> None:
    catalog = open_catalog(race.settings)
    assert len(race.reports) == RUNS
    for run, reports in enumerate(race.reports):
        for report in reports:
            after = report.after
            assert after is not None
            assert after.max_files_per_partition <= 1, (run, report.table)
        assert {r.table for r in reports} >= {"raw.telemetry", "marts.general_classification"}
    for name in table_names(catalog):
        table = catalog.load_table(name)
        tagged = set(_tagged(table).values())
        untagged = [s for s in table.snapshots() if s.snapshot_id not in tagged]
        assert len(untagged) <= KEPT, name  # whatever the number of runs
    telemetry = [r for reports in race.reports for r in reports if r.table == "raw.telemetry"]
    assert all(r.steps["expiry"] != "0 snapshots expired" for r in telemetry[KEPT:])


def test_every_stage_tag_exists_with_each_earlier_publication(race: Race) -> None:
    catalog = open_catalog(race.settings)
    assert set(race.published) == set(race.days)
    assert sum(race.published.values()) == RUNS  # every run published the stage it changed
    for name in ("marts.general_classification", "marts.stage_results"):
        tags = _tagged(catalog.load_table(name))
        expected = {stage_tag(s) for s in race.days} | {
            f"{stage_tag(s)}-v{v}" for s, count in race.published.items() for v in range(1, count)
        }
        assert set(tags) == expected, name


def _gc(table: Table, ref: str, stage: int) -> list[tuple[int, int, int]]:
    snapshot = table.refs()[ref].snapshot_id
    rows = table.scan(snapshot_id=snapshot).to_arrow().to_pylist()
    return sorted((r["rank"], r["bib"], r["total_time_s"]) for r in rows if r["stage"] == stage)


def test_the_gc_as_of_each_stage_read_through_its_tag_is_the_truths(race: Race) -> None:
    catalog = open_catalog(race.settings)
    table = catalog.load_table("marts.general_classification")
    truth = {
        (int(t["stage"]), int(t["bib"])): float(t["total_time_s"])
        for t in read_truth(race.sources, "general_classification")
    }
    for stage in race.days:
        ours = _gc(table, stage_tag(stage), stage)
        assert ours, stage
        best = float("-inf")
        for _, bib, _ in ours:  # in our order: no rider more than 1 s better behind
            true = truth[(stage, bib)]
            assert true >= best - 1.0, (stage, bib)
            best = max(best, true)
        first = _gc(table, f"{stage_tag(stage)}-v1", stage)
        assert first == ours  # published again with the same results
    first_stage = min(race.days)
    snapshot = table.refs()[f"{stage_tag(first_stage)}-v1"].snapshot_id
    as_first = table.scan(snapshot_id=snapshot).to_arrow()
    assert set(as_first["stage"].to_pylist()) == {first_stage}  # the race as it was then


def test_a_rerun_after_expiry_skips_every_unchanged_day(race: Race) -> None:
    catalog = open_catalog(race.settings)
    expired = catalog.load_table("raw.telemetry")
    assert len(expired.snapshots()) <= KEPT
    landed = land_telemetry(catalog, race.url, schema=SCHEMA)
    assert landed and all(d.skipped for d in landed)
    assert all(s.skipped for s in build_telemetry(catalog))
    assert build_marts(catalog).days == []
