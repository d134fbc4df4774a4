"""The race unfolding day by day into a real PostgreSQL: faults, repairs, truth, determinism.

One tour-lite race with the default faults is delivered night after night (module fixture);
each night's sources are recorded, then judged: telemetry against the race's own plan, files
through the pipeline's own readers, the truth against the stages delivered.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import adbc_driver_postgresql.dbapi as adbc
import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_helpers import peloton
from unfolded_race import unfolded_race

from lakehouse.sources.athletes import ATHLETE_COLUMNS
from lakehouse.sources.rows import SourceFileError, read_csv
from lakehouse.sources.stages import StageFile, read_stage_file
from racesim import scales
from racesim.athletes import SHEET_COLUMNS
from racesim.fault_effects import BAD_LATITUDE
from racesim.faults import KINDS
from racesim.files import write_truth
from racesim.load import partition_name
from racesim.route_sets import route_set
from racesim.simulate import run_simulation, simulate_race
from racesim.telemetry import TELEMETRY_SCHEMA
from racesim.unfold import STATUS_COLUMNS, TRUTH_FILES, DayReport, Unfolding

pytestmark = pytest.mark.integration
LITE_SCHEMA = "unfold_lite"
SEED = 2023


@dataclass
class Night:
    """The sources as they stood after one delivery (night 0: after `create`)."""

    report: DayReport | None
    partitions: dict[str, tuple[int, ...]]
    """partition -> (rows, sums of recorded_at in microseconds, athlete ids, lat and lon in
    1e-7 degrees)"""
    stage_files: dict[str, bytes]
    athletes: bytes
    truth_stages: dict[str, set[int]]
    manifest_rows: dict[str, int] = field(default_factory=dict)


def _partitions(url: str, schema: str) -> dict[str, tuple[int, ...]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select tableoid::regclass::text, count(*), "
            "sum((extract(epoch from recorded_at) * 1000000)::bigint), "
            "sum(athlete_id), sum(floor(lat * 1e7)::bigint), sum(floor(lon * 1e7)::bigint) "
            f"from {schema}.telemetry group by 1"
        ).fetchall()
    return {row[0].split(".")[-1]: tuple(int(v) for v in row[1:]) for row in rows}


def _fingerprint(table: pa.Table) -> tuple[int, ...]:
    """What `_partitions` tells of a partition, for a table of telemetry."""

    def floor_sum(column: str) -> int:
        return int(np.floor(table[column].to_numpy() * 1e7).astype(np.int64).sum())

    return (
        table.num_rows,
        _micros_sum(table),
        int(table["athlete_id"].to_numpy().sum()),
        floor_sum("lat"),
        floor_sum("lon"),
    )


def _stages_in(path: Path) -> set[int]:
    with path.open(encoding="utf-8") as f:
        return {int(r["stage"]) for r in csv.DictReader(f)}


def _night(u: Unfolding, report: DayReport | None, url: str) -> Night:
    out = u.out_dir
    return Night(
        report,
        _partitions(url, LITE_SCHEMA),
        {p.name: p.read_bytes() for p in sorted((out / "stages").glob("*.csv"))},
        (out / "athletes" / "athletes.csv").read_bytes(),
        {name: _stages_in(out / "truth" / name) for name in TRUTH_FILES},
        json.loads((out / "manifest.json").read_text())["telemetry_rows"],
    )


@pytest.fixture(scope="module")
def lite(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Unfolding, list[Night]]:
    nights: list[Night] = []
    race = unfolded_race(
        tmp_path_factory.mktemp("lite") / "sources",
        postgres_url,
        LITE_SCHEMA,
        seed=SEED,
        on_created=lambda u: nights.append(_night(u, None, postgres_url)),
    )
    unfolding = None
    for unfolding, report in race:
        nights.append(_night(unfolding, report, postgres_url))
    assert unfolding is not None
    return unfolding, nights


def _reports(nights: list[Night]) -> list[DayReport]:
    return [n.report for n in nights if n.report is not None]


def _fault(nights: list[Night], kind: str) -> tuple[int, DayReport]:
    found = [(r.index, r) for r in _reports(nights) if any(f.kind == kind for f in r.faults)]
    assert len(found) == 1, f"{kind} on nights {[i for i, _ in found]}"
    return found[0]


def _plan(u: Unfolding, index: int) -> pa.Table:
    stage, _ = u.stage_day(index)
    return pq.read_table(u.out_dir / ".unfold" / "telemetry" / f"stage-{stage:02d}.parquet")


def _source(url: str, schema: str, name: str) -> pa.Table:
    with adbc.connect(url) as conn, conn.cursor() as cur:
        cur.execute(f"select * from {schema}.{name}")
        table = cur.fetch_arrow_table()
    return table.cast(TELEMETRY_SCHEMA)


def _difference(ours: pa.Table, theirs: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Rows `ours` has more than `theirs` (as a multiset), and rows it has fewer."""
    keys = TELEMETRY_SCHEMA.names
    both = pa.concat_tables(
        [
            ours.append_column("w", pa.array([1] * ours.num_rows, pa.int64())),
            theirs.append_column("w", pa.array([-1] * theirs.num_rows, pa.int64())),
        ]
    )
    counted = both.group_by(keys).aggregate([("w", "sum")])
    w = counted["w_sum"].to_pylist()
    more = counted.filter(pa.array([x > 0 for x in w]))
    fewer = counted.filter(pa.array([x < 0 for x in w]))
    return more, fewer


