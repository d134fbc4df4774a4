"""Upkeep: the stage explorer's queries and their planning time on tables after 100 commits,
before and after upkeep, and compaction by Trino's optimize beside the Python rewrite.

1. A simulated race (tiny by default) is landed and modelled, with Trino running.
2. Every table the stage explorer reads is given 100 commits that end where it started: its
   rows removed, then put back in 99 appends (small files, 100 snapshots, their manifests).
3. The stage explorer's queries (bench_trino.py's) run through Trino as `bi`, a stage per
   run after a warm-up: p50 and p95 of the wall time and of Trino's planning time
   (system.runtime.queries), with the tables' data files, snapshots and metadata bytes.
4. Upkeep (`peloton maintain`, everything kept 0 h beyond the newest 5 snapshots), then 3.
5. Compaction: two copies of staging.telemetry written in 100 appends; one compacted by
   `ALTER TABLE ... EXECUTE optimize` as `etl`, the other by lakehouse.upkeep.compaction:
   wall time, files before and after, rows checked equal.

    python bench/bench_upkeep.py [--scale tiny|small] [--runs 30]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench_trino import TRINO
from bench_trino import _build as build
from benchkit import source_database

from lakehouse.ports import free_port

COMMITS = 100
Timings = dict[str, tuple[float, float, float, float]]
"""Per query: p50 and p95 of the wall time, p50 and p95 of the planning time (s)."""
EXPLORER_TABLES = (
    "marts.stage_results",
    "marts.general_classification",
    "marts.climb_efforts",
    "staging.stage_routes",
    "staging.telemetry",
)


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q * 100) - 1]


def _build(settings: Any, scale: str) -> list[int]:
    """The race simulated, landed and modelled (as bench_trino.py does): its stages."""
    from racesim.scales import get_scale

    build(settings, scale)
    return list(get_scale(scale).stages)


def _in_commits(table: Any, rows: Any, commits: int) -> None:
    """`rows` appended in exactly `commits` commits (some empty when there are fewer rows)."""
    bounds = [round(i * rows.num_rows / commits) for i in range(commits + 1)]
    for start, end in itertools.pairwise(bounds):
        table.append(rows.slice(start, end - start))


def _churn(catalog: Any) -> None:
    """Each explorer table: 100 commits that end with the rows it had."""
    for name in EXPLORER_TABLES:
        table = catalog.load_table(name)
        rows = table.scan().to_arrow()
        table.delete("True")
        _in_commits(table, rows, COMMITS - 1)
        print(f"  {name}: {len(catalog.load_table(name).snapshots())} snapshots", flush=True)


def _queries(settings: Any, stages: list[int], runs: int) -> Timings:
    from lakehouse.trino.client import connect

    bi = connect(settings, "bi").cursor()
    etl = connect(settings, "etl").cursor()
    out: Timings = {}
    for name, template in TRINO.items():
        walls, planning, ids = [], [], []
        for i in range(runs + 2):
            started = time.perf_counter()
            bi.execute(template.format(stage=stages[i % len(stages)]))
            bi.fetchall()
            if i >= 2:  # two warm-up runs
                walls.append(time.perf_counter() - started)
                ids.append(bi.query_id)
        listed = ", ".join(f"'{q}'" for q in ids)
        etl.execute(
            f"SELECT planning_time_ms FROM system.runtime.queries WHERE query_id IN ({listed})"
        )
        planning = [float(r[0]) / 1000 for r in etl.fetchall()]
        out[name] = (_p(walls, 0.5), _p(walls, 0.95), _p(planning, 0.5), _p(planning, 0.95))
    return out


def _figures(catalog: Any) -> dict[str, Any]:
    from lakehouse.upkeep.report import measure

    return {name: measure(catalog.load_table(name)) for name in EXPLORER_TABLES}


def _print_state(label: str, figures: dict[str, Any], queries: Timings) -> None:
    print(f"\n{label}")
    print(f"{'table':<32} {'data files':>10} {'snapshots':>9} {'metadata':>12}")
    for name, f in figures.items():
        print(f"{name:<32} {f.data_files:>10} {f.snapshots:>9} {f.metadata_bytes:>11,}B")
    print(f"{'query':<18} {'p50':>8} {'p95':>8} {'plan p50':>9} {'plan p95':>9}")
    for name, (p50, p95, plan50, plan95) in queries.items():
        print(f"{name:<18} {p50:>7.3f}s {p95:>7.3f}s {plan50:>8.3f}s {plan95:>8.3f}s")


def _compaction(settings: Any, catalog: Any) -> None:
    from lakehouse.lake.commits import ensure_table
    from lakehouse.lake.staging_tables import STAGING_TELEMETRY
    from lakehouse.trino.client import run_sql
    from lakehouse.upkeep.compaction import compact

    rows = catalog.load_table(STAGING_TELEMETRY.name).scan().to_arrow()
    target = settings.upkeep.target_file_mb * 1024 * 1024
    print(f"\ncompaction of {rows.num_rows:,} rows written in {COMMITS} appends")
    for how in ("trino", "python"):
        name = f"raw.bench_compaction_{how}"
        if catalog.table_exists(name):
            catalog.purge_table(name)
        definition = replace(STAGING_TELEMETRY, name=name)
        table = ensure_table(catalog, definition)
        _in_commits(table, rows, COMMITS)
        files = len(list(table.scan().plan_files()))
        started = time.perf_counter()
        if how == "trino":
            run_sql(
                settings,
                f"ALTER TABLE lakehouse_rw.raw.bench_compaction_{how} EXECUTE "
                f"optimize(file_size_threshold => '{settings.upkeep.target_file_mb}MB')",
            )
        else:
            compact(table, target, settings.upkeep.min_files)
        took = time.perf_counter() - started
        table = catalog.load_table(name)
        after = len(list(table.scan().plan_files()))
        same = table.scan().to_arrow().num_rows == rows.num_rows
        label = "Trino optimize" if how == "trino" else "Python rewrite"
        print(f"  {label:<15} {took:>7.2f}s  files {files} -> {after}  rows equal: {same}")
        catalog.purge_table(name)


def run(settings: Any, scale: str, runs: int) -> None:
    from lakehouse.catalog import open_catalog
    from lakehouse.trino.client import init_views
    from lakehouse.trino.server import TrinoServer
    from lakehouse.upkeep.maintain import Options, maintain

    stages = _build(settings, scale)
    catalog = open_catalog(settings)
    server = TrinoServer(settings)
    try:
        server.start()
        init_views(settings)
        print(f"{COMMITS} commits on each table the stage explorer reads ...", flush=True)
        _churn(catalog)
        _print_state(
            f"after {COMMITS} commits", _figures(catalog), _queries(settings, stages, runs)
        )
        started = time.perf_counter()
        maintain(settings, Options(tables=EXPLORER_TABLES))
        print(
            f"\nupkeep of the {len(EXPLORER_TABLES)} tables: {time.perf_counter() - started:.1f}s"
        )
        _print_state("after upkeep", _figures(catalog), _queries(settings, stages, runs))
        _compaction(settings, catalog)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="tiny", help="simulation scale (tiny, small, full)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query")
    args = parser.parse_args()

    from lakehouse.settings import Settings

    with (
        tempfile.TemporaryDirectory(prefix="peloton-bench-upkeep-", dir="/var/tmp") as work,
        source_database() as url,
    ):
        settings = Settings(
            home=Path(work),
            source={"url": url},
            upkeep={"snapshot_max_age_h": 0, "snapshots_kept": 5, "orphan_window_h": 0},
        )
        settings = replace(settings, trino=replace(settings.trino, port=free_port()))
        run(settings, args.scale, args.runs)


if __name__ == "__main__":
    main()
