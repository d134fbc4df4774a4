"""The stage explorer on the full Tour: time until rendered in Chromium, and chart-data p95.

Runs on a PELOTON_HOME where the full Tour is landed and modelled, Trino and Superset started
(`peloton sim --scale full`, `peloton run`, `peloton trino start`, `peloton trino init`,
`peloton superset start`). The dashboard is opened for one stage after another in one headless
Chromium session (its cache warm, as for an analyst going from stage to stage), and for a few
stages in a fresh browser with nothing cached: from the page request until every chart has
rendered. The chart data API runs each chart's query for the same stages; the baseline is the
slowest chart's data alone, so the ratio is what the browser adds. Target: dashboard rendered
<= 3 s on 2 cores.

    python bench/bench_superset.py [--runs 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="dashboard renders (stages 1..N)")
    args = parser.parse_args()

    from lakehouse.settings import Settings, require_secret
    from lakehouse.superset.api import SupersetApi
    from lakehouse.superset.browser import render_dashboard, render_stages
    from lakehouse.superset.check import check_dashboard

    settings = Settings()
    sup = settings.superset
    password = require_secret(sup.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "the bench")
    stages = [1 + (i * 5) % 21 for i in range(args.runs)]
    api = SupersetApi(settings)
    data_times, slowest = [], []
    for stage in stages:
        checks = check_dashboard(api, stage=stage)
        failed = [c.chart for c in checks if not c.ok]
        if failed:
            raise SystemExit(f"stage {stage}: charts failed: {failed}")
        data_times += [c.seconds for c in checks]
        slowest.append(max(c.seconds for c in checks))
    api.close()
    with tempfile.TemporaryDirectory() as work:
        cold = [
            render_dashboard(sup.url, sup.admin_user, password, Path(work) / f"{s}.png", stage=s)
            for s in stages[:3]
        ]
        warm = render_stages(sup.url, sup.admin_user, password, [17, *stages], Path(work))[1:]
    for done in (*cold, *warm):
        if not done.ok:
            raise SystemExit(f"a chart failed: {[c for c in done.charts if c['error']]}")
    renders = [d.seconds for d in warm]
    print(
        f"cold browser (nothing cached), {len(cold)} stages: p50 "
        f"{statistics.median(d.seconds for d in cold):.2f} s"
    )
    p95 = statistics.quantiles(data_times, n=20, method="inclusive")[-1]
    render_p50 = statistics.median(renders)
    print(f"{len(stages)} stages, {len(data_times)} chart queries, {os.cpu_count()} cores")
    print(f"chart data: p50 {statistics.median(data_times):.3f} s, p95 {p95:.3f} s")
    print(
        f"dashboard rendered (a returning analyst: browser cache warm, another stage each "
        f"time): p50 {render_p50:.2f} s, worst {max(renders):.2f} s; "
        f"slowest chart's data alone p50 {statistics.median(slowest):.2f} s "
        f"(rendered / slowest data {render_p50 / statistics.median(slowest):.1f}x)"
    )
    verdict = "met" if render_p50 <= 3.0 else "NOT met"
    print(f"target: dashboard rendered <= 3 s -> {verdict}")


if __name__ == "__main__":
    main()
