"""Benchmark: simulate and load the race, beside a raw binary COPY FROM of the same rows.

    python bench/bench_sim.py --scale full

Prints rows/s for (a) the simulation alone (race + 1 Hz sampling, no database), (b) the
end-to-end `run_simulation` (simulate, write files, ADBC ingest in one transaction), and (c) a
raw `COPY ... FROM STDIN (FORMAT binary)` of the rows (b) loaded, dumped with `COPY ... TO
STDOUT (FORMAT binary)` beforehand, partition by partition; then the ratios and the peak memory.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
from benchkit import peak_rss_mb, source_database

from racesim.simulate import count_telemetry, run_simulation, simulate_race


def raw_copy(url: str, partitions: list[str]) -> tuple[int, float]:
    """Rows and seconds of a binary COPY FROM STDIN of each partition into a fresh table."""
    rows, seconds = 0, 0.0
    with psycopg.connect(url) as conn:
        for name in partitions:
            data = bytearray()
            with conn.cursor().copy(f"copy race.{name} to stdout (format binary)") as out:
                for chunk in out:
                    data += chunk
            conn.execute("drop table if exists race.bench_copy")
            conn.execute("create table race.bench_copy (like race.telemetry)")
            started = time.perf_counter()
            with conn.cursor().copy("copy race.bench_copy from stdin (format binary)") as cp:
                cp.write(bytes(data))
            count = conn.execute("select count(*) from race.bench_copy").fetchone()
            conn.commit()
            seconds += time.perf_counter() - started
            rows += int(count[0]) if count else 0
            del data
        conn.execute("drop table if exists race.bench_copy")
        conn.commit()
    return rows, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()

    started = time.perf_counter()
    race = simulate_race(args.scale, args.seed)
    sim_rows = sum(count_telemetry(race, args.seed).values())
    sim_s = time.perf_counter() - started
    del race

    out = Path(tempfile.mkdtemp(prefix="peloton-bench-out-"))
    try:
        with source_database() as url:
            report = run_simulation(args.scale, args.seed, out / "sources", url)
            peak = peak_rss_mb()
            raw_rows, raw_s = raw_copy(url, list(report.rows_per_partition))
    finally:
        shutil.rmtree(out, ignore_errors=True)

    e2e_rate = report.total_rows / report.seconds
    raw_rate = raw_rows / raw_s
    print(f"scale {args.scale}: {report.total_rows:,} telemetry rows, stages {report.stages}")
    print(f"(a) simulation alone       {sim_s:8.1f} s  {sim_rows / sim_s:>12,.0f} rows/s")
    print(f"(b) simulate + load (e2e)  {report.seconds:8.1f} s  {e2e_rate:>12,.0f} rows/s")
    ingest_s = report.ingest_seconds or float("nan")
    ingest_rate = report.total_rows / ingest_s
    print(f"    of which ingest (ADBC)  {ingest_s:8.1f} s  {ingest_rate:>12,.0f} rows/s")
    print(f"(c) raw COPY FROM binary   {raw_s:8.1f} s  {raw_rate:>12,.0f} rows/s (baseline)")
    print(
        f"ratio (b)/(c): {e2e_rate / raw_rate:.2f}   "
        f"ratio (a)/(c): {sim_rows / sim_s / raw_rate:.2f}"
    )
    print(f"ratio ingest/(c): {ingest_rate / raw_rate:.2f}")
    print(f"peak memory of the simulating process: {peak:,.0f} MB")
    print(
        f"target: (b) within 180 s -> {'met' if report.seconds <= 180 else 'NOT met'}; "
        f"peak <= 4096 MB -> {'met' if peak <= 4096 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
