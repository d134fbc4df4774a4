"""Erasure on small tables of a SQLite catalog, with the warehouse in a local folder and on a
real S3-protocol server (S3Proxy): which rows go, which history is kept, which files are
deleted."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.table import Table
from s3_server import S3Server, s3_server

from lakehouse.lake.athlete_rows import Athlete, erase
from lakehouse.lake.commits import FINGERPRINT_KEY, PART_KEY
from lakehouse.lake.erasure import LANDED_KEY, forget_athlete, resolve_athlete

ME, OTHER = 1001, 2002
DAY = timedelta(days=1)


BUCKET = "erasure"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("erasure-s3")) as server:
        server.create_bucket(BUCKET)
        yield server


def _catalog(tmp_path: Path, s3: S3Server | None) -> Catalog:
    if s3 is None:
        return load_catalog(
            "t",
            type="sql",
            uri=f"sqlite:///{tmp_path / 'c.db'}",
            warehouse=(tmp_path / "wh").as_uri(),
            init_catalog_tables="true",
        )
    return load_catalog(
        "t",
        type="sql",
        uri=f"sqlite:///{tmp_path / 'c.db'}",
        warehouse=f"s3://{BUCKET}/{tmp_path.name}",
        init_catalog_tables="true",
        **{
            "s3.endpoint": s3.endpoint,
            "s3.path-style-access": "true",
            "s3.region": "us-east-1",
            "s3.access-key-id": s3.access_key,
            "s3.secret-access-key": s3.secret_key,
        },
    )


def _points(*rows: tuple[int, int]) -> pa.Table:
    return pa.table(
        {
            "athlete_id": pa.array([a for a, _ in rows], pa.int64()),
            "power_w": pa.array([p for _, p in rows], pa.int32()),
        }
    )


@pytest.fixture(params=["local", "s3"])
def catalog(tmp_path: Path, request: pytest.FixtureRequest) -> Catalog:
    """raw.points (two commits, a tag on each), marts.summary (names a winner), a start list
    and a quarantine; the warehouse in a local folder or in a bucket of S3Proxy."""
    on_s3 = request.getfixturevalue("s3") if request.param == "s3" else None
    catalog = _catalog(tmp_path, on_s3)
    for namespace in ("raw", "marts"):
        catalog.create_namespace(namespace)
    points = catalog.create_table("raw.points", schema=_points().schema)
    points.append(_points((ME, 300), (OTHER, 250)))
    first = points.current_snapshot()
    assert first is not None
    landed = {PART_KEY: "day-2", FINGERPRINT_KEY: "fp-2"}
    points.append(_points((ME, 310), (OTHER, 260)), snapshot_properties=landed)
    head = points.current_snapshot()
    assert head is not None
    manage = points.manage_snapshots().create_tag(first.snapshot_id, "stage-01-v1")
    manage.create_tag(head.snapshot_id, "stage-01").commit()
    athletes = pa.table(
        {
            "bib": pa.array([7, 8], pa.int32()),
            "strava_athlete_id": pa.array([ME, OTHER], pa.int64()),
            "rider_name": ["Me", "Other"],
        }
    )
    catalog.create_table("raw.athletes", schema=athletes.schema).append(athletes)
    summary = pa.table(
        {
            "stage": pa.array([1, 2], pa.int32()),
            "winner_bib": pa.array([7, 8], pa.int32()),
            "winner_name": ["Me", "Other"],
            "starters": pa.array([2, 2], pa.int32()),
        }
    )
    catalog.create_table("marts.summary", schema=summary.schema).append(summary)
    quarantine = pa.table(
        {
            "source": ["telemetry", "telemetry", "athletes"],
            "payload": [
                json.dumps({"athlete_id": ME, "power_w": 9999}),
                json.dumps({"athlete_id": OTHER, "power_w": 9999}),
                f"7,Me,{ME},x",
            ],
        }
    )
    catalog.create_table("raw.quarantine", schema=quarantine.schema).append(quarantine)
    return catalog


def _rows(table: Table, ref: str = "main") -> list[dict[str, object]]:
    snapshot = table.refs()[ref].snapshot_id
    return table.scan(snapshot_id=snapshot).to_arrow().to_pylist()


def _data_files(table: Table) -> set[str]:
    return set(table.inspect.all_data_files().column("file_path").to_pylist())


def test_the_bib_and_the_id_are_paired_through_the_start_list(catalog: Catalog) -> None:
    assert resolve_athlete(catalog, ME, None) == Athlete(frozenset({ME}), frozenset({7}))
    assert resolve_athlete(catalog, None, 7) == Athlete(frozenset({ME}), frozenset({7}))


def test_erase_removes_the_athletes_rows_and_empties_a_row_naming_them() -> None:
    summary = pa.table({"winner_bib": [7, 8], "winner_name": ["Me", "Other"], "stage": [1, 2]})
    kept, changed = erase(summary, Athlete(frozenset({ME}), frozenset({7})))
    assert changed == 1
    assert kept.to_pylist() == [
        {"winner_bib": None, "winner_name": None, "stage": 1},
        {"winner_bib": 8, "winner_name": "Other", "stage": 2},
    ]


def test_within_the_window_only_the_current_state_changes(catalog: Catalog) -> None:
    me = resolve_athlete(catalog, ME, None)
    points = catalog.load_table("raw.points")
    tagged_before = _rows(points, "stage-01")
    files_before = _data_files(points)

    report = forget_athlete(catalog, me, timedelta(days=30))

    points.refresh()
    assert sorted(r["power_w"] for r in _rows(points)) == [250, 260]
    assert _rows(points, "stage-01") == tagged_before
    assert files_before <= _data_files(points), "history in the window keeps its files"
    by_table = {t.table: t for t in report.tables}
    assert by_table["raw.points"].rows_removed == 2
    assert by_table["raw.points"].held_snapshots == 2  # the two commits, tagged
    assert by_table["raw.quarantine"].rows_removed == 2, "its JSON row and its CSV line"
    summary = _rows(catalog.load_table("marts.summary"))
    assert [(r["stage"], r["winner_bib"], r["winner_name"]) for r in summary] == [
        (1, None, None),
        (2, 8, "Other"),
    ]
    assert [r["bib"] for r in _rows(catalog.load_table("raw.athletes"))] == [8]


def test_after_the_window_tags_are_rewritten_and_the_files_deleted(catalog: Catalog) -> None:
    me = resolve_athlete(catalog, ME, None)
    points = catalog.load_table("raw.points")
    old_files = _data_files(points)
    assert all(points.io.new_input(p).exists() for p in old_files)
    forget_athlete(catalog, me, timedelta(days=30))
    points.refresh()
    main_after_erasure = points.refs()["main"].snapshot_id

    later = datetime.now(UTC) + timedelta(days=31)
    report = forget_athlete(catalog, me, timedelta(days=30), now=later)

    points.refresh()
    assert sorted(r["power_w"] for r in _rows(points, "stage-01")) == [250, 260]
    assert [r["power_w"] for r in _rows(points, "stage-01-v1")] == [250]
    assert points.refs()["stage-01"].snapshot_id == main_after_erasure, (
        "a tag at main's old head is moved to main's rewrite, not rewritten twice"
    )
    assert old_files and not {p for p in old_files if points.io.new_input(p).exists()}
    remaining = {s.snapshot_id for s in points.snapshots()}
    assert {r.snapshot_id for r in points.refs().values()} <= remaining
    by_table = {t.table: t for t in report.tables}
    assert by_table["raw.points"].refs_rewritten == ["stage-01", "stage-01-v1"]
    assert by_table["raw.points"].data_files_deleted == len(old_files)
    assert not any(t.held_snapshots for t in report.tables)
    head = points.current_snapshot()
    assert head is not None and head.summary is not None
    carried = json.loads(head.summary.additional_properties[LANDED_KEY])
    assert carried["day-2"][FINGERPRINT_KEY] == "fp-2", "the ingestion state outlives expiry"
    again = forget_athlete(catalog, me, timedelta(days=30), now=later)
    assert not any(t.rows_removed or t.snapshots_expired for t in again.tables)


def test_a_dry_run_counts_what_a_window_of_zero_would_do_and_changes_nothing(
    catalog: Catalog,
) -> None:
    me = resolve_athlete(catalog, ME, None)
    points = catalog.load_table("raw.points")
    refs = dict(points.refs())

    planned = forget_athlete(catalog, me, timedelta(0), dry_run=True)

    points.refresh()
    assert dict(points.refs()) == refs
    plan = {t.table: t for t in planned.tables}["raw.points"]
    assert plan.rows_removed == 2 and plan.refs_rewritten == ["stage-01", "stage-01-v1"]
    done = {t.table: t for t in forget_athlete(catalog, me, timedelta(0)).tables}["raw.points"]
    assert (plan.snapshots_expired, plan.data_files_deleted) == (
        done.snapshots_expired,
        done.data_files_deleted,
    )
