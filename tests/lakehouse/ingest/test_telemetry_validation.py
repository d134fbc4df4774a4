"""Impossible telemetry rows are quarantined at landing with the reason; the day still lands."""

from pathlib import Path

import pytest
from bad_telemetry import BAD, DAY, PARTITION, bad_batch
from pyiceberg.catalog import Catalog

from lakehouse.catalog import open_catalog
from lakehouse.ingest.steps import IngestSummary
from lakehouse.ingest.telemetry import telemetry_table, write_day
from lakehouse.ingest.validation import split_rows
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import SourceDay


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    return open_catalog(Settings(home=tmp_path, catalog={"kind": "sqlite"}))


def test_split_names_each_rejected_row_and_why() -> None:
    good, rejected = split_rows(bad_batch(), DAY)
    assert good.num_rows == 40 - len(BAD)
    reasons = [r.reason for r in rejected]
    for (_, _, expected), reason in zip(BAD.values(), reasons, strict=True):
        assert reason.startswith(expected)
    assert rejected[0].location.startswith("day 2031-05-09, athlete 2003, 2031-05-09 10:00:03")
    assert '"lat": 91.5' in rejected[0].payload


def test_a_day_with_bad_rows_lands_the_rest_and_quarantines_them(catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    source = SourceDay(DAY, PARTITION, "cols", 0)
    result = write_day(table, source, [bad_batch(), bad_batch().slice(0, 0)], "run-1")
    assert (result.rows, result.quarantined) == (40, len(BAD))
    assert table.scan().count() == 40 - len(BAD)
    quarantine = catalog.load_table("raw.quarantine").scan().to_arrow().to_pylist()
    assert len(quarantine) == len(BAD)
    assert {q["source"] for q in quarantine} == {"telemetry"}
    assert {q["_source"] for q in quarantine} == {PARTITION}
    (row,) = IngestSummary(telemetry=[result]).rows()
    assert (row["read"], row["landed"], row["quarantined"]) == (40, 40 - len(BAD), len(BAD))


def test_landing_the_day_again_replaces_its_quarantine(catalog: Catalog) -> None:
    table = telemetry_table(catalog)
    source = SourceDay(DAY, PARTITION, "cols", 0)
    write_day(table, source, [bad_batch()], "run-1")
    clean = split_rows(bad_batch(), DAY)[0]
    again = write_day(table, source, [clean], "run-2")
    assert again.quarantined == 0
    assert catalog.load_table("raw.quarantine").scan().count() == 0
    assert table.scan().count() == clean.num_rows
