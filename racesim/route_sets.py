"""Route sets that differ from the shipped routes, made from them: races the pipeline has not seen.

    python -m racesim.route_sets climb-foot|summit-finish OUT [--data DIR]

`climb-foot`: every road stage with a categorized climb starts at the foot of its first one,
as a stage leaving a valley town straight uphill. `summit-finish`: every stage with one
(time trials too) ends at the summit of its last one. The path cut off is left out and the
official distance shortened by as much. The folder has the shape `peloton sim --routes` reads.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

import numpy as np

from racesim.climbs import detect_climbs
from racesim.routes import load_route, load_stages, resample, route_path

KINDS = ("climb-foot", "summit-finish")


def climb_foot_start(out_dir: Path, data_dir: Path | None = None) -> list[int]:
    """Write the climb-foot route set to `out_dir`; the stages cut, in order."""
    return route_set("climb-foot", out_dir, data_dir)


def route_set(kind: str, out_dir: Path, data_dir: Path | None = None) -> list[int]:
    """Write the route set `kind` (KINDS) to `out_dir`; the stages cut, in order."""
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
        skip = kind == "climb-foot" and info.is_time_trial
        climbs = [] if skip else detect_climbs(resample(route))
        target = out_dir / "routes" / route_path(info.stage).name
        if not climbs:
            shutil.copyfile(route_path(info.stage, data_dir), target)
            continue
        first, last = 0, len(route.lat)
        if kind == "climb-foot":
            first = int(np.searchsorted(route.cum_m, climbs[0].foot_m))
        else:
            last = int(np.searchsorted(route.cum_m, climbs[-1].summit_m)) + 1
        with target.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("seq", "lat", "lon", "ele_m"))
            for seq, i in enumerate(range(first, last)):
                writer.writerow((seq, route.lat[i], route.lon[i], route.ele_m[i]))
        cut_km = (route.length_m - route.cum_m[last - 1] + route.cum_m[first]) / 1000
        row["distance_km"] = f"{info.distance_km - cut_km:.1f}"
        cut.append(info.stage)
    with (out_dir / "stages.csv").open("w", newline="", encoding="utf-8") as fh:
        index_writer = csv.DictWriter(fh, fieldnames=fields)
        index_writer.writeheader()
        index_writer.writerows(index)
    return cut


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, help="the routes to start from (default: 2023)")
    args = parser.parse_args()
    cut = route_set(args.kind, args.out, args.data)
    print(f"{args.out}: stages {', '.join(map(str, cut))} cut ({args.kind})")


if __name__ == "__main__":
    main()
