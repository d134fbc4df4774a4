"""Files the simulator writes: stage CSVs, the stage index, ground truth, manifest, licence."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from racesim.checkpoints import Checkpoint
from racesim.race import StageRace
from racesim.routes import Route
from racesim.truth import ClimbTime, GCEntry, StageResult

STAGE_FILE_COLUMNS = (
    "record",
    "seq",
    "lat",
    "lon",
    "ele_m",
    "distance_km",
    "checkpoint",
    "name",
    "category",
    "climb_number",
)
ATTRIBUTION = (
    "Route data: Tour de France - Geodata (florentfgrs/tour_de_france_geodata), ODbL 1.0.\n"
    "The stage files, telemetry and ground truth here are derived from it by Peloton's race\n"
    "simulator and are shared under the same licence (Open Database License 1.0).\n"
)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return str(value)


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV with LF line ends and stable number formatting."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_fmt(v) for v in row])


def write_stage_file(path: Path, route: Route, checkpoints: list[Checkpoint]) -> None:
    """The route path (record=point) followed by its checkpoints (record=checkpoint)."""

    def point(i: int) -> list[object]:
        return [
            i,
            round(float(route.lat[i]), 6),
            round(float(route.lon[i]), 6),
            round(float(route.ele_m[i]), 1),
            round(float(route.cum_m[i]) / 1000, 4),
        ]

    rows: list[list[object]] = [
        ["point", *point(i), None, None, None, None] for i in range(len(route.cum_m))
    ]
    rows += [
        ["checkpoint", *point(c.seq), c.kind, c.name, c.category, c.climb_number]
        for c in checkpoints
    ]
    write_rows(path, STAGE_FILE_COLUMNS, rows)


def write_stage_index(path: Path, races: list[StageRace], routes: dict[int, Route]) -> None:
    header = (
        "stage",
        "date",
        "start",
        "finish",
        "distance_km",
        "route_length_km",
        "elevation_gain_m",
        "kind",
        "profile",
        "start_at",
        "time_limit_pct",
    )
    write_rows(
        path,
        header,
        (
            (
                r.info.stage,
                r.info.date,
                r.info.start,
                r.info.finish,
                r.info.distance_km,
                round(routes[r.info.stage].length_m / 1000, 3),
                r.info.elevation_gain_m,
                r.info.kind,
                r.profile,
                r.start_at,
                r.time_limit_pct,
            )
            for r in races
        ),
    )


def _dataclass_rows(path: Path, items: Sequence[Any], header: Sequence[str]) -> None:
    write_rows(path, header, ([asdict(i)[h] for h in header] for i in items))


def write_truth(
    folder: Path, results: list[StageResult], climbs: list[ClimbTime], gc: list[GCEntry]
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _dataclass_rows(
        folder / "stage_results.csv",
        results,
        (
            "stage",
            "bib",
            "athlete_id",
            "status",
            "started_at",
            "finished_at",
            "finish_time_s",
            "official_time_s",
            "bonus_s",
            "rank",
        ),
    )
    _dataclass_rows(
        folder / "climb_times.csv",
        climbs,
        (
            "stage",
            "climb_number",
            "climb_name",
            "category",
            "bib",
            "athlete_id",
            "foot_at",
            "summit_at",
            "time_s",
        ),
    )
    _dataclass_rows(
        folder / "general_classification.csv", gc, ("stage", "bib", "rank", "total_time_s", "gap_s")
    )


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_attribution(folder: Path) -> None:
    (folder / "ATTRIBUTION.txt").write_text(ATTRIBUTION, encoding="utf-8")