def _micros_sum(table: pa.Table) -> int:
    micros = table["recorded_at"].cast(pa.int64()).to_numpy()
    # in two parts: the sum of a day's microseconds since 1970 overflows 64 bits
    return int((micros // 10**6).sum()) * 10**6 + int((micros % 10**6).sum())


# -- the plan and the first night ------------------------------------------------------------


def test_before_the_first_delivery_only_the_start_list_is_there(
    lite: tuple[Unfolding, list[Night]],
) -> None:
    u, nights = lite
    night0 = nights[0]
    assert night0.partitions == {} and night0.stage_files == {}
    assert all(stages == set() for stages in night0.truth_stages.values())
    header = night0.athletes.decode().splitlines()[0].split(",")
    assert header == [*SHEET_COLUMNS, *STATUS_COLUMNS]
    assert u.delivered == u.total == len(scales.get_scale("tour-lite").stages) == len(nights) - 1
    url_file = u.out_dir / ".unfold" / "source.url"
    assert url_file.stat().st_mode & 0o077 == 0, "the URL and its password: the owner's only"


def test_every_default_fault_happens_once_and_is_repaired_as_declared(
    lite: tuple[Unfolding, list[Night]],
) -> None:
    _, nights = lite
    reports = _reports(nights)
    assert reports[0].faults == [] and reports[0].fixed == []
    for kind, spec in KINDS.items():
        index, report = _fault(nights, kind)
        fault = next(f for f in report.faults if f.kind == kind)
        assert (fault.source, fault.expect, fault.day) == (spec.source, spec.expect, report.day)
        fixed_on = [r.index for r in reports if fault in r.fixed]
        assert fixed_on == ([index + 1] if spec.repaired else []), kind


def test_each_night_publishes_its_stage_and_the_truth_of_the_stages_so_far(
    lite: tuple[Unfolding, list[Night]], postgres_url: str
) -> None:
    u, nights = lite
    final_truth = u.out_dir / "truth"
    for k, night in enumerate(nights[1:], start=1):
        stages = [u.stage_day(i)[0] for i in range(1, k + 1)]
        assert night.report is not None and night.report.stage == stages[-1]
        truth = night.truth_stages
        assert truth["stage_results.csv"] == truth["general_classification.csv"] == set(stages)
        assert truth["climb_times.csv"] <= set(stages)  # a stage may have no categorized climb
        assert sorted(night.stage_files) == sorted(
            [f"stage-{s:02d}.csv" for s in stages] + ["stages.csv"]
        )
        index = csv.DictReader(io.StringIO(night.stage_files["stages.csv"].decode()))
        assert [int(r["stage"]) for r in index] == stages
        assert sorted(night.partitions) == sorted(
            partition_name(u.stage_day(i)[1]) for i in range(1, k + 1)
        )
        assert night.manifest_rows == {p: f[0] for p, f in night.partitions.items()}
    # the truth after night k is the final truth's lines of those stages, byte for byte
    k = 5
    stages = {u.stage_day(i)[0] for i in range(1, k + 1)}
    lines = (final_truth / "stage_results.csv").read_text().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if int(line.split(",")[0]) in stages]
    assert len(kept) > 1 and kept == _truth_after(u, nights, k)


def _truth_after(u: Unfolding, nights: list[Night], k: int) -> list[str]:
    """stage_results.csv as published after night k, rebuilt from a fresh race of k stages."""
    scale = scales.get_scale(u.scale)
    prefix = scales.Scale("first-k", scale.teams, scale.stages[:k], "the first k stages")
    scales.SCALES[prefix.name] = prefix
    try:
        race = simulate_race(prefix.name, u.seed)
    finally:
        del scales.SCALES[prefix.name]
    folder = u.out_dir.parent / "first-k-truth"
    write_truth(folder, race.results, race.climbs, race.gc)
    return (folder / "stage_results.csv").read_text().splitlines()


# -- telemetry faults, judged against the plan -------------------------------------------------


def test_days_without_a_lasting_fault_end_as_planned(
    lite: tuple[Unfolding, list[Night]],
) -> None:
    u, nights = lite
    lasting = {_fault(nights, k)[0] for k in ("telemetry-duplicates", "gps-outage")}
    final = nights[-1].partitions
    assert len(final) == u.total
    for index in range(1, u.total + 1):
        if index not in lasting:
            name = partition_name(u.stage_day(index)[1])
            assert final[name] == _fingerprint(_plan(u, index)), name


def test_a_late_day_comes_half_tonight_and_whole_the_next_night(
    lite: tuple[Unfolding, list[Night]],
) -> None:
    u, nights = lite
    index, report = _fault(nights, "telemetry-late")
    name, planned = partition_name(report.day), _plan(u, index).num_rows
    tonight = nights[index].partitions[name][0]
    assert 0.45 * planned < tonight < 0.55 * planned
    assert nights[index + 1].partitions[name][0] == planned
    assert nights[index + 1].report is not None
    assert nights[index + 1].report.rows[name] == planned - tonight


def test_duplicated_rows_are_copies_of_the_day(
    lite: tuple[Unfolding, list[Night]], postgres_url: str
) -> None:
    u, nights = lite
    index, report = _fault(nights, "telemetry-duplicates")
    planned = _plan(u, index)
    more, fewer = _difference(
        _source(postgres_url, LITE_SCHEMA, partition_name(report.day)), planned
    )
    assert fewer.num_rows == 0 and set(more["w_sum"].to_pylist()) == {1}
    assert abs(more.num_rows - 0.02 * planned.num_rows) <= 1


def test_a_gps_outage_takes_one_riders_stretch_out(
    lite: tuple[Unfolding, list[Night]], postgres_url: str
) -> None:
    u, nights = lite
    index, report = _fault(nights, "gps-outage")
    more, fewer = _difference(
        _source(postgres_url, LITE_SCHEMA, partition_name(report.day)), _plan(u, index)
    )
    assert more.num_rows == 0 and fewer.num_rows > 0
    assert len(set(fewer["athlete_id"].to_pylist())) == 1
    micros = fewer["recorded_at"].cast(pa.int64()).to_pylist()
    assert (max(micros) - min(micros)) / 1e6 < 10 * 60
    athlete = fewer["athlete_id"][0].as_py()
    assert f"athlete {athlete}" in report.faults[0].detail


def test_a_day_sent_again_replaces_a_riders_wrong_clock(
    lite: tuple[Unfolding, list[Night]],
) -> None:
    u, nights = lite
    index, report = _fault(nights, "telemetry-resent")
    name, planned = partition_name(report.day), _plan(u, index)
    rows, wrong, *_ = nights[index].partitions[name]
    assert rows == planned.num_rows
    shift = (wrong - _micros_sum(planned)) / 1e6
    assert shift != 0 and shift % 30 == 0  # one rider's rows, each 30 s late
    assert nights[index + 1].partitions[name] == _fingerprint(planned)


# -- file faults, read by the pipeline's readers ----------------------------------------------


def _read_stage(tmp_path: Path, name: str, data: bytes) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    parsed = read_stage_file(StageFile(int(name[6:8]), path))
    return [f"{r.location}: {r.reason}" for r in parsed.rejected]


@pytest.mark.parametrize("kind", ["stage-file-truncated", "stage-file-corrupt"])
def test_a_broken_stage_file_is_quarantined_one_night_and_whole_the_next(
    lite: tuple[Unfolding, list[Night]], kind: str, tmp_path: Path
) -> None:
    u, nights = lite
    index, report = _fault(nights, kind)
    name = f"stage-{report.stage:02d}.csv"
    planned = (u.out_dir / ".unfold" / "race" / "stages" / name).read_bytes()
    broken = nights[index].stage_files[name]
    rejected = _read_stage(tmp_path, name, broken)
    if kind == "stage-file-truncated":
        assert planned.startswith(broken) and len(broken) < len(planned)
        assert len(rejected) == 1 and "field(s); expected 10" in rejected[0]
    else:
        assert broken.count(BAD_LATITUDE.encode()) == 3 == len(rejected)
        assert all(f"lat = '{BAD_LATITUDE}'" in r for r in rejected)
    assert nights[index + 1].stage_files[name] == planned
    assert _read_stage(tmp_path, name, planned) == []


def test_a_renamed_sheet_column_is_refused_one_night_and_named_again_the_next(
    lite: tuple[Unfolding, list[Night]], tmp_path: Path
) -> None:
    _, nights = lite
    index, _ = _fault(nights, "sheet-column-renamed")
    path = tmp_path / "athletes.csv"
    path.write_bytes(nights[index].athletes)
    with pytest.raises(SourceFileError, match="weight_kg"):
        read_csv(path, ATHLETE_COLUMNS)
    path.write_bytes(nights[index + 1].athletes)
    assert read_csv(path, ATHLETE_COLUMNS).rows == len(nights[index + 1].athletes.splitlines()) - 1


# -- race events on the sheet -----------------------------------------------------------------


def _sheet(data: bytes) -> dict[int, dict[str, str]]:
    return {int(r["bib"]): r for r in csv.DictReader(io.StringIO(data.decode()))}


def test_the_sheet_records_who_left_the_race_and_the_rider_replaced_before_it(
    lite: tuple[Unfolding, list[Night]],
) -> None:
    u, nights = lite
    with (u.out_dir / "truth" / "stage_results.csv").open() as f:
        results = list(csv.DictReader(f))
    left: dict[int, tuple[str, str]] = {}
    for r in results:
        if r["status"] != "finished":
            left.setdefault(int(r["bib"]), (r["status"], r["stage"]))
    assert left, "the tour-lite race has riders leaving it"
    final = _sheet(nights[-1].athletes)
    assert {b: (r["status"], r["left_stage"]) for b, r in final.items() if r["left_stage"]} == left
    assert {r["status"] for b, r in final.items() if b not in left} == {"racing"}
    first_out = min(left, key=lambda b: int(left[b][1]))
    stage = int(left[first_out][1])
    k = next(i for i in range(1, u.total + 1) if u.stage_day(i)[0] == stage)
    assert _sheet(nights[k - 1].athletes)[first_out]["status"] == "racing"
    assert _sheet(nights[k].athletes)[first_out]["status"] == left[first_out][0]

    announced, racing = _sheet(nights[0].athletes), _sheet(nights[1].athletes)
    changed = [b for b in announced if announced[b] != racing[b]]
    assert len(changed) == 1
    bib = changed[0]
    assert announced[bib]["rider_name"] != racing[bib]["rider_name"]
    athlete = {r["athlete_id"] for r in results if int(r["bib"]) == bib}
    assert athlete == {racing[bib]["strava_athlete_id"]}


# -- determinism, a clean race, the command line ----------------------------------------------


PROFILE = """\
description: faults on given nights of a three-day race
faults:
  - {kind: telemetry-resent, day: 1, offset_s: -45}
  - {kind: stage-file-corrupt, day: 1, rows: 2}
  - {kind: sheet-column-renamed, day: 2, column: team, to: squad}
  - {kind: stage-file-truncated, day: 2, keep: 0.3}
  - {kind: gps-outage, day: 3, minutes: 4}
"""


def test_the_same_seed_and_profile_unfold_the_same_race(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    runs = [
        list(unfolded_race(tmp_path / name, None, scale="tiny", seed=11, faults=profile))
        for name in ("one", "two")
    ]
    one, two = ([r for _, r in run] for run in runs)
    assert [(r.index, [f.kind for f in r.faults]) for r in one] == [
        (1, ["telemetry-resent", "stage-file-corrupt"]),
        (2, ["stage-file-truncated", "sheet-column-renamed"]),
        (3, ["gps-outage"]),
    ]
    assert [[f.kind for f in r.fixed] for r in one] == [
        [],
        ["telemetry-resent", "stage-file-corrupt"],
        ["sheet-column-renamed", "stage-file-truncated"],
    ]
    for a, b in zip(one, two, strict=True):
        assert (a.faults, a.fixed, a.rows) == (b.faults, b.fixed, b.rows)
    first, second = runs[0][-1][0], runs[1][-1][0]
    for folder in ("athletes", "stages", "truth", ".unfold/telemetry"):
        assert _digest(first.out_dir / folder) == _digest(second.out_dir / folder), folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*"))}


def _without_status(data: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode())))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(r[: len(SHEET_COLUMNS)] for r in rows)
    return out.getvalue().encode()


