"""Route sets that differ from the shipped routes, made from them: races the pipeline has not seen.

    python -m racesim.route_sets KIND OUT [--data DIR]        (KIND: one of KINDS)

`climb-foot`: every stage with a categorized climb (time trials too) starts at the foot of its
first one, as a stage leaving a valley town straight uphill. `summit-finish`: every stage with one
(time trials too) ends at the summit of its last one. The path cut off is left out and the
official distance shortened by as much. `backwards`: every stage ridden from its finish to its
start, descents turned into climbs. `out-and-back`: every stage ridden to the middle of its
route and back, each place passed twice. The folder has the shape `peloton sim --routes` reads.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

import numpy as np

from racesim.climbs import detect_climbs
from racesim.routes import Route, load_route, load_stages, resample, route_path

KINDS = ("climb-foot", "summit-finish", "backwards", "out-and-back")


def route_set(kind: str, out_dir: Path, data_dir: Path | None = None) -> list[int]:
    """Write the route set `kind` (KINDS) to `out_dir`; the stages changed, in order."""
    stages = load_stages(data_dir)
    (out_dir / "routes").mkdir(parents=True, exist_ok=True)
    source_index = (data_dir or route_path(1).parents[1]) / "stages.csv"
    with source_index.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or ())
        index = list(reader)
    cut: list[int] = []
    for info, row in zip(stages, index, strict=True):
        route = load_route(info.stage, data_dir)
        target = out_dir / "routes" / route_path(info.stage).name
        order = _points_kept(kind, route)
        if order is None:
            shutil.copyfile(route_path(info.stage, data_dir), target)
            continue
        with target.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("seq", "lat", "lon", "ele_m"))
            for seq, i in enumerate(order):
                writer.writerow((seq, route.lat[i], route.lon[i], route.ele_m[i]))
        if kind == "backwards":
            row["start"], row["finish"] = row["finish"], row["start"]
        if kind == "out-and-back":
            row["finish"] = row["start"]
        kept_m = float(np.abs(np.diff(route.cum_m[order])).sum())
        row["distance_km"] = f"{info.distance_km - (route.length_m - kept_m) / 1000:.1f}"
        cut.append(info.stage)
    with (out_dir / "stages.csv").open("w", newline="", encoding="utf-8") as fh:
        index_writer = csv.DictWriter(fh, fieldnames=fields)
        index_writer.writeheader()
        index_writer.writerows(index)
    return cut


def _points_kept(kind: str, route: Route) -> list[int] | None:
    """The route's points in the order the set rides them; None: the route as it is."""
    if kind == "backwards":
        return list(range(len(route.lat) - 1, -1, -1))
    if kind == "out-and-back":
        turn = int(np.searchsorted(route.cum_m, route.length_m / 2))
        return list(range(turn + 1)) + list(range(turn - 1, -1, -1))
    climbs = detect_climbs(resample(route))
    if not climbs:
        return None
    if kind == "climb-foot":
        return list(range(int(np.searchsorted(route.cum_m, climbs[0].foot_m)), len(route.lat)))
    return list(range(int(np.searchsorted(route.cum_m, climbs[-1].summit_m)) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, help="the routes to start from (default: 2023)")
    args = parser.parse_args()
    cut = route_set(args.kind, args.out, args.data)
    print(f"{args.out}: stages {', '.join(map(str, cut))} changed ({args.kind})")


if __name__ == "__main__":
    main()
