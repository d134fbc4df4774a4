"""Benchmark: the nightly pipeline's time per night while a Tour unfolds, night 21 beside night 1.

    python bench/bench_nightly.py [--scale tour-lite] [--seed 2023] [--faults none|default]

Unfolds the race day by day into a source database (racesim.unfold; the deliveries are not
timed), and after each delivery runs the `nightly` flow as `peloton run` does (Prefect's
ephemeral API, the default settings under a fresh PELOTON_HOME): its wall time and each step's.
Only the new day is processed, so the cost per night should stay flat as the race grows: the
figure is night N's time over night 1's (and over the median of the first three nights, less
noisy), not N times. Prefect's start-up (the ephemeral API, a first empty flow run) is timed
apart and is in no night's figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchkit import peak_rss_mb, source_database


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="tour-lite")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--faults", default="none", help="fault profile: none, default or a file")
    parser.add_argument("--steps", nargs="*", help="only these steps (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="peloton-bench-nightly-", dir="/var/tmp"))
    (work / "home").mkdir()
    with source_database() as url:
        os.environ.update(
            {
                "PELOTON_HOME": str(work / "home"),
                "PELOTON_SOURCE__URL": url,
                "PELOTON_SOURCE__SCHEMA_NAME": "bench_nightly",
                "PELOTON_FILES__SOURCES_DIR": str(work / "sources"),
            }
        )
        from lakehouse.orchestration import configure_prefect
        from lakehouse.settings import get_settings

        configure_prefect(get_settings())
        from prefect import flow

        from flows.nightly import nightly
        from racesim.unfold import Unfolding

        started = time.perf_counter()
        flow(name="warm-up")(lambda: None)()
        prefect_s = time.perf_counter() - started
        print(f"Prefect start-up (ephemeral API, first flow run): {prefect_s:.1f} s")
        unfolding = Unfolding.create(
            work / "sources",
            args.scale,
            args.seed,
            url,
            schema="bench_nightly",
            faults=args.faults,
        )
        nights: list[float] = []
        print(f"{'night':>5} {'stage':>5} {'seconds':>8}  steps (s)")
        while unfolding.delivered < unfolding.total:
            report = unfolding.next_day()
            started = time.perf_counter()
            state = nightly(steps=args.steps, return_state=True)
            seconds = time.perf_counter() - started
            night = state.result(raise_on_failure=False)
            steps = "  ".join(f"{o.name} {o.seconds:.1f}" for o in getattr(night, "outcomes", []))
            nights.append(seconds)
            print(f"{report.index:>5} {report.stage:>5} {seconds:>8.1f}  {steps}", flush=True)
            if not state.is_completed():
                print(f"      night {report.index} ended {state.type.value}: {state.message}")
        first3 = statistics.median(nights[:3])
        last = nights[-1]
        print(
            f"night {len(nights)}: {last:.1f} s; night 1: {nights[0]:.1f} s; "
            f"ratio {last / nights[0]:.2f} (over the median of nights 1-3: {last / first3:.2f})"
        )
        print(f"whole unfold: {sum(nights):.0f} s of pipeline; peak memory {peak_rss_mb():.0f} MB")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