def test_a_clean_race_on_other_routes_ends_as_the_one_shot_simulation(
    postgres_url: str, tmp_path: Path
) -> None:
    routes = tmp_path / "backwards"
    route_set("backwards", routes)
    seed = 5
    unfolded = list(
        unfolded_race(
            tmp_path / "unfolded",
            postgres_url,
            "unfold_clean",
            scale="tiny",
            seed=seed,
            faults="none",
            data_dir=routes,
        )
    )
    u = unfolded[-1][0]
    assert all(r.faults == [] == r.fixed for _, r in unfolded)
    one_shot = run_simulation(
        "tiny", seed, tmp_path / "one-shot", postgres_url, data_dir=routes, schema="oneshot"
    )
    for folder in ("stages", "truth"):
        assert _digest(u.out_dir / folder) == _digest(one_shot.out_dir / folder), folder
    assert (u.out_dir / "ATTRIBUTION.txt").read_bytes() == (
        one_shot.out_dir / "ATTRIBUTION.txt"
    ).read_bytes()
    ours, theirs = (
        json.loads((d / "manifest.json").read_text()) for d in (u.out_dir, one_shot.out_dir)
    )
    reuse = {"files", "schema", "simulator"}  # a one-shot run's, to be found again by the demo
    assert reuse <= set(theirs) and not reuse & set(ours)  # a demo never reuses an unfolded race
    assert ours == {k: v for k, v in theirs.items() if k not in reuse}
    assert (
        _without_status((u.out_dir / "athletes" / "athletes.csv").read_bytes())
        == (one_shot.out_dir / "athletes" / "athletes.csv").read_bytes()
    )
    for name in one_shot.rows_per_partition:
        ours = _source(postgres_url, "unfold_clean", name)
        more, fewer = _difference(ours, _source(postgres_url, "oneshot", name))
        assert (ours.num_rows, more.num_rows, fewer.num_rows) == (
            one_shot.rows_per_partition[name],
            0,
            0,
        ), name


