"""`peloton forget`: an athlete erased from every layer now, and from old tags after the window."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from cli_helpers import peloton
from pipeline_helpers import built_race
from pyiceberg.catalog import Catalog
from trino_server import running_trino, trino_settings

from lakehouse.lake.erasure import forget_athlete, resolve_athlete
from lakehouse.lake.lock import run_lock
from lakehouse.settings import Settings
from lakehouse.trino.catalogs import WRITER_USER
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration
SCHEMA = "forget_src"
TAG = "stage-01"
NAMING = ("athlete_id", "strava_athlete_id", "bib", "bib_a", "bib_b")


@dataclass
class Observed:
    athlete_id: int
    bib: int
    before: dict[str, pa.Table] = field(default_factory=dict)
    after: dict[str, pa.Table] = field(default_factory=dict)
    rows_after_dry_run: dict[str, int] = field(default_factory=dict)
    dirty_files: set[str] = field(default_factory=set)
    trino: dict[str, dict[str, list[list[Any]]]] = field(default_factory=dict)
    reports: dict[str, Any] = field(default_factory=dict)
    files_left_in_window: set[str] = field(default_factory=set)
    locked: str = ""
    main_in_window: dict[str, int] = field(default_factory=dict)

    def named(self, rows: pa.Table) -> pa.Array:
        return _named(rows, self.athlete_id, self.bib)


def _tables(catalog: Catalog) -> list[str]:
    return [
        ".".join(identifier)
        for namespace in ("raw", "staging", "marts")
        for identifier in catalog.list_tables(namespace)
    ]


def _rows(catalog: Catalog, name: str) -> pa.Table:
    table = catalog.load_table(name)
    return (
        table.scan().to_arrow()
        if table.current_snapshot()
        else table.schema().as_arrow().empty_table()
    )


def _named(rows: pa.Table, athlete_id: int, bib: int) -> pa.Array:
    """True for the athlete's rows: by a column, or a quarantined telemetry row's JSON."""
    keys = {"athlete_id": athlete_id, "strava_athlete_id": athlete_id}
    mask = pa.repeat(False, rows.num_rows)
    for column in (c for c in NAMING if c in rows.column_names):
        found = pc.fill_null(pc.equal(rows.column(column), keys.get(column, bib)), False)
        mask = pc.or_(mask, found)
    if "payload" in rows.column_names:
        payloads = rows.column("payload").to_pylist()
        quarantined = [
            bool(p) and p.startswith("{") and json.loads(p).get("athlete_id") == athlete_id
            for p in payloads
        ]
        mask = pc.or_(mask, pa.array(quarantined, pa.bool_()))
    return mask


def _count(mask: pa.Array) -> int:
    return int(pc.sum(mask.cast(pa.int64())).as_py() or 0)


def _sorted(rows: pa.Table) -> pa.Table:
    keys = [(c, "ascending") for c in rows.column_names]
    return rows.sort_by(keys) if keys and rows.num_rows else rows


def _files_holding(catalog: Catalog, athlete_id: int, bib: int) -> set[str]:
    """Every data file of any snapshot, in any table, with a row of the athlete."""
    found = set()
    for name in _tables(catalog):
        table = catalog.load_table(name)
        for path in set(table.inspect.all_data_files().column("file_path").to_pylist()):
            local = path.removeprefix("file://")
            names = pq.ParquetFile(local).schema_arrow.names
            columns = [c for c in (*NAMING, "payload") if c in names]
            if columns and _count(_named(pq.read_table(local, columns=columns), athlete_id, bib)):
                found.add(local)
    return found


TAGGED = {
    "telemetry": "SELECT athlete_id = {a}, count(*) FROM raw.telemetry FOR VERSION AS OF '{t}' "
    "GROUP BY 1 ORDER BY 1",
    "results": "SELECT stage, bib, athlete_id, rank FROM marts.stage_results "
    "FOR VERSION AS OF '{t}' ORDER BY stage, bib",
}


def _read_tags(settings: Settings, athlete_id: int) -> dict[str, list[list[Any]]]:
    return {
        key: run_sql(settings, sql.format(a=athlete_id, t=TAG), WRITER_USER).rows
        for key, sql in TAGGED.items()
    }


@pytest.fixture(scope="module")
def observed(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    """A tiny race in every layer, every table tagged, Trino over it; a stage winner erased
    first within the window (the CLI), then once the window has passed."""
    home = tmp_path_factory.mktemp("forget")
    settings = trino_settings(
        home, postgres_url, "peloton_forget", SCHEMA, files={"sources_dir": home / "sources"}
    )
    catalog = built_race(settings, postgres_url, SCHEMA, seed=9)
    for name in _tables(catalog):
        table = catalog.load_table(name)
        if (snapshot := table.current_snapshot()) is not None:
            table.manage_snapshots().create_tag(snapshot.snapshot_id, TAG).commit()
    summary = _rows(catalog, "marts.stage_summary").to_pylist()
    bib = next(r["winner_bib"] for r in summary if r["winner_bib"] is not None)
    results = _rows(catalog, "marts.stage_results").to_pylist()
    athlete_id = next(r["athlete_id"] for r in results if r["bib"] == bib)
    seen = Observed(athlete_id, bib)
    seen.before = {name: _rows(catalog, name) for name in _tables(catalog)}
    seen.dirty_files = _files_holding(catalog, athlete_id, bib)
    env = {
        "PELOTON_HOME": str(home),
        "PELOTON_SOURCE__URL": postgres_url,
        "PELOTON_SOURCE__SCHEMA_NAME": SCHEMA,
        "PELOTON_CATALOG__KIND": "sql",
        "PELOTON_CATALOG__NAME": "peloton_forget",
        "PELOTON_PRIVACY__ERASURE_WINDOW_DAYS": "30",
        "COLUMNS": "200",
    }
    with running_trino(settings):
        seen.trino["before"] = _read_tags(settings, athlete_id)
        with run_lock(catalog, home, "another run"):
            seen.locked = peloton("forget", "--athlete", str(athlete_id), env=env).stderr

        dry = peloton("forget", "--athlete", str(athlete_id), "--dry-run", "--json", env=env)
        assert dry.returncode == 0, dry.stderr
        seen.reports["dry run"] = json.loads(dry.stdout)
        seen.rows_after_dry_run = {n: _rows(catalog, n).num_rows for n in _tables(catalog)}

        within = peloton("forget", "--athlete", str(athlete_id), env=env)
        assert within.returncode == 0, within.stderr
        seen.reports["within"] = within.stdout + within.stderr
        seen.trino["within"] = _read_tags(settings, athlete_id)
        seen.files_left_in_window = {p for p in seen.dirty_files if Path(p).exists()}
        seen.main_in_window = {n: _count(seen.named(_rows(catalog, n))) for n in _tables(catalog)}

        later = datetime.now(UTC) + timedelta(days=31)
        athlete = resolve_athlete(catalog, athlete_id, None)
        seen.reports["after"] = forget_athlete(catalog, athlete, timedelta(days=30), now=later)
        seen.trino["after"] = _read_tags(settings, athlete_id)
        seen.after = {name: _rows(catalog, name) for name in _tables(catalog)}
        yield seen


def test_the_run_lock_is_taken(observed: Observed) -> None:
    assert "another run (another run" in observed.locked
    assert "holds the lakehouse" in observed.locked


def test_a_dry_run_counts_and_changes_nothing(observed: Observed) -> None:
    report = observed.reports["dry run"]
    assert report["athlete"] == {"athlete_ids": [observed.athlete_id], "bibs": [observed.bib]}
    removed = {t["table"]: t["rows_removed"] for t in report["tables"]}
    for name, rows in observed.before.items():
        if name != "marts.stage_summary":
            assert removed.get(name, 0) == _count(observed.named(rows)), name
    assert removed["marts.stage_summary"] >= 1, "the stage the athlete won: winner emptied"
    assert observed.rows_after_dry_run == {n: rows.num_rows for n, rows in observed.before.items()}


def test_within_the_window_the_current_state_is_clean_and_tags_keep_the_rows(
    observed: Observed,
) -> None:
    assert observed.main_in_window and not any(observed.main_in_window.values())
    before, within = observed.trino["before"], observed.trino["within"]
    assert any(shown is True and count > 0 for shown, count in before["telemetry"])
    assert within == before, "a tag younger than the window is left as it was"
    assert observed.files_left_in_window == observed.dirty_files
    assert "run the same command again" in observed.reports["within"]
    assert "systems of record" in observed.reports["within"]


@pytest.mark.parametrize("layer", ["raw", "staging", "marts"])
def test_every_layer_loses_the_athlete_and_keeps_the_others(observed: Observed, layer: str) -> None:
    removed = 0
    for name, rows in observed.before.items():
        if not name.startswith(f"{layer}."):
            continue
        after = observed.after[name]
        assert not _count(observed.named(after)), name
        expected = rows.filter(pc.invert(observed.named(rows)))
        if name == "marts.stage_summary":
            emptied = [
                {k: None if k.startswith("winner_") else v for k, v in r.items()}
                if r["winner_bib"] == observed.bib
                else r
                for r in expected.to_pylist()
            ]
            expected = pa.Table.from_pylist(emptied, schema=expected.schema)
            assert after.num_rows == rows.num_rows, "a stage summary stays, its winner emptied"
        assert _sorted(after).equals(_sorted(expected)), name
        removed += rows.num_rows - expected.num_rows
    assert removed > 0, f"the athlete had rows in {layer}"


def test_after_the_window_an_old_tag_read_through_trino_no_longer_shows_the_athlete(
    observed: Observed,
) -> None:
    before, after = observed.trino["before"], observed.trino["after"]
    assert after["telemetry"] == [r for r in before["telemetry"] if r[0] is False]
    assert after["results"] == [
        r for r in before["results"] if r[1] != observed.bib and r[2] != observed.athlete_id
    ]
    assert len(after["results"]) < len(before["results"])
    report = observed.reports["after"]
    rewritten = {t.table for t in report.tables if TAG in t.refs_rewritten}
    assert {"raw.telemetry", "staging.telemetry", "marts.stage_results"} <= rewritten
    assert not any(t.held_snapshots for t in report.tables)


def test_the_files_that_held_the_rows_are_deleted(observed: Observed) -> None:
    assert observed.dirty_files
    assert not {p for p in observed.dirty_files if Path(p).exists()}
    report = observed.reports["after"]
    assert sum(t.data_files_deleted for t in report.tables) >= len(observed.dirty_files)
    assert sum(t.snapshots_expired for t in report.tables) > 0
