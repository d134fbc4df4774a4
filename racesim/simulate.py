"""A whole simulation run: race, files, telemetry load. Used by `peloton sim` and the demo."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from racesim import files
from racesim.athletes import Rider, make_riders
from racesim.checkpoints import stage_checkpoints
from racesim.climbs import detect_climbs
from racesim.errors import SimulationError
from racesim.load import open_loader, partition_name
from racesim.race import StageRace, StageSimulator
from racesim.reuse import files_digest, simulator_digest
from racesim.routes import Route, load_route, load_stages, resample
from racesim.scales import get_scale
from racesim.sheets import write_athletes
from racesim.telemetry import stage_telemetry
from racesim.truth import (
    ClimbTime,
    GCEntry,
    GeneralClassification,
    StageResult,
    climb_times,
    stage_results,
)

Progress = Callable[[str, int, int], None]
"""Called with (what, done, total) as the run advances."""


@dataclass
class Race:
    """The simulated race and its ground truth, before anything is written."""

    scale: str
    riders: list[Rider]
    routes: dict[int, Route]
    stages: list[StageRace]
    results: list[StageResult] = field(default_factory=list)
    climbs: list[ClimbTime] = field(default_factory=list)
    gc: list[GCEntry] = field(default_factory=list)


@dataclass
class SimulationReport:
    """What a run produced; the same figures are in the output's manifest.json."""

    out_dir: Path
    scale: str
    seed: int
    stages: list[int]
    riders: int
    strava_riders: int
    rows_per_partition: dict[str, int]
    seconds: float
    ingest_seconds: float | None
    """Seconds the database spent ingesting (None when nothing was loaded)."""

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_partition.values())


def simulate_race(scale_name: str, seed: int, data_dir: Path | None = None) -> Race:
    """Ride every stage of the scale in order; riders who leave the race start no more stages."""
    scale = get_scale(scale_name)
    infos = {s.stage: s for s in load_stages(data_dir)}
    missing = [s for s in scale.stages if s not in infos]
    if missing:
        raise SimulationError(f"stages.csv has no stage {missing}; scale {scale.name} needs them")
    riders = make_riders(scale.teams, seed)
    race = Race(scale=scale.name, riders=riders, routes={}, stages=[])
    gc = GeneralClassification()
    out: set[int] = set()
    for number in scale.stages:
        route = load_route(number, data_dir)
        course = resample(route)
        stage = StageSimulator(infos[number], course, detect_climbs(course), seed).run(
            [r for r in riders if r.bib not in out], gc.order([r.bib for r in riders])
        )
        results = stage_results(stage)
        race.routes[number] = route
        race.stages.append(stage)
        race.results += results
        race.climbs += climb_times(stage, stage_checkpoints(stage, route))
        race.gc += gc.add_stage(results)
        out |= {r.bib for r in results if r.status != "finished"}
    return race


def write_files(race: Race, folder: Path) -> None:
    """Athletes sheet export, stage files and index, ground truth, licence."""
    write_athletes(race.riders, folder / "athletes")
    stages_dir = folder / "stages"
    stages_dir.mkdir(parents=True)
    for stage in race.stages:
        route = race.routes[stage.info.stage]
        files.write_stage_file(
            stages_dir / f"stage-{stage.info.stage:02d}.csv", route, stage_checkpoints(stage, route)
        )
    files.write_stage_index(stages_dir / "stages.csv", race.stages, race.routes)
    files.write_truth(folder / "truth", race.results, race.climbs, race.gc)
    files.write_attribution(folder)


def load_telemetry(
    race: Race, seed: int, url: str, progress: Progress | None = None, schema: str = "race"
) -> tuple[dict[str, int], float]:
    """Sample and load every stage's telemetry in one transaction.

    Returns the rows per partition and the seconds spent in the database's ingest. The next
    stage is sampled in a worker thread while the current one is ingested, so the simulator's
    numpy work and the server's COPY overlap.
    """
    total = len(race.stages)
    with open_loader(url, schema) as loader, ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[pa.Table] | None = pool.submit(stage_telemetry, race.stages[0], seed)
        for i, stage in enumerate(race.stages):
            assert pending is not None
            table = pending.result()
            pending = (
                pool.submit(stage_telemetry, race.stages[i + 1], seed) if i + 1 < total else None
            )
            loader.load_day(stage.info.date, table)
            del table
            if progress:
                progress(f"stage {stage.info.stage} loaded", i + 1, total)
        loader.record_run(seed, race.scale, {"telemetry_rows": loader.rows})
        return dict(loader.rows), loader.ingest_seconds


def count_telemetry(race: Race, seed: int) -> dict[str, int]:
    """Rows per partition without a database (sampling only)."""
    return {partition_name(s.info.date): stage_telemetry(s, seed).num_rows for s in race.stages}


def run_simulation(
    scale_name: str,
    seed: int,
    out_dir: Path,
    url: str | None,
    progress: Progress | None = None,
    data_dir: Path | None = None,
    schema: str = "race",
) -> SimulationReport:
    """Simulate, write the files beside `out_dir`, load the database, then swap the files in.

    Files are written to a sibling folder and renamed into place only once the database load
    has committed: an interrupted run leaves the previous output (and data) as they were.
    """
    started = time.perf_counter()
    get_scale(scale_name)
    out_dir = out_dir.resolve()
    partial = fresh_partial(out_dir)
    try:
        race = simulate_race(scale_name, seed, data_dir)
        if progress:
            progress("race simulated", 0, len(race.stages))
        write_files(race, partial)
        ingest_s: float | None = None
        if url is not None:
            rows, ingest_s = load_telemetry(race, seed, url, progress, schema)
        else:
            rows = count_telemetry(race, seed)
        report = SimulationReport(
            out_dir=out_dir,
            scale=scale_name,
            seed=seed,
            stages=[s.info.stage for s in race.stages],
            riders=len(race.riders),
            strava_riders=sum(r.strava_athlete_id is not None for r in race.riders),
            rows_per_partition=rows,
            seconds=0.0,
            ingest_seconds=ingest_s,
        )
        files.write_manifest(
            partial / "manifest.json",
            {
                "scale": scale_name,
                "seed": seed,
                "stages": report.stages,
                "riders": report.riders,
                "strava_riders": report.strava_riders,
                "telemetry_rows": rows,
                "telemetry_rows_total": report.total_rows,
                "loaded": url is not None,
                "schema": schema,
                "simulator": simulator_digest(),
                "files": files_digest(partial),
            },
        )
        swap_in(partial, out_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def fresh_partial(out_dir: Path) -> Path:
    """An empty folder beside `out_dir` to write a run into, before `swap_in`."""
    partial = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    return partial


def swap_in(partial: Path, out_dir: Path) -> None:
    """Put `partial` in the place of `out_dir`, the old folder removed."""
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        out_dir.rename(old)
    partial.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
