"""Benchmark: the truth tolerances over many seeds, a table of the worst errors per seed.

    python bench/bench_truth.py --seeds 1-20 [--scale tiny] [--routes DIR | --route-set KIND]

For each seed, simulates the race into a source database (PELOTON_SOURCE__URL, or an embedded
PostgreSQL in a temporary folder), lands it in a fresh local Iceberg warehouse, builds staging
and the marts, and compares them with the simulator's truth (`peloton check --truth`'s
comparison). Prints one row per seed as it goes, then the worst of each column over the seeds
and the seeds where a check failed. Exits 1 if one did. `--route-set` makes one of
racesim.route_sets' sets from the 2023 routes first (climb-foot, summit-finish, backwards,
out-and-back).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchkit import source_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

COLUMNS = {
    "worst finish time error": "finish s",
    "worst climb time error": "climb s",
    "worst same-time gap error": "gap s",
    "same-time decisions near the threshold taken the other way": "flips",
    "worst route length error against the trace": "trace %",
}


def seeds(text: str) -> list[int]:
    """`1-20`, `5` or `1,5,9`."""
    found: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        found += range(int(low), int(high or low) + 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=seeds, default=seeds("1-20"))
    parser.add_argument("--scale", default="tiny")
    parser.add_argument("--routes", type=Path, help="a route folder (default: the 2023 Tour)")
    parser.add_argument(
        "--route-set", help="a route set made from the 2023 routes (racesim.route_sets KINDS)"
    )
    args = parser.parse_args()

    from racesim.route_sets import route_set

    routes: Path | None = args.routes
    made = Path(tempfile.mkdtemp(prefix="peloton-bench-truth-routes-", dir="/var/tmp"))
    try:
        if args.route_set:
            routes = made / args.route_set
            route_set(args.route_set, routes)
        run(args.seeds, args.scale, routes)
    finally:
        shutil.rmtree(made, ignore_errors=True)


def run(chosen: list[int], scale: str, routes: Path | None) -> None:
    """The table over the seeds `chosen`; exits 1 if a check failed on one."""
    from truth_helpers import through_the_pipeline

    from lakehouse.transform.marts import ChecksFailed
    from lakehouse.transform.truth import truth_checks
    from racesim.simulate import run_simulation

    print(f"{'seed':>4} " + " ".join(f"{c:>8}" for c in COLUMNS.values()) + "  decisions  time")
    worst: dict[str, float] = dict.fromkeys(COLUMNS, 0.0)
    failed: dict[int, list[str]] = {}
    with source_database() as url:
        for seed in chosen:
            work = Path(tempfile.mkdtemp(prefix=f"peloton-bench-truth-{seed}-", dir="/var/tmp"))
            try:
                started = time.perf_counter()
                sources = work / "sources"
                run_simulation(scale, seed, sources, url, data_dir=routes)
                catalog = through_the_pipeline(sources, work / "home", url, "race")
                checks, figures = truth_checks(catalog, sources / "truth")
            except ChecksFailed as exc:  # the marts were not published: nothing to compare
                failed[seed] = [str(exc).splitlines()[1]]
                print(f"{seed:>4}  marts not published: {failed[seed][0]}", flush=True)
                continue
            finally:
                shutil.rmtree(work, ignore_errors=True)
            seconds = time.perf_counter() - started
            values = {f.name: f.value for f in figures}
            for name in COLUMNS:
                worst[name] = max(worst[name], values[name])
            flips = next(f for f in figures if f.name.startswith("same-time decisions"))
            bad = [c.name for c in checks if not c.ok] + [f.name for f in figures if not f.ok]
            if bad:
                failed[seed] = bad
            print(
                f"{seed:>4} "
                + " ".join(f"{values[name]:>8.3f}" for name in COLUMNS)
                + f"  {flips.note.split(';')[0]:<20} {seconds:5.0f} s"
                + (f"  FAILED: {', '.join(bad)}" if bad else ""),
                flush=True,
            )
            across = next(f for f in figures if f.name.startswith("climb efforts timed across"))
            for e in across.examples:  # efforts beyond 2 s whose line a GPS dropout hides
                print(f"      across a {e['dropout_s']} s dropout: {e}", flush=True)
    print(f"{'max':>4} " + " ".join(f"{worst[name]:>8.3f}" for name in COLUMNS))
    for seed, bad in failed.items():
        print(f"seed {seed}: failed {', '.join(bad)}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
