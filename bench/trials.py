"""Kill trials, the full sweep: SIGKILL at seeded points of every phase of a run, then a run.

    python bench/trials.py [--kills-per-phase 10] [--seed 15] [--race-seed 21] [--scale tiny]

Simulates a race into a source database (PELOTON_SOURCE__URL, or an embedded PostgreSQL in a
temporary folder), runs the pipeline once uninterrupted (the reference), then, for each phase
(file ingestion, telemetry ingestion, staging, marts, publish) and as many times as asked,
kills a run on a fresh lakehouse at a point a seeded generator draws within that phase, runs
the pipeline again and compares every table with the reference by content, while a reader
polls what `main` shows (tests/trial_harness.py says what it may never see). Prints one line
per kill as it goes, then the figures per phase. Exits 1 if a trial did not converge or a
reader saw what it must not. The CI runs two kills per phase (tests/trials/).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchkit import source_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

SCHEMA = "trials"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills-per-phase", type=int, default=10)
    parser.add_argument("--seed", type=int, default=15, help="the kill points' generator")
    parser.add_argument("--race-seed", type=int, default=21, help="the simulated race")
    parser.add_argument("--scale", default="tiny")
    args = parser.parse_args()

    from trial_harness import PHASES, Race, Trial, reference_run, sweep

    from racesim.simulate import run_simulation

    work = Path(tempfile.mkdtemp(prefix="peloton-bench-trials-", dir="/var/tmp"))
    started = time.perf_counter()
    try:
        with source_database() as url:
            report = run_simulation(
                args.scale, args.race_seed, work / "sources", url, schema=SCHEMA
            )
            race = Race(url, SCHEMA, work / "sources")
            reference = reference_run(race, work / "reference")
            print(
                f"race: {args.scale}, seed {args.race_seed}, {report.total_rows:,} telemetry rows;"
                " uninterrupted run, phases: "
                + ", ".join(f"{p} {s:.1f} s" for p, s in reference.phase_s.items()),
                flush=True,
            )
            print(
                f"{'phase':<10} {'delay s':>8} {'died in':<10} {'converged':<9} looks  violations"
            )

            def show(trial: Trial) -> None:
                print(
                    f"{trial.phase:<10} {trial.delay_s:>8.2f} {trial.killed_in:<10}"
                    f" {'yes' if trial.converged else 'NO':<9} {trial.looks:>5}  "
                    + ("; ".join(trial.violations + trial.differences) or "0"),
                    flush=True,
                )

            trials: list[Trial] = []

            def keep(trial: Trial) -> None:
                trials.append(trial)
                show(trial)

            try:
                sweep(race, reference, args.kills_per_phase, args.seed, work / "runs", report=keep)
            except KeyboardInterrupt:  # the figures of the kills done so far
                print(f"interrupted after {len(trials)} kills", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{'phase':<10} {'kills':>5} {'in phase':>8} {'converged':>9} {'reader looks':>12}"
        f" {'violations':>10} {'killed run s':>12} {'next run s':>10}"
    )
    for phase in PHASES:
        done = [t for t in trials if t.phase == phase]
        if not done:
            continue
        print(
            f"{phase:<10} {len(done):>5} {sum(t.killed_in == phase for t in done):>8}"
            f" {sum(t.converged for t in done):>9} {sum(t.looks for t in done):>12}"
            f" {sum(len(t.violations) for t in done):>10}"
            f" {statistics.median(t.killed_s for t in done):>12.1f}"
            f" {statistics.median(t.recovery_s for t in done):>10.1f}"
        )
    print(f"{len(trials)} kills in {time.perf_counter() - started:.0f} s (seed {args.seed})")
    if any(not t.converged or t.violations for t in trials):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
