"""The tiny race into a real PostgreSQL: partitions, counts, truth, atomicity, CLI errors."""

import csv
import hashlib
import json
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from cli_helpers import peloton

from racesim import simulate
from racesim.load import TelemetryLoader
from racesim.simulate import run_simulation

pytestmark = pytest.mark.integration
SEED = 5


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select tableoid::regclass::text, count(*) from race.telemetry group by 1"
        ).fetchall()
    return {name.removeprefix("race."): int(n) for name, n in rows}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def loaded(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> simulate.SimulationReport:
    out = tmp_path_factory.mktemp("sim") / "sources"
    return run_simulation("tiny", SEED, out, postgres_url)


def test_partitions_hold_what_the_simulator_reports(
    loaded: simulate.SimulationReport, postgres_url: str
) -> None:
    assert _counts(postgres_url) == loaded.rows_per_partition
    assert set(loaded.rows_per_partition) == {
        "telemetry_2023_07_18",
        "telemetry_2023_07_19",
        "telemetry_2023_07_23",
    }
    manifest = json.loads((loaded.out_dir / "manifest.json").read_text())
    assert manifest["telemetry_rows"] == loaded.rows_per_partition
    with psycopg.connect(postgres_url) as conn:
        strategy = conn.execute(
            "select partstrat from pg_partitioned_table "
            "where partrelid = 'race.telemetry'::regclass"
        ).fetchone()
        run = conn.execute("select seed, manifest from race.sim_runs").fetchone()
    assert strategy == ("r",)
    assert run is not None and run[0] == SEED


def test_truth_agrees_with_the_telemetry_in_the_database(
    loaded: simulate.SimulationReport, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as conn:
        last = {
            (int(stage), int(athlete)): at
            for stage, athlete, at in conn.execute(
                "select stage, athlete_id, max(recorded_at) from race.telemetry group by 1, 2"
            )
        }
    checked = 0
    with (loaded.out_dir / "truth" / "stage_results.csv").open() as fh:
        for row in csv.DictReader(fh):
            if not row["athlete_id"] or row["status"] != "finished":
                continue
            finished = datetime.fromisoformat(row["finished_at"])
            lag = (last[(int(row["stage"]), int(row["athlete_id"]))] - finished).total_seconds()
            assert 0 <= lag < 1, row
            checked += 1
    assert checked >= 30


def test_same_seed_same_files_and_rows(
    loaded: simulate.SimulationReport, postgres_url: str, tmp_path: Path
) -> None:
    def table_hash() -> str:
        with psycopg.connect(postgres_url) as conn:
            row = conn.execute(
                "select md5(string_agg(md5(t::text), '' order by athlete_id, recorded_at, "
                "md5(t::text))) from race.telemetry t"
            ).fetchone()
        assert row is not None
        return str(row[0])

    before = table_hash()
    again = run_simulation("tiny", SEED, tmp_path / "again", postgres_url)
    assert _digest(again.out_dir) == _digest(loaded.out_dir)
    assert table_hash() == before


def test_a_failed_load_leaves_the_previous_data_and_files(
    loaded: simulate.SimulationReport,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "kept"
    run_simulation("tiny", SEED, out, postgres_url)
    files_before, rows_before = _digest(out), _counts(postgres_url)
    original = TelemetryLoader.load_day
    calls = []

    def failing(self: TelemetryLoader, day: object, table: object) -> int:
        calls.append(day)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return original(self, day, table)  # type: ignore[arg-type]

    monkeypatch.setattr(TelemetryLoader, "load_day", failing)
    with pytest.raises(RuntimeError, match="connection lost"):
        run_simulation("tiny", SEED + 1, out, postgres_url)
    assert _digest(out) == files_before
    assert _counts(postgres_url) == rows_before
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]


def test_cli_unreachable_database_masks_the_password(tmp_path: Path) -> None:
    url = "postgresql://peloton:s3cr3t-pw@127.0.0.1:9/race"
    done = peloton(
        "sim", "--scale", "tiny", "--out", str(tmp_path / "o"), env={"PELOTON_SOURCE__URL": url}
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "s3cr3t-pw" not in output
    assert "postgresql://peloton:****@127.0.0.1:9/race" in output
    assert not (tmp_path / "o").exists()


def test_cli_unknown_scale_and_missing_route(tmp_path: Path) -> None:
    done = peloton("sim", "--scale", "huge", "--no-load", env={})
    assert done.returncode != 0
    assert "unknown scale 'huge'; expected one of tiny, small, full" in done.stderr
    routes = tmp_path / "routes-data"
    (routes / "routes").mkdir(parents=True)
    stages = Path(simulate.__file__).parent / "data" / "tdf-2023" / "stages.csv"
    (routes / "stages.csv").write_text(stages.read_text(encoding="utf-8"), encoding="utf-8")
    done = peloton(
        "sim",
        "--scale",
        "tiny",
        "--no-load",
        "--routes",
        str(routes),
        "--out",
        str(tmp_path / "o"),
        env={},
    )
    assert done.returncode != 0
    assert "stage-16.csv: route file not found" in done.stderr
    assert not (tmp_path / "o").exists()
