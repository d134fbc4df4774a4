"""Dashboard queries on the full Tour through Trino, beside DuckDB on the same Iceberg files.

The queries the stage explorer dashboard runs (stage results with gaps, GC evolution, climb
leaderboard, route map, speed heatmap), each run for a different stage in turn, after two
warm-up runs: p50 and p95 per query and engine. DuckDB reads the same Parquet data files,
listed from the tables' current Iceberg snapshots by pyiceberg; its spatial extension cannot be
downloaded here, so its route length and Bing tiles are plain SQL arithmetic. Target: Trino's
p95 <= 1 s on 2 cores.

    python bench/bench_trino.py                # simulate, land and model the full Tour first
    python bench/bench_trino.py --reuse        # use PELOTON_HOME and its running database as is
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchkit import land_and_model, source_database

from lakehouse.ports import free_port

STAGES = list(range(1, 22))
TRINO: dict[str, str] = {
    "stage results": (
        "SELECT rank, rider_name, team, official_time_s, gap_s, bonus_s, status "
        "FROM marts.stage_results WHERE stage = {stage} ORDER BY rank NULLS LAST"
    ),
    "GC evolution": (
        "SELECT stage, rider_name, rank, gap_s FROM marts.general_classification "
        "WHERE bib IN (SELECT bib FROM marts.general_classification WHERE stage = {stage} "
        "AND rank <= 10) AND stage <= {stage} ORDER BY stage, rank"
    ),
    "climb leaderboard": (
        "SELECT climb_name, rank, rider_name, time_s, vam_m_h, w_per_kg FROM marts.climb_efforts "
        "WHERE stage = {stage} ORDER BY climb_number DESC, rank LIMIT 20"
    ),
    "route map": "SELECT stage, length_km, path_json FROM views.stage_routes WHERE stage = {stage}",
    "speed heatmap": (
        "SELECT quadkey, lat, lon, avg_speed_kmh, points FROM views.speed_heatmap "
        "WHERE stage = {stage}"
    ),
}
DUCKDB: dict[str, str] = {
    "stage results": TRINO["stage results"].replace("marts.", ""),
    "GC evolution": TRINO["GC evolution"].replace("marts.", ""),
    "climb leaderboard": TRINO["climb leaderboard"].replace("marts.", ""),
    "route map": """
        WITH p AS (
            SELECT seq, lat, lon, lag(lat) OVER (ORDER BY seq) AS plat,
                   lag(lon) OVER (ORDER BY seq) AS plon
            FROM stage_routes WHERE stage = {stage}
        )
        SELECT {stage} AS stage,
               sum(2 * 6371.0088 * asin(sqrt(pow(sin(radians(lat - plat) / 2), 2)
                   + cos(radians(plat)) * cos(radians(lat))
                   * pow(sin(radians(lon - plon) / 2), 2)))) AS length_km,
               to_json(list([round(lon, 6), round(lat, 6)] ORDER BY seq)) AS path_json
        FROM p
    """,
    "speed heatmap": """
        WITH t AS (
            SELECT floor((lon + 180) / 360 * 32768) AS x,
                   floor((0.5 - ln((1 + sin(radians(lat))) / (1 - sin(radians(lat))))
                          / (4 * pi())) * 32768) AS y,
                   speed_kmh
            FROM telemetry
            WHERE stage = {stage} AND speed_kmh IS NOT NULL
              AND NOT (is_spike OR is_jump OR off_route)
        )
        SELECT x, y, avg(speed_kmh) AS avg_speed_kmh, count(*) AS points FROM t GROUP BY x, y
    """,
}
DUCKDB_TABLES = {
    "stage_results": "marts.stage_results",
    "general_classification": "marts.general_classification",
    "climb_efforts": "marts.climb_efforts",
    "stage_routes": "staging.stage_routes",
    "telemetry": "staging.telemetry",
}


def _timed(run: Callable[[str], Any], template: str, runs: int) -> list[float]:
    for stage in (17, 1):  # warm-up
        run(template.format(stage=stage))
    times = []
    for i in range(runs):
        query = template.format(stage=STAGES[i % len(STAGES)])
        started = time.perf_counter()
        run(query)
        times.append(time.perf_counter() - started)
    return times


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q * 100) - 1]


def _duckdb(catalog: Any) -> Callable[[str], Any]:
    import duckdb

    conn = duckdb.connect()
    conn.execute(f"SET threads = {os.cpu_count() or 2}")
    for name, table_name in DUCKDB_TABLES.items():
        files = catalog.load_table(table_name).inspect.files().to_pylist()
        if any(f["content"] != 0 for f in files):
            raise SystemExit(f"{table_name} has delete files: DuckDB would read stale rows")
        paths = [f["file_path"].removeprefix("file://") for f in files]
        conn.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({paths!r})")
    return lambda sql: conn.execute(sql).fetchall()


def _build(settings: Any, scale: str = "full") -> None:
    from racesim.simulate import run_simulation

    url = settings.source.url.get_secret_value()
    print(f"simulating the {scale} race ...", flush=True)
    run_simulation(scale, 2023, settings.sources_dir, url)
    print("landing and modelling it ...", flush=True)
    land_and_model(settings, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="PELOTON_HOME is built already")
    parser.add_argument("--runs", type=int, default=42, help="timed runs per query and engine")
    args = parser.parse_args()

    from lakehouse.settings import Settings

    if args.reuse:
        run(Settings(), args.runs)
        return
    with (
        tempfile.TemporaryDirectory(prefix="peloton-bench-trino-", dir="/var/tmp") as work,
        source_database() as url,
    ):
        settings = Settings(home=Path(work), source={"url": url})
        settings = replace(settings, trino=replace(settings.trino, port=free_port()))
        _build(settings)
        run(settings, args.runs)


def run(settings: Any, runs: int) -> None:
    from lakehouse.catalog import open_catalog
    from lakehouse.trino.client import connect, init_views
    from lakehouse.trino.server import TrinoServer

    server = TrinoServer(settings)
    started_here = server.info() is None
    try:
        server.start()
        init_views(settings)
        cursor = connect(settings, "bi").cursor()

        def trino(sql: str) -> Any:
            cursor.execute(sql)
            return cursor.fetchall()

        duck = _duckdb(open_catalog(settings))
        print(f"{runs} runs per query, a different stage each run, {os.cpu_count()} cores")
        print(f"{'query':<18} {'Trino p50':>10} {'p95':>8} {'DuckDB p50':>11} {'p95':>8}")
        floor = _timed(trino, "SELECT {stage}", runs)
        print(f"{'SELECT 1 (floor)':<18} {_p(floor, 0.5):>9.3f}s {_p(floor, 0.95):>7.3f}s")
        worst = 0.0
        for name, template in TRINO.items():
            t = _timed(trino, template, runs)
            d = _timed(duck, DUCKDB[name], runs)
            worst = max(worst, _p(t, 0.95))
            print(
                f"{name:<18} {_p(t, 0.5):>9.3f}s {_p(t, 0.95):>7.3f}s "
                f"{_p(d, 0.5):>10.3f}s {_p(d, 0.95):>7.3f}s   "
                f"Trino/DuckDB p95 {_p(t, 0.95) / _p(d, 0.95):.1f}x",
                flush=True,
            )
        verdict = "met" if worst <= 1.0 else "NOT met"
        print(f"target: Trino p95 <= 1 s for every query -> {verdict} (worst {worst:.3f} s)")
    finally:
        if started_here:
            server.stop()


if __name__ == "__main__":
    main()
