"""Stage metadata and route geometry: read, validate, resample to a regular distance grid."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np

from racesim.errors import SimulationError
from racesim.geo import FloatArray, haversine_m

ROUTE_COLUMNS = ("seq", "lat", "lon", "ele_m")
STAGE_COLUMNS = ("stage", "date", "start", "finish", "distance_km", "elevation_gain_m", "kind")
STAGE_KINDS = ("road", "individual_time_trial")
GRID_STEP_M = 25.0
"""Spacing of the regular grid the race is simulated on."""
ELEVATION_SMOOTHING_M = 250.0
"""Width of the moving average applied to the surveyed elevation before taking gradients."""


def default_data_dir() -> Path:
    """The copy of the 2023 route data shipped inside the package."""
    return Path(str(resources.files("racesim") / "data" / "tdf-2023"))


@dataclass(frozen=True)
class StageInfo:
    """One line of stages.csv: the official facts of a stage."""

    stage: int
    date: date
    start: str
    finish: str
    distance_km: float
    elevation_gain_m: float
    kind: str

    @property
    def is_time_trial(self) -> bool:
        return self.kind == "individual_time_trial"


@dataclass(frozen=True)
class Route:
    """A stage path as surveyed: ordered points with their cumulative distance."""

    stage: int
    lat: FloatArray
    lon: FloatArray
    ele_m: FloatArray
    cum_m: FloatArray = field(repr=False)

    @property
    def length_m(self) -> float:
        return float(self.cum_m[-1])


@dataclass(frozen=True)
class Course:
    """A route resampled every GRID_STEP_M metres, with smoothed elevation and gradient."""

    stage: int
    x_m: FloatArray
    lat: FloatArray
    lon: FloatArray
    ele_m: FloatArray
    grade: FloatArray
    """Rise over run (0.08 = 8 %) of the smoothed elevation at each grid point."""

    @property
    def length_m(self) -> float:
        return float(self.x_m[-1])


def _require_header(path: Path, header: Sequence[str] | None, expected: tuple[str, ...]) -> None:
    missing = [c for c in expected if header is None or c not in header]
    if missing:
        raise SimulationError(
            f"{path}: line 1: missing column(s) {', '.join(missing)}; expected a header with "
            f"{', '.join(expected)}"
        )


def load_stages(data_dir: Path | None = None) -> list[StageInfo]:
    """Read and validate stages.csv."""
    path = (data_dir or default_data_dir()) / "stages.csv"
    if not path.is_file():
        raise SimulationError(
            f"{path}: stage list not found; expected stages.csv in the data folder"
        )
    stages: list[StageInfo] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        _require_header(path, reader.fieldnames, STAGE_COLUMNS)
        for line, row in enumerate(reader, start=2):
            try:
                info = StageInfo(
                    stage=int(row["stage"]),
                    date=date.fromisoformat(row["date"]),
                    start=row["start"],
                    finish=row["finish"],
                    distance_km=float(row["distance_km"]),
                    elevation_gain_m=float(row["elevation_gain_m"]),
                    kind=row["kind"],
                )
            except (TypeError, ValueError) as exc:
                raise SimulationError(
                    f"{path}: line {line}: {exc}; expected {STAGE_COLUMNS}"
                ) from exc
            if info.kind not in STAGE_KINDS:
                raise SimulationError(
                    f"{path}: line {line}: kind {info.kind!r}; expected one of {STAGE_KINDS}"
                )
            stages.append(info)
    return stages


def route_path(stage: int, data_dir: Path | None = None) -> Path:
    return (data_dir or default_data_dir()) / "routes" / f"stage-{stage:02d}.csv"


def load_route(stage: int, data_dir: Path | None = None) -> Route:
    """Read and validate one stage's path; errors name the file and line."""
    path = route_path(stage, data_dir)
    if not path.is_file():
        raise SimulationError(
            f"{path}: route file not found; expected routes/stage-{stage:02d}.csv"
        )
    lat: list[float] = []
    lon: list[float] = []
    ele: list[float] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        _require_header(path, reader.fieldnames, ROUTE_COLUMNS)
        previous_seq = -1
        for line, row in enumerate(reader, start=2):
            try:
                seq = int(row["seq"])
                la, lo, el = float(row["lat"]), float(row["lon"]), float(row["ele_m"])
            except (TypeError, ValueError) as exc:
                raise SimulationError(
                    f"{path}: line {line}: {exc}; expected integer seq and numeric lat, lon, ele_m"
                ) from exc
            if not (-90 <= la <= 90 and -180 <= lo <= 180 and -500 <= el <= 9000):
                raise SimulationError(
                    f"{path}: line {line}: point ({la}, {lo}, {el} m) out of range; expected "
                    "lat in [-90, 90], lon in [-180, 180], ele_m in [-500, 9000]"
                )
            if seq <= previous_seq:
                raise SimulationError(
                    f"{path}: line {line}: seq {seq} after {previous_seq}; expected increasing seq"
                )
            previous_seq = seq
            lat.append(la)
            lon.append(lo)
            ele.append(el)
    if len(lat) < 2:
        raise SimulationError(f"{path}: {len(lat)} point(s); expected at least 2")
    la_a, lo_a = np.asarray(lat), np.asarray(lon)
    steps = haversine_m(la_a[:-1], lo_a[:-1], la_a[1:], lo_a[1:])
    cum = np.concatenate([[0.0], np.cumsum(steps)])
    return Route(stage=stage, lat=la_a, lon=lo_a, ele_m=np.asarray(ele), cum_m=cum)


def _moving_average(values: FloatArray, width: int) -> FloatArray:
    """Centred moving average that keeps the ends (shrinking window at the edges)."""
    if width <= 1:
        return values
    kernel = np.ones(width)
    total = np.convolve(values, kernel, mode="same")
    count = np.convolve(np.ones_like(values), kernel, mode="same")
    return np.asarray(total / count)


def resample(route: Route, step_m: float = GRID_STEP_M) -> Course:
    """Resample a route every `step_m` metres; the last grid point is the finish line."""
    n = max(int(np.ceil(route.length_m / step_m)), 1)
    x = np.linspace(0.0, route.length_m, n + 1)
    # Repeated survey points give zero-length steps; np.interp needs increasing abscissae.
    keep = np.concatenate([[True], np.diff(route.cum_m) > 0])
    cum = route.cum_m[keep]
    lat = np.interp(x, cum, route.lat[keep])
    lon = np.interp(x, cum, route.lon[keep])
    ele_raw = np.interp(x, cum, route.ele_m[keep])
    width = max(round(ELEVATION_SMOOTHING_M / (x[1] - x[0])), 1)
    ele = _moving_average(ele_raw, width)
    grade = np.clip(np.gradient(ele, x), -0.25, 0.25)
    return Course(stage=route.stage, x_m=x, lat=lat, lon=lon, ele_m=ele, grade=grade)
