"""Benchmark: staging and marts on the full Tour, on 3, 7 and 21 stages, against the truth.

    python bench/bench_transform.py --scale full            (make bench-transform)

Fills a source database (or reuses `race.telemetry` with --reuse and PELOTON_SOURCE__URL),
lands it in a local Iceberg warehouse (not timed), then for the first 3, 7 and all stage days
builds staging and the marts from scratch in its own process and prints the wall time, points
per second and peak memory of that process. Cost should grow linearly with the days. Last, the
truth figures of the full run (`peloton check --truth`'s). Targets: staging + marts <= 2
minutes on 2 cores, peak memory <= 4 GB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchkit import land_sources, peak_rss_mb, source_database


def _catalog(home: Path, url: str) -> Any:
    from lakehouse.catalog import open_catalog
    from lakehouse.settings import Settings

    return open_catalog(Settings(home=home, source={"url": url}, catalog={"kind": "sqlite"}))


def worker(home: Path, url: str, days: list[date]) -> None:
    """Build staging and marts for `days` from scratch; print one JSON line."""
    from lakehouse.transform.marts import build_marts
    from lakehouse.transform.staging import build_reference, build_telemetry

    catalog = _catalog(home, url)
    started = time.perf_counter()
    build_reference(catalog)
    staged = build_telemetry(catalog, full_refresh=True, only=set(days))
    staging_s = time.perf_counter() - started
    build_marts(catalog, full_refresh=True, only=set(days))
    seconds = time.perf_counter() - started
    points = sum(s.raw_rows for s in staged)
    result = {"seconds": seconds, "staging_s": staging_s, "points": points}
    print(json.dumps(result | {"peak_mb": peak_rss_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="full")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--reuse", action="store_true", help="keep race.telemetry as it is")
    parser.add_argument("--sources", type=Path, help="the simulator's output (with --reuse)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.home, args.url, [date.fromisoformat(d) for d in args.worker.split(",")])
        return

    from lakehouse.settings import Settings
    from lakehouse.transform.truth import truth_checks
    from racesim.simulate import run_simulation

    work = Path(tempfile.mkdtemp(prefix="peloton-bench-transform-", dir="/var/tmp"))
    try:
        with source_database() as url:
            sources = args.sources or work / "sources"
            if not args.reuse:
                print(f"simulating the {args.scale} race ...", flush=True)
                run_simulation(args.scale, args.seed, sources, url)
            home = work / "home"
            catalog = _catalog(home, url)
            started = time.perf_counter()
            settings = Settings(home=home, files={"sources_dir": sources})
            landed = land_sources(catalog, settings, url)
            print(f"raw layer landed in {time.perf_counter() - started:.1f} s", flush=True)
            days = sorted(r.day for r in landed)
            runs = {}
            for n in sorted({min(3, len(days)), min(7, len(days)), len(days)}):
                chosen = ",".join(d.isoformat() for d in days[:n])
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        chosen,
                        "--home",
                        str(home),
                        "--url",
                        url,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    raise SystemExit(f"transform of {n} days failed:\n{done.stderr[-4000:]}")
                run = json.loads(done.stdout.strip().splitlines()[-1])
                runs[n] = run
                rate = run["points"] / run["seconds"]
                print(
                    f"  {n:2d} stages: {run['points']:>12,} points  "
                    f"staging {run['staging_s']:6.1f} s  "
                    f"staging + marts {run['seconds']:6.1f} s  {rate:>11,.0f} points/s  "
                    f"peak {run['peak_mb']:,.0f} MB",
                    flush=True,
                )
            full = runs[len(days)]
            per_point = {n: r["seconds"] / r["points"] for n, r in runs.items()}
            base = per_point[min(per_point)]
            print(
                "cost per point relative to the smallest run: "
                + ", ".join(f"{n} stages {v / base:.2f}" for n, v in sorted(per_point.items()))
            )
            checks, figures = truth_checks(_catalog(home, url), sources / "truth")
            for c in checks:
                print(f"truth: {c.name}: {'ok' if c.ok else 'FAILED'} ({c.detail})")
                for example in c.examples if not c.ok else []:
                    print(f"    e.g. {example}")
            for f in figures:
                print(f"truth: {f.name}: {f.value:.3f} {f.unit} (limit {f.limit:g} {f.unit})")
            print(
                f"target: staging + marts <= 120 s -> "
                f"{'met' if full['seconds'] <= 120 else 'NOT met'}; peak <= 4096 MB -> "
                f"{'met' if full['peak_mb'] <= 4096 else 'NOT met'}"
            )
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
