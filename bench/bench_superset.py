"""The stage explorer on the full Tour: time until rendered in Chromium, and chart-data p95.

Runs on a PELOTON_HOME where the full Tour is landed and modelled, Trino and Superset started
(`peloton sim --scale full`, `peloton run`, `peloton trino start`, `peloton trino init`,
`peloton superset start`). In one run:

- chart data through Superset's API for every chart and `--runs` stages, computed on Trino
  (`force`), then answered from Superset's data cache;
- `peloton superset warm`: every chart for every stage into the data cache;
- the dashboard rendered in headless Chromium, from the navigation's start to the painted
  frame with every chart drawn:
  - a returning analyst: one browser session (its cache warm), another stage each time, the
    data cache warm (as after `warm`);
  - a fresh browser with nothing cached, for three stages;
  - the data cache emptied (as after a pipeline run without `warm`), for three stages.

The baseline is the slowest chart's data from the cache, measured in the same run: the ratio is
what the page adds. Target: dashboard rendered <= 3 s on 2 cores.

    python bench/bench_superset.py [--runs 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="stages rendered (1, 6, 11, ...)")
    args = parser.parse_args()

    from lakehouse.settings import Settings, require_secret
    from lakehouse.superset.api import SupersetApi
    from lakehouse.superset.browser import render_dashboard, render_stages
    from lakehouse.superset.check import DASHBOARD, chart_query
    from lakehouse.superset.server import SupersetServer
    from lakehouse.superset.warm import warm_dashboard

    settings = Settings()
    sup = settings.superset
    password = require_secret(sup.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "the bench")
    stages = [1 + (i * 5) % 21 for i in range(args.runs)]
    api = SupersetApi(settings)
    charts = api.call("GET", f"/api/v1/dashboard/{DASHBOARD}/charts")["result"]
    queries = {c["slice_name"]: chart_query(api, c["id"]) for c in charts}
    computed: dict[str, list[float]] = {name: [] for name in queries}
    cached, slowest = [], []
    for stage in stages:
        for name, query in queries.items():
            computed[name].append(query.run(api, stage, force=True)[1])
        seconds = [query.run(api, stage)[1] for query in queries.values()]
        cached += seconds
        slowest.append(max(seconds))
    warmed = warm_dashboard(api)
    api.close()
    if warmed.failed:
        raise SystemExit(f"warm failed: {warmed.failed}")

    data_cache = SupersetServer(settings).root / "cache" / "data"
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        url, user = sup.url, sup.admin_user
        warm = render_stages(url, user, password, [17, *stages], folder)[1:]
        fresh = [
            render_dashboard(url, user, password, folder / f"{s}.png", stage=s) for s in (2, 9, 14)
        ]
        # empty the folder, not remove it: the running server's file cache does not create it again
        for entry in data_cache.iterdir():
            entry.unlink()
        cold = render_stages(url, user, password, [17, 3, 8, 19], folder)[1:]
    api = SupersetApi(settings)
    warm_dashboard(api)  # leave the cache as `warm` does
    api.close()
    for done in (*warm, *fresh, *cold):
        if not done.ok:
            raise SystemExit(f"a chart failed: {[c for c in done.charts if c['error']]}")

    every = [s for values in computed.values() for s in values]
    print(f"{len(stages)} stages, {len(queries)} charts, {os.cpu_count()} cores")
    print(
        f"chart data computed on Trino: p50 {statistics.median(every):.3f} s, "
        f"p95 {p95(every):.3f} s; slowest chart: "
        + ", ".join(
            f"{name} p95 {p95(values):.2f} s"
            for name, values in sorted(computed.items(), key=lambda kv: -p95(kv[1]))[:2]
        )
    )
    print(
        f"chart data from Superset's cache: p50 {statistics.median(cached):.3f} s, "
        f"p95 {p95(cached):.3f} s"
    )
    print(
        f"warm: {warmed.queries} queries for {len(warmed.stages)} stages in {warmed.seconds:.1f} s"
    )
    renders = [d.seconds for d in warm]
    baseline = statistics.median(slowest)
    render_p50 = statistics.median(renders)
    print(
        f"dashboard rendered, returning analyst (browser and data cache warm): "
        f"p50 {render_p50:.2f} s, p95 {p95(renders):.2f} s, worst {max(renders):.2f} s; "
        f"{sum(all(d.cached) for d in warm)} of {len(warm)} pages served wholly from the cache"
    )
    print(
        f"  baseline, the slowest chart's data from the cache alone: p50 {baseline:.3f} s "
        f"(rendered / baseline {render_p50 / baseline:.0f}x)"
    )
    print(
        f"dashboard rendered, fresh browser (nothing cached in it): "
        f"p50 {statistics.median(d.seconds for d in fresh):.2f} s "
        f"({statistics.median(d.seconds for d in fresh) / render_p50:.2f}x the returning analyst)"
    )
    print(
        f"dashboard rendered, data cache emptied (every chart on Trino): "
        f"p50 {statistics.median(d.seconds for d in cold):.2f} s "
        f"({statistics.median(d.seconds for d in cold) / render_p50:.2f}x the returning analyst)"
    )
    verdict = "met" if render_p50 <= 3.0 else "NOT met"
    print(f"target: dashboard rendered <= 3 s (returning analyst, p50) -> {verdict}")


if __name__ == "__main__":
    main()
