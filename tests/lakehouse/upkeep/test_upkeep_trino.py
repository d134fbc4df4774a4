"""Upkeep with a real Trino: analysts read the marts as of a stage tag or a time as `bi`, and
upkeep runs while `bi` queries and an ingestion write: no query fails, no row changes."""

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from lake_fixtures import SCHEMA

from lakehouse.catalog import open_catalog
from lakehouse.ingest.telemetry import land_telemetry
from lakehouse.lake.tags import stage_tag
from lakehouse.settings import Settings, UpkeepSettings
from lakehouse.trino.client import run_sql
from lakehouse.upkeep.maintain import maintain, table_names

pytestmark = pytest.mark.integration

QUERIES = (
    "SELECT stage, bib, rank, gap_s FROM marts.general_classification ORDER BY stage, rank, bib",
    "SELECT stage, count(*), sum(finish_time_s) FROM marts.stage_results GROUP BY stage "
    "ORDER BY stage",
    "SELECT stage, length_km FROM views.stage_routes ORDER BY stage",
    "SELECT count(*) FROM marts.general_classification FOR VERSION AS OF '{tag}'",
)


def _stages(lake: Settings) -> list[int]:
    gc = open_catalog(lake).load_table("marts.general_classification")
    return sorted(set(gc.scan().to_arrow()["stage"].to_pylist()))


def test_bi_reads_a_mart_as_of_a_stage_tag_and_as_published_at_a_time(lake: Settings) -> None:
    gc = open_catalog(lake).load_table("marts.general_classification")
    for stage in _stages(lake):
        tag = stage_tag(stage)
        ours = gc.scan(snapshot_id=gc.refs()[tag].snapshot_id).to_arrow()
        expected = sorted((r["bib"], r["rank"]) for r in ours.to_pylist() if r["stage"] == stage)
        read = run_sql(
            lake,
            f"SELECT bib, rank FROM marts.general_classification FOR VERSION AS OF '{tag}' "
            f"WHERE stage = {stage} ORDER BY bib",
            "bi",
        )
        assert [tuple(r) for r in read.rows] == expected and expected
    # the time main moved to the tagged snapshot: when the run published it (its snapshot
    # was committed earlier, on the run's branch, where no reader of main saw it)
    tagged = gc.refs()[stage_tag(_stages(lake)[0])].snapshot_id
    published_ms = max(e.timestamp_ms for e in gc.metadata.snapshot_log if e.snapshot_id == tagged)
    at = datetime.fromtimestamp(published_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    at = at[:-3]  # Trino's literal: milliseconds, the zone after it
    read = run_sql(
        lake,
        "SELECT count(*) FROM marts.general_classification "
        f"FOR TIMESTAMP AS OF TIMESTAMP '{at} UTC'",
        "bi",
    )
    assert read.rows == [[gc.scan(snapshot_id=tagged).to_arrow().num_rows]]


def _answers(lake: Settings, tag: str) -> list[list[list[object]]]:
    return [run_sql(lake, q.format(tag=tag), "bi").rows for q in QUERIES]


def test_upkeep_beside_trino_queries_and_an_ingestion_fails_no_query_changes_no_row(
    lake: Settings,
) -> None:
    settings = replace(
        lake,
        upkeep=UpkeepSettings(snapshot_max_age_h=0, snapshots_kept=2, orphan_window_h=1),
    )
    catalog = open_catalog(settings)
    tag = stage_tag(_stages(lake)[-1])
    expected = _answers(lake, tag)
    rows = {n: catalog.load_table(n).scan().to_arrow().num_rows for n in table_names(catalog)}
    landed_days = land_telemetry(catalog, lake.source.url.get_secret_value(), schema=SCHEMA)
    day = max(d.day for d in landed_days)
    done = threading.Event()
    failures: list[str] = []
    answered = [0]
    landed = [0]

    def read() -> None:
        while not done.is_set():
            try:
                if _answers(lake, tag) != expected:
                    failures.append("an answer changed")
                answered[0] += 1
            except Exception as exc:  # every failure is reported below
                failures.append(f"{type(exc).__name__}: {exc}")

    def write() -> None:  # the day landed again and again, the same rows each time
        url = lake.source.url.get_secret_value()
        while not done.is_set() or not landed[0]:
            try:
                land_telemetry(catalog, url, True, {day}, schema=SCHEMA)
                landed[0] += 1
            except Exception as exc:
                failures.append(f"ingestion: {type(exc).__name__}: {exc}")
                return

    threads = [threading.Thread(target=read), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    try:
        reports = maintain(settings)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=300)
    assert failures == []
    assert answered[0] >= 1 and landed[0] >= 1
    assert all(r.steps["statistics"] == "analyzed" for r in reports)
    after = {n: catalog.load_table(n).scan().to_arrow().num_rows for n in table_names(catalog)}
    assert after == rows
    assert _answers(lake, tag) == expected
