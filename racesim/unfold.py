"""The race unfolding day by day: the sources receive one stage day per delivery, with faults.

`Unfolding.create` simulates the whole race once (deterministic for the seed) and keeps it as
the plan, in `OUT/.unfold/`: the files `peloton sim` would write and each stage's telemetry as
Parquet. The sources start as before the first stage: the athletes sheet (the start list as
announced), an empty stages folder, a truth with no stage, and a telemetry table without
partitions. Each `next_day` publishes the next stage day: its telemetry partition, its stage
file and line of the index, the sheet with the riders who left the race, the truth of the
stages so far; and the faults of the profile (racesim/faults.py) planned for that night, and
the repairs of earlier ones. The state is `OUT/unfold.json`.

Race events that are no faults: one rider on the announced start list is replaced before the
first stage (the first delivery's sheet has the rider who races), and the sheet records the
riders who left the race (columns `status` and `left_stage`, after the usual ones).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from racesim import fault_effects
from racesim.athletes import GIVEN_NAMES, SHEET_COLUMNS, SURNAMES, Rider, make_riders
from racesim.errors import SimulationError
from racesim.faults import (
    DEFAULT_PROFILE,
    KINDS,
    NO_FAULTS,
    Planned,
    load_profile,
    schedule,
)
from racesim.files import write_attribution, write_manifest
from racesim.load import open_loader, partition_name
from racesim.scales import get_scale
from racesim.sheets import Table, write_sheet
from racesim.simulate import Progress, fresh_partial, simulate_race, swap_in, write_files
from racesim.telemetry import stage_telemetry

STATE_FILE = "unfold.json"
PLAN_DIR = ".unfold"
URL_FILE = "source.url"
STATUS_COLUMNS = ("status", "left_stage")
"""Columns the unfolding sheet adds after the usual ones: who left the race, at which stage."""
RACING = "racing"
TRUTH_FILES = ("stage_results.csv", "climb_times.csv", "general_classification.csv")


@dataclass(frozen=True)
class Fault:
    """A fault in the sources: its kind, the source and night it hit, what the pipeline should
    show (`expect`). `source-restart` is acted out by whoever runs the pipeline that night."""

    kind: str
    source: str
    day: date
    detail: str
    expect: str

    def to_json(self) -> dict[str, str]:
        return {**asdict(self), "day": self.day.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Fault:
        return cls(**{**data, "day": date.fromisoformat(data["day"])})  # type: ignore[arg-type]


@dataclass(frozen=True)
class DayReport:
    """One delivery: the stage day published, the faults it brought, the earlier ones it fixed."""

    index: int
    stage: int
    day: date
    faults: list[Fault]
    fixed: list[Fault]
    rows: dict[str, int] = field(default_factory=dict)
    """Telemetry rows delivered tonight per partition (a late day's rest under its own)."""
    seconds: float = 0.0


def _dump(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Unfolding:
    """A race delivered to the sources one stage day at a time."""

    def __init__(self, out_dir: Path, state: dict[str, Any], source_url: str | None) -> None:
        self.out_dir = out_dir
        self.state = state
        self.source_url = source_url
        self.plan_dir = out_dir / PLAN_DIR
        self.planned = [Planned.from_json(p) for p in state["planned"]]
        self._bad_stage_files: dict[str, bytes] = {}
        """Tonight's faulty stage files, by name, until they are written."""
        self.published_sheet: Table | None = None
        """The athletes sheet as this process last wrote it (a renamed column included), to
        push to the Google Sheet; None before a delivery or `create`."""

    # -- creating and opening ----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        out_dir: Path,
        scale: str,
        seed: int,
        source_url: str | None,
        schema: str = "race",
        faults: str | Path | None = None,
        data_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> Unfolding:
        """Simulate the race, keep it as the plan, and lay the sources as before the first stage.

        `faults`: `default` (the packaged profile), `none` or None (a clean race), or a YAML
        file. The folder `out_dir` is replaced once the telemetry table is reset.
        """
        get_scale(scale)
        specs = load_profile(faults)
        out_dir = out_dir.resolve()
        partial = fresh_partial(out_dir)
        try:
            race = simulate_race(scale, seed, data_dir)
            total = len(race.stages)
            planned = schedule(specs, total, seed)
            plan = partial / PLAN_DIR
            write_files(race, plan / "race")
            (plan / "telemetry").mkdir()
            for i, stage in enumerate(race.stages):
                pq.write_table(
                    stage_telemetry(stage, seed),
                    plan / "telemetry" / f"stage-{stage.info.stage:02d}.parquet",
                    compression="zstd",
                )
                if progress:
                    progress(f"stage {stage.info.stage} planned", i + 1, total)
            if source_url is not None:
                url_file = plan / URL_FILE
                url_file.touch(mode=0o600)
                url_file.write_text(source_url, encoding="utf-8")
            state: dict[str, Any] = {
                "scale": scale,
                "seed": seed,
                "schema": schema,
                "faults": str(faults if faults is not None else NO_FAULTS),
                "data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
                "loaded": source_url is not None,
                "days": [
                    {"stage": s.info.stage, "date": s.info.date.isoformat()} for s in race.stages
                ],
                "riders": len(race.riders),
                "strava_riders": sum(r.strava_athlete_id is not None for r in race.riders),
                "replaced_bib": _replaced_bib(race.riders, seed),
                "planned": [p.to_json() for p in planned],
                "happened": {},
                "delivered": 0,
                "run": uuid.uuid4().hex,
                "rows": {},
                "deliveries": [],
            }
            unfolding = cls(partial, state, source_url)
            unfolding._publish_files(0)
            unfolding._write_manifest(partial, 0)
            write_attribution(partial)
            _dump(partial / STATE_FILE, state)
            if source_url is not None:
                with open_loader(source_url, schema) as loader:
                    loader.record_run(
                        seed,
                        scale,
                        {"unfold": state["run"], "faults": state["faults"], "days": total},
                    )
            swap_in(partial, out_dir)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        created = cls(out_dir, state, source_url)
        created.published_sheet = unfolding.published_sheet
        return created

    @classmethod
    def open(cls, out_dir: Path, source_url: str | None = None) -> Unfolding:
        """The unfolding in `out_dir`; the database is the one given at `create` unless
        `source_url` names it."""
        out_dir = Path(out_dir).resolve()
        path = out_dir / STATE_FILE
        if not path.is_file():
            raise SimulationError(
                f"{path}: no unfolding race there; `peloton race start` begins one"
            )
        state = json.loads(path.read_text(encoding="utf-8"))
        url_file = out_dir / PLAN_DIR / URL_FILE
        if source_url is None and state["loaded"] and url_file.is_file():
            source_url = url_file.read_text(encoding="utf-8")
        return cls(out_dir, state, source_url if state["loaded"] else None)

    # -- what is known ------------------------------------------------------------------------

    @property
    def delivered(self) -> int:
        return int(self.state["delivered"])

    @property
    def total(self) -> int:
        return len(self.state["days"])

    @property
    def scale(self) -> str:
        return str(self.state["scale"])

    @property
    def seed(self) -> int:
        return int(self.state["seed"])

    def stage_day(self, index: int) -> tuple[int, date]:
        """Stage number and date of delivery `index` (1-based)."""
        day = self.state["days"][index - 1]
        return int(day["stage"]), date.fromisoformat(day["date"])

    @property
    def rows(self) -> dict[str, int]:
        """Telemetry rows in each source partition now."""
        return dict(self.state["rows"])

    def faults(self) -> list[Fault]:
        """Every fault that has happened so far, in order."""
        happened = self.state["happened"]
        return [Fault.from_json(happened[k]) for k in sorted(happened, key=int)]

    def planned_faults(self) -> list[tuple[int, str, str]]:
        """Every fault of the plan: (delivery, kind, source)."""
        return [(p.index, p.kind, p.source) for p in sorted(self.planned, key=lambda p: p.index)]

    def deliveries(self) -> list[dict[str, Any]]:
        return list(self.state["deliveries"])

    # -- a delivery ---------------------------------------------------------------------------

    def next_day(self) -> DayReport:
        """Deliver the next stage day into the sources, with its faults and repairs."""
        if self.delivered >= self.total:
            raise SimulationError(
                f"{self.out_dir}: all {self.total} days are delivered; the race is over"
            )
        started = time.perf_counter()
        k = self.delivered + 1
        stage, day = self.stage_day(k)
        tonight = [p for p in self.planned if p.index == k]
        repairs = [p for p in self.planned if p.repair_index == k]
        faults: list[Fault] = []
        rows = self._deliver_telemetry(k, tonight, repairs, faults)
        for p in tonight:
            if p.source == "stages":
                detail = self._fault_stage_file(k, p)
                faults.append(self._fault(p, day, detail))
            elif p.kind == "source-restart":
                detail = "restart PostgreSQL while the night's extract reads the day"
                faults.append(self._fault(p, day, detail))
        sheet = next((p for p in tonight if p.source == "athletes"), None)
        if sheet is not None:
            faults.append(self._fault(p=sheet, day=day, detail=self._rename_detail(sheet)))
        self._publish_files(k, sheet)
        for p in tonight:
            self.state["happened"][str(p.number)] = next(
                f.to_json() for f in faults if f.kind == p.kind
            )
        fixed = [Fault.from_json(self.state["happened"][str(p.number)]) for p in repairs]
        self.state["delivered"] = k
        seconds = time.perf_counter() - started
        self.state["deliveries"].append(
            {"index": k, "stage": stage, "rows": rows, "seconds": round(seconds, 3)}
        )
        self._write_manifest(self.out_dir, k)
        _dump(self.out_dir / STATE_FILE, self.state)
        return DayReport(k, stage, day, faults, fixed, rows, seconds)

    def _fault(self, p: Planned, day: date, detail: str) -> Fault:
        return Fault(p.kind, p.source, day, detail, p.expect)

    def _rng(self, p: Planned) -> np.random.Generator:
        return np.random.default_rng([self.seed, 7, p.number])

    def _telemetry(self, index: int) -> pa.Table:
        stage, _ = self.stage_day(index)
        return pq.read_table(self.plan_dir / "telemetry" / f"stage-{stage:02d}.parquet")

    def _deliver_telemetry(
        self, k: int, tonight: list[Planned], repairs: list[Planned], faults: list[Fault]
    ) -> dict[str, int]:
        """Tonight's partition (with tonight's telemetry fault) and the repairs of earlier days,
        in one transaction; the rows delivered per partition."""
        _, day = self.stage_day(k)
        table = self._telemetry(k)
        for p in tonight:
            if p.source != "telemetry" or p.kind == "source-restart":
                continue
            table, detail = self._telemetry_fault(p, table)
            faults.append(self._fault(p, day, detail))
        ops: list[tuple[str, date, pa.Table]] = [("create", day, table)]
        for p in repairs:
            if p.source != "telemetry":
                continue
            _, fault_day = self.stage_day(p.index)
            clean = self._telemetry(p.index)
            if p.kind == "telemetry-late":
                rest = fault_effects.late_split(clean, p.params["share"])[1]
                ops.append(("append", fault_day, rest))
            else:
                ops.append(("replace", fault_day, clean))
        if self.source_url is not None:
            with open_loader(self.source_url, self.state["schema"], replace=False) as loader:
                actions = {
                    "create": loader.load_day,
                    "append": loader.append_day,
                    "replace": loader.replace_day,
                }
                # a delivery whose telemetry committed but whose files were not all written
                # (the process stopped) is delivered again: its telemetry is not
                night = f"{self.state['run']}/{k}"
                if not loader.has_run("unfold_night", night):
                    for op, when, data in ops:
                        actions[op](when, data)
                    loader.record_run(self.seed, self.scale, {"unfold_night": night})
        rows: dict[str, int] = {}
        for op, when, data in ops:
            name = partition_name(when)
            rows[name] = data.num_rows
            before = 0 if op == "replace" else self.state["rows"].get(name, 0)
            self.state["rows"][name] = before + data.num_rows
        return rows

    def _telemetry_fault(self, p: Planned, table: pa.Table) -> tuple[pa.Table, str]:
        rng = self._rng(p)
        if p.kind == "telemetry-late":
            tonight, _, detail = fault_effects.late_split(table, p.params["share"])
            return tonight, detail
        if p.kind == "telemetry-duplicates":
            return fault_effects.duplicated(table, p.params["share"], rng)
        if p.kind == "gps-outage":
            return fault_effects.gps_outage(table, p.params["minutes"], rng)
        if p.kind == "telemetry-resent":
            changed, detail = fault_effects.clock_offset(table, p.params["offset_s"], rng)
            return changed, f"{detail}, {p.params['after']} delivery(ies) later"
        raise SimulationError(f"{p.kind}: not a telemetry fault")

    def _fault_stage_file(self, k: int, p: Planned) -> str:
        stage, _ = self.stage_day(k)
        name = f"stage-{stage:02d}.csv"
        data = (self.plan_dir / "race" / "stages" / name).read_bytes()
        if p.kind == "stage-file-truncated":
            bad, detail = fault_effects.truncated(data, p.params["keep"])
        else:
            bad, detail = fault_effects.corrupted(data, p.params["rows"], self._rng(p))
        self._bad_stage_files[name] = bad
        return f"stages/{name}: {detail}; whole again the next night"

    def _rename_detail(self, p: Planned) -> str:
        return (
            f"athletes sheet: column {p.params['column']!r} renamed {p.params['to']!r}; "
            "named again the next night"
        )

    # -- the files ----------------------------------------------------------------------------

    def _publish_files(self, k: int, sheet_fault: Planned | None = None) -> None:
        """The files as after delivery `k`: sheet, stage files and index, truth, manifest."""
        out, plan = self.out_dir, self.plan_dir / "race"
        header, rows = self.sheet_table(k)
        if sheet_fault is not None:
            column, to = sheet_fault.params["column"], sheet_fault.params["to"]
            header = [to if c == column else c for c in header]
        self.published_sheet = (header, rows)
        write_sheet(self.published_sheet, out / "athletes")
        stages_dir = out / "stages"
        stages_dir.mkdir(parents=True, exist_ok=True)
        delivered = {self.stage_day(i)[0] for i in range(1, k + 1)}
        if k:
            stage, _ = self.stage_day(k)
            for number in (stage, *self._repaired_stage_files(k)):
                name = f"stage-{number:02d}.csv"
                data = self._bad_stage_files.pop(name, None)
                _write_bytes(stages_dir / name, data or (plan / "stages" / name).read_bytes())
            _write_bytes(
                stages_dir / "stages.csv", _keep_stages(plan / "stages" / "stages.csv", delivered)
            )
        (out / "truth").mkdir(parents=True, exist_ok=True)
        for name in TRUTH_FILES:
            _write_bytes(out / "truth" / name, _keep_stages(plan / "truth" / name, delivered))

    def _repaired_stage_files(self, k: int) -> list[int]:
        return [
            self.stage_day(p.index)[0]
            for p in self.planned
            if p.source == "stages" and p.repair_index == k
        ]

    def _write_manifest(self, out: Path, k: int) -> None:
        rows = self.state["rows"]
        write_manifest(
            out / "manifest.json",
            {
                "scale": self.scale,
                "seed": self.seed,
                "stages": [self.stage_day(i)[0] for i in range(1, k + 1)],
                "riders": self.state["riders"],
                "strava_riders": self.state["strava_riders"],
                "telemetry_rows": rows,
                "telemetry_rows_total": sum(rows.values()),
                "loaded": self.state["loaded"],
            },
        )

    def sheet_table(self, k: int | None = None) -> Table:
        """The athletes sheet after delivery `k` (default: the last one), without faults."""
        k = self.delivered if k is None else k
        riders = make_riders(get_scale(self.scale).teams, self.seed)
        if k == 0:
            bib = int(self.state["replaced_bib"])
            riders = [announced_rider(r, riders, self.seed) if r.bib == bib else r for r in riders]
        delivered = {self.stage_day(i)[0] for i in range(1, k + 1)}
        left = self._left_race(delivered)
        rows = [[*r.sheet_row().values(), *left.get(r.bib, (RACING, None))] for r in riders]
        return (*SHEET_COLUMNS, *STATUS_COLUMNS), rows

    def _left_race(self, stages: set[int]) -> dict[int, tuple[str, int]]:
        """Riders out of the race after `stages`: bib -> (status, stage they left in)."""
        out: dict[int, tuple[str, int]] = {}
        with (self.plan_dir / "race" / "truth" / "stage_results.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                bib, stage = int(row["bib"]), int(row["stage"])
                if stage in stages and row["status"] != "finished" and bib not in out:
                    out[bib] = (row["status"], stage)
        return out


def _keep_stages(path: Path, stages: set[int]) -> bytes:
    """A CSV of the plan whose first column is the stage, with only the lines of `stages`."""
    lines = path.read_bytes().split(b"\n")
    kept = [lines[0]] + [
        line for line in lines[1:] if line and int(line.split(b",", 1)[0]) in stages
    ]
    return b"\n".join(kept) + b"\n"


def _replaced_bib(riders: list[Rider], seed: int) -> int:
    """The rider replaced before the first stage: a domestique drawn from the seed."""
    rng = np.random.default_rng([seed, 8])
    pool = [r.bib for r in riders if r.role == "domestique"] or [r.bib for r in riders]
    return int(rng.choice(pool))


def announced_rider(racer: Rider, riders: list[Rider], seed: int) -> Rider:
    """The rider first announced in `racer`'s place: another name, body and Strava id."""
    rng = np.random.default_rng([seed, 9])
    taken = {r.rider_name for r in riders}
    names = [f"{g} {s}" for g in GIVEN_NAMES for s in SURNAMES if f"{g} {s}" not in taken]
    ids = {r.strava_athlete_id for r in riders}
    strava = None
    if racer.strava_athlete_id is not None:
        strava = next(i for i in map(int, rng.integers(10**7, 10**8, 10)) if i not in ids)
    return replace(
        racer,
        rider_name=names[int(rng.integers(len(names)))],
        birth_date=racer.birth_date - timedelta(days=int(rng.integers(200, 2000))),
        height_cm=racer.height_cm + int(rng.integers(-6, 7)),
        weight_kg=round(racer.weight_kg + float(rng.normal(0, 2)), 1),
        strava_athlete_id=strava,
    )


__all__ = ["DEFAULT_PROFILE", "KINDS", "NO_FAULTS", "DayReport", "Fault", "Unfolding"]