def test_the_cli_starts_delivers_and_tells_the_state(postgres_url: str, tmp_path: Path) -> None:
    env = {"PELOTON_SOURCE__URL": postgres_url, "PELOTON_SOURCE__SCHEMA_NAME": "unfold_cli"}
    out = ["--out", str(tmp_path / "sources")]
    started = peloton(
        "race", "start", "--scale", "tiny", "--seed", "3", "--faults", "none", *out, env=env
    )
    assert started.returncode == 0, started.stderr
    assert "Race of 3 days (tiny, seed 3, faults none)" in started.stdout
    password = urlsplit(postgres_url).password
    assert password and password not in started.stdout + started.stderr
    state = tmp_path / "sources" / "unfold.json"
    before = state.read_bytes()
    first = peloton("race", "next-day", *out, env=env)
    assert first.returncode == 0, first.stderr
    assert "Day 1/3: stage 16" in first.stdout
    delivered = _partitions(postgres_url, "unfold_cli")
    # stopped after the telemetry's commit, before the state was written: delivered again
    state.write_bytes(before)
    again = peloton("race", "next-day", *out, env=env)
    assert "Day 1/3: stage 16" in again.stdout
    assert _partitions(postgres_url, "unfold_cli") == delivered and len(delivered) == 1
    status = peloton("race", "status", *out, env=env)
    assert "delivered       1 of 3 days" in status.stdout
    assert "no fault planned: a clean race" in status.stdout
    rest = peloton("race", "next-day", "--days", "5", *out, env=env)
    assert "Day 3/3: stage 21" in rest.stdout and "The race is over" in rest.stdout
    assert len(_partitions(postgres_url, "unfold_cli")) == 3
    over = peloton("race", "next-day", *out, env=env)
    assert over.returncode == 1 and "the race is over" in over.stderr
