"""Benchmark: the race unfolding day by day, beside the one-shot simulation of the same race.

    python bench/bench_unfold.py --scale tour-lite [--faults default|none|FILE]

Prints the time of `Unfolding.create` and of each delivery with its rows, then (b) the
one-shot `run_simulation` of the same scale and seed into the same database, and the ratio of
(a) create + every delivery to (b); and the peak memory.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchkit import peak_rss_mb, source_database

from racesim.simulate import run_simulation
from racesim.unfold import Unfolding


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="tour-lite")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--faults", default="default")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="peloton-bench-unfold-", dir="/var/tmp"))
    try:
        with source_database() as url:
            started = time.perf_counter()
            unfolding = Unfolding.create(
                work / "unfolded", args.scale, args.seed, url, "bench_unfold", args.faults
            )
            created = time.perf_counter() - started
            print(f"create: {created:.1f} s ({unfolding.total} days planned)")
            delivering = 0.0
            while unfolding.delivered < unfolding.total:
                report = unfolding.next_day()
                delivering += report.seconds
                faults = ", ".join(f.kind for f in report.faults) or "-"
                fixed = ", ".join(f.kind for f in report.fixed) or "-"
                print(
                    f"day {report.index:2d} stage {report.stage:2d}: {report.seconds:5.2f} s, "
                    f"{sum(report.rows.values()):>9,} rows; faults {faults}; fixed {fixed}",
                    flush=True,
                )
            rows = sum(unfolding.rows.values())
            print(
                f"(a) unfolded: create {created:.1f} s + deliveries {delivering:.1f} s "
                f"= {created + delivering:.1f} s for {rows:,} rows"
            )
            one_shot = run_simulation(
                args.scale, args.seed, work / "one-shot", url, schema="bench_oneshot"
            )
            print(
                f"(b) one-shot run_simulation: {one_shot.seconds:.1f} s, "
                f"{one_shot.total_rows:,} rows"
            )
            print(f"ratio (a)/(b): {(created + delivering) / one_shot.seconds:.2f}")
            print(f"peak memory: {peak_rss_mb():,.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
