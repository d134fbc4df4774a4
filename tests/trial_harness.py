"""Kill trials: the pipeline killed with SIGKILL at seeded points of each phase, then run again.

A trial runs the pipeline (tests/trial_pipeline.py, the steps of `peloton run`) in a child
process on a fresh lakehouse, waits for the phase it aims at to start, sleeps a delay drawn by
a seeded generator within that phase's duration in an uninterrupted run, and kills the child
with SIGKILL. A normal run follows; the lakehouse must then hold the same tables as an
uninterrupted run's, compared by content (every row of every table, lineage columns aside).

Meanwhile a reader polls the catalog as Trino or pyiceberg would (each table's `main`, all
tables' current metadata read in one statement) and records what docs/reliability.md says it
may never see:

- a raw table's part (a telemetry day, a stage's routes, the stages index, the athletes) with
  other rows than it has whole;
- quarantined rows that are not the uninterrupted run's (a part's quarantine may be seen
  before its data: it is committed first);
- staging and the marts not all of one run: every staging and mart table is either as before
  the run (empty here) or as the run published it.

Used by tests/trials/test_kill_trials.py (a seeded subset) and bench/trials.py (the sweep).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import StaticTable
from sqlalchemy import text

from lakehouse.catalog import catalog_properties
from lakehouse.lake.gif_tables import GIF_EXPORTS
from lakehouse.settings import Settings

PIPELINE = Path(__file__).with_name("trial_pipeline.py")
PHASES = ("files", "telemetry", "staging", "marts", "publish")
LINEAGE = ("_loaded_at", "_source", "_batch_id")
QUARANTINE = "raw.quarantine"
RUN_TIMEOUT_S = 600.0
POLL_S = 0.2

# what a reader sees of one table: rows per partition (one key for an unpartitioned table)
Parts = dict[str, int]


@dataclass(frozen=True)
class Race:
    """The simulated race a trial lands: its source database and files."""

    url: str
    schema: str
    sources: Path


def lakehouse_env(race: Race, home: Path) -> dict[str, str]:
    """PELOTON_* variables of a fresh lakehouse under `home` (its own catalog name)."""
    return {
        "PELOTON_HOME": str(home),
        "PELOTON_SOURCE__URL": race.url,
        "PELOTON_SOURCE__SCHEMA_NAME": race.schema,
        "PELOTON_FILES__SOURCES_DIR": str(race.sources),
        # one catalog per lakehouse: its rows outlive a trial's folder in the source database
        "PELOTON_CATALOG__NAME": f"trial_{hashlib.sha256(str(home).encode()).hexdigest()[:16]}",
    }


def settings_of(env: Mapping[str, str]) -> Settings:
    return Settings(
        home=env["PELOTON_HOME"],
        source={
            "url": env["PELOTON_SOURCE__URL"],
            "schema_name": env["PELOTON_SOURCE__SCHEMA_NAME"],
        },
        files={"sources_dir": env["PELOTON_FILES__SOURCES_DIR"]},
        catalog={"name": env["PELOTON_CATALOG__NAME"]},
    )


def sql_catalog(env: Mapping[str, str]) -> SqlCatalog:
    settings = settings_of(env)
    return SqlCatalog(settings.catalog.name, **catalog_properties(settings))


class PipelineRun:
    """The pipeline in a child process; its phase lines are read as they come, with times."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.started = time.monotonic()
        self.child = subprocess.Popen(
            [sys.executable, str(PIPELINE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        self.lines: list[tuple[float, str]] = []
        self.stderr = ""
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.child.stdout is not None
        for line in self.child.stdout:
            with self._changed:
                self.lines.append((time.monotonic() - self.started, line.strip()))
                self._changed.notify_all()
        with self._changed:
            self.lines.append((time.monotonic() - self.started, "eof"))
            self._changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.child.stderr is not None
        self.stderr = self.child.stderr.read()

    def wait_for(self, line: str) -> bool:
        """Until the child prints `line` (True) or ends without it (False)."""
        with self._changed:
            while True:
                said = [text for _, text in self.lines]
                if line in said:
                    return True
                if "eof" in said:
                    return False
                self._changed.wait(timeout=5)

    def finish(self) -> int:
        code = self.child.wait(timeout=RUN_TIMEOUT_S)
        for reader in self._readers:
            reader.join(timeout=30)
        return code

    def kill(self) -> None:
        self.child.send_signal(signal.SIGKILL)
        self.finish()

    def last_phase(self) -> str:
        """The last phase the child announced (or `done`, `start` if none)."""
        said = [t for _, t in self.lines if t.startswith("phase ") or t == "done"]
        return said[-1].removeprefix("phase ") if said else "start"

    def phase_times(self) -> dict[str, float]:
        return {
            t.removeprefix("phase "): at
            for at, t in self.lines
            if t.startswith("phase ") or t == "done"
        }


def run_to_end(env: Mapping[str, str]) -> PipelineRun:
    """A normal run; it must succeed."""
    run = PipelineRun(env)
    code = run.finish()
    if code != 0 or not run.wait_for("done"):
        raise AssertionError(f"the pipeline failed (exit {code}):\n{run.stderr[-3000:]}")
    return run


def _sorted(data: pa.Table) -> pa.Table:
    keys = [
        (name, "ascending")
        for name in data.column_names
        if not pa.types.is_nested(data.schema.field(name).type)
    ]
    return data.sort_by(keys) if keys else data


def contents(env: Mapping[str, str]) -> dict[str, pa.Table]:
    """Every table's rows on main, lineage columns aside, in one order; the flyby exports'
    index left out: a consumer's output (`peloton run` renders them, the trial's pipeline does
    not), its rows stamped with their render time."""
    catalog = sql_catalog(env)
    found = {}
    for namespace in ("raw", "staging", "marts"):
        for identifier in catalog.list_tables(namespace):
            name = ".".join(identifier)
            if name == GIF_EXPORTS.name:
                continue
            data = catalog.load_table(identifier).scan().to_arrow()
            kept = [c for c in data.column_names if c not in LINEAGE]
            found[name] = _sorted(data.select(kept))
    return found


def differences(expected: Mapping[str, pa.Table], found: Mapping[str, pa.Table]) -> list[str]:
    """What differs between two lakehouses' contents, one line per table."""
    problems = []
    for name in sorted(set(expected) | set(found)):
        if name not in found or name not in expected:
            problems.append(
                f"{name}: only in {'the reference' if name in expected else 'the trial'}"
            )
        elif not found[name].equals(expected[name]):
            problems.append(
                f"{name}: {found[name].num_rows} rows, expected {expected[name].num_rows}"
                " (or the same count with other values)"
            )
    return problems


def _parts(name: str, table: StaticTable, snapshot_id: int) -> Parts:
    if name == QUARANTINE:
        rows = table.scan(snapshot_id=snapshot_id).to_arrow()
        columns = (rows[c].to_pylist() for c in ("source", "location", "reason"))
        rejected = Counter("|".join(map(str, row)) for row in zip(*columns, strict=True))
        return dict(rejected)
    listed = table.inspect.partitions(snapshot_id=snapshot_id)
    counts = listed["record_count"].to_pylist()
    if "partition" not in listed.column_names:
        return {"": sum(counts)} if sum(counts) else {}
    parts = [str(p) for p in listed["partition"].to_pylist()]
    return {k: n for k, n in zip(parts, counts, strict=True) if n}


class Reader:
    """Polls what a reader of `main` sees, every table read at one instant."""

    def __init__(self, env: Mapping[str, str]) -> None:
        settings = settings_of(env)
        self.catalog_name = settings.catalog.name
        self.properties = catalog_properties(settings)
        self.catalog = SqlCatalog(self.catalog_name, **self.properties)
        self._cache: dict[str, Parts] = {}

    def look(self) -> dict[str, Parts]:
        """Each table's rows per part on main, as of one statement over the catalog's rows."""
        query = text(
            "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables"
            " WHERE catalog_name = :name"
        )
        with self.catalog.engine.connect() as connection:
            rows = connection.execute(query, {"name": self.catalog_name}).all()
        seen = {}
        for namespace, name, location in rows:
            if location not in self._cache:  # metadata files are never rewritten
                self._cache[location] = self._main_parts(f"{namespace}.{name}", location)
            seen[f"{namespace}.{name}"] = self._cache[location]
        return seen

    def _main_parts(self, name: str, location: str) -> Parts:
        table = StaticTable.from_metadata(location, self.properties)
        ref = table.metadata.refs.get("main")
        return {} if ref is None else _parts(name, table, ref.snapshot_id)


def violations(seen: Mapping[str, Parts], expected: Mapping[str, Parts]) -> list[str]:
    """What docs/reliability.md says a reader of main never sees, in one look."""
    found = []
    for name, parts in seen.items():
        if not name.startswith("raw."):
            continue
        whole = expected.get(name, {})
        for part, rows in parts.items():
            if name == QUARANTINE and rows > whole.get(part, 0):
                found.append(f"{name}: quarantined row not in an uninterrupted run: {part}")
            elif name != QUARANTINE and rows != whole.get(part):
                found.append(f"{name}: part {part} has {rows} rows, whole it has {whole.get(part)}")
    published = {n for n in expected if not n.startswith("raw.")}
    states = {
        n: "before" if not seen.get(n) else "run" if seen[n] == expected[n] else "other"
        for n in published
    }
    if len(set(states.values())) > 1 or "other" in states.values():
        mixed = ", ".join(f"{n}: {s}" for n, s in sorted(states.items()))
        found.append(f"staging and marts not all of one run: {mixed}")
    return found


@dataclass
class Poller:
    """A Reader in a thread, looking until stopped; it keeps the violations it saw."""

    env: Mapping[str, str]
    expected: Mapping[str, Parts]
    looks: int = 0
    seen_violations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._reader = Reader(self.env)

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                seen = self._reader.look()
            except Exception as exc:  # a reader must always be able to read main
                problem = f"reader failed: {type(exc).__name__}: {exc}"
                if problem not in self.seen_violations:
                    self.seen_violations.append(problem)
                self._stop.wait(POLL_S)
                continue
            self.looks += 1
            for problem in violations(seen, self.expected):
                if problem not in self.seen_violations:
                    self.seen_violations.append(problem)
            self._stop.wait(POLL_S)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)


@dataclass(frozen=True)
class Reference:
    """An uninterrupted run: its tables, what a reader sees at its end, its phases' times."""

    tables: dict[str, pa.Table]
    parts: dict[str, Parts]
    phase_s: dict[str, float]


def reference_run(race: Race, home: Path) -> Reference:
    env = lakehouse_env(race, home)
    run = run_to_end(env)
    times = run.phase_times()
    order = [*PHASES, "done"]
    durations = {p: times[order[i + 1]] - times[p] for i, p in enumerate(PHASES)}
    return Reference(contents(env), Reader(env).look(), durations)


@dataclass(frozen=True)
class Trial:
    """One kill and what followed it."""

    phase: str
    delay_s: float
    killed_in: str  # the phase the child was in when it died (`done`: it finished first)
    converged: bool
    differences: list[str]
    violations: list[str]
    looks: int
    killed_s: float
    recovery_s: float


def kill_trial(race: Race, reference: Reference, phase: str, delay_s: float, home: Path) -> Trial:
    """Kill the pipeline `delay_s` after `phase` starts, then run it again and compare."""
    env = lakehouse_env(race, home)
    with Poller(env, reference.parts) as poller:
        run = PipelineRun(env)
        if not run.wait_for(f"phase {phase}"):
            raise AssertionError(f"the pipeline ended before {phase}:\n{run.stderr[-3000:]}")
        time.sleep(delay_s)
        run.kill()
        killed_s = time.monotonic() - run.started
        killed_in = run.last_phase()
        started = time.monotonic()
        run_to_end(env)
        recovery_s = time.monotonic() - started
    found = differences(reference.tables, contents(env))
    shutil.rmtree(home, ignore_errors=True)
    return Trial(
        phase,
        delay_s,
        killed_in,
        not found,
        found,
        poller.seen_violations,
        poller.looks,
        killed_s,
        recovery_s,
    )


def seeded_trials(
    race: Race,
    reference: Reference,
    phase: str,
    rng: random.Random,
    home: Path,
    report: Callable[[Trial], Any] = lambda trial: None,
) -> list[Trial]:
    """Kills at a point the generator draws within `phase` (its duration uninterrupted).

    If the child had left the phase when the kill came (a phase faster than in the
    reference), another kill follows with half the delay, down to none; every kill is a
    trial, checked like the others (the last one died in the phase).
    """
    delay = rng.uniform(0.0, reference.phase_s[phase])
    trials: list[Trial] = []
    while True:
        trial = kill_trial(race, reference, phase, delay, home / f"{phase}-{len(trials)}")
        report(trial)
        trials.append(trial)
        if trial.killed_in == phase or delay == 0.0:
            return trials
        delay = 0.0 if len(trials) >= 3 else delay / 2


def sweep(
    race: Race,
    reference: Reference,
    kills_per_phase: int,
    seed: int,
    home: Path,
    phases: tuple[str, ...] = PHASES,
    report: Callable[[Trial], Any] = lambda trial: None,
) -> list[Trial]:
    """`kills_per_phase` seeded kills in each phase (and the kills again of those that came
    after their phase had ended), one after the other."""
    rng = random.Random(seed)
    trials = []
    for number in range(kills_per_phase):
        for phase in phases:
            trials += seeded_trials(race, reference, phase, rng, home / f"t{number}", report)
    return trials
