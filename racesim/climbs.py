"""Categorized climbs detected from a stage's elevation profile.

Rule (documented in racesim/README.md):
1. Zig-zag over the smoothed profile with a hysteresis of `HYSTERESIS_M`: a climb runs from a
   low point to the next high point, and dips smaller than the hysteresis stay inside it. Two
   rises in a row become one climb when the second tops the first and the dip between them is
   under `MERGE_DIP_FRACTION` of the first one's gain (Méribel and the Col de la Loze).
2. The foot is moved up while the first 500 m, then the first 100 m, of the climb average
   under `TRIM_MIN_GRADE` (false flat is not climbing).
3. Score = length in metres x average gradient in percent (the rule Strava popularised).
   Category: HC >= 80,000; 1 >= 64,000; 2 >= 32,000; 3 >= 16,000; 4 >= 8,000; below: not
   categorized. A climb must also average at least `MIN_AVG_GRADE`.
4. A summit within `NAME_RADIUS_M` of a known pass takes its name; others are named after
   their distance from the start ("Côte du km 87.3").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racesim.geo import haversine_m
from racesim.routes import Course

HYSTERESIS_M = 50.0
MERGE_DIP_FRACTION = 0.15
TRIM_WINDOWS_M = (500.0, 100.0)
TRIM_MIN_GRADE = 0.02
MIN_AVG_GRADE = 0.03
CATEGORY_THRESHOLDS: tuple[tuple[str, float], ...] = (
    ("HC", 80_000.0),
    ("1", 64_000.0),
    ("2", 32_000.0),
    ("3", 16_000.0),
    ("4", 8_000.0),
)
NAME_RADIUS_M = 1_000.0

KNOWN_SUMMITS: tuple[tuple[str, float, float], ...] = (
    # name, lat, lon of the summit as surveyed on the 2023 routes
    ("Col de la Loze", 45.40755, 6.60296),
    ("Col du Tourmalet", 42.9087, 0.14539),
    ("Puy de Dôme", 45.77227, 2.96383),
    ("Grand Colombier", 45.90361, 5.76146),
    ("Col de Joux Plane", 46.12964, 6.71265),
    ("Col de Soudet", 42.98674, -0.75475),
    ("Col de Marie Blanque", 43.06977, -0.50621),
    ("Col d'Aspin", 42.94256, 0.32706),
    ("Cauterets-Cambasque", 42.8827, -0.14293),
    ("Col de la Croix Saint-Robert", 45.5635, 2.83765),
    ("Col de la Ramaz", 46.15983, 6.57924),
    ("Col de la Croix Fry", 45.87718, 6.40597),
    ("Col des Aravis", 45.87198, 6.46565),
    ("Saint-Gervais Mont-Blanc", 45.87451, 6.68824),
    ("Col des Saisies", 45.7598, 6.53395),
    ("Cormet de Roselend", 45.69156, 6.69184),
    ("Ballon d'Alsace", 47.82077, 6.83637),
    ("Petit Ballon", 47.98421, 7.12027),
)


@dataclass(frozen=True)
class Climb:
    """A categorized climb: from its foot to its summit, distances from the stage start."""

    stage: int
    number: int
    name: str
    category: str
    foot_m: float
    summit_m: float
    foot_ele_m: float
    summit_ele_m: float
    summit_lat: float
    summit_lon: float

    @property
    def length_m(self) -> float:
        return self.summit_m - self.foot_m

    @property
    def gain_m(self) -> float:
        return self.summit_ele_m - self.foot_ele_m

    @property
    def avg_grade(self) -> float:
        return self.gain_m / self.length_m

    @property
    def score(self) -> float:
        return climb_score(self.length_m, self.avg_grade)


def climb_score(length_m: float, avg_grade: float) -> float:
    """Length in metres times average gradient in percent."""
    return length_m * avg_grade * 100.0


def categorize(score: float) -> str | None:
    """Category for a score, or None below category 4."""
    for category, threshold in CATEGORY_THRESHOLDS:
        if score >= threshold:
            return category
    return None


def _zigzag(ele: np.ndarray) -> list[tuple[int, int]]:
    """(low index, high index) pairs of rises larger than the hysteresis."""
    pairs: list[tuple[int, int]] = []
    low, high, rising = 0, 0, False
    for i in range(1, len(ele)):
        if not rising:
            if ele[i] < ele[low]:
                low = i
            elif ele[i] - ele[low] >= HYSTERESIS_M:
                rising, high = True, i
        elif ele[i] > ele[high]:
            high = i
        elif ele[high] - ele[i] >= HYSTERESIS_M:
            pairs.append((low, high))
            rising, low = False, i
    if rising:
        pairs.append((low, high))
    return _merge(ele, pairs)


def _merge(ele: np.ndarray, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in pairs:
        if merged:
            prev_low, prev_high = merged[-1]
            gain = ele[prev_high] - ele[prev_low]
            dip = ele[prev_high] - ele[low]
            if ele[high] > ele[prev_high] and dip < MERGE_DIP_FRACTION * gain:
                merged[-1] = (prev_low, high)
                continue
        merged.append((low, high))
    return merged


def _trim_foot(course: Course, foot: int, summit: int) -> int:
    step = float(course.x_m[1] - course.x_m[0])
    ele = course.ele_m
    for window_m in TRIM_WINDOWS_M:
        window = max(round(window_m / step), 1)
        while (
            summit - foot > window
            and (ele[foot + window] - ele[foot]) / (window * step) < TRIM_MIN_GRADE
        ):
            foot += 1
    return foot


def _name(lat: float, lon: float, summit_km: float) -> str:
    for name, k_lat, k_lon in KNOWN_SUMMITS:
        d = haversine_m(np.array(lat), np.array(lon), np.array(k_lat), np.array(k_lon))
        if float(d) <= NAME_RADIUS_M:
            return name
    return f"Côte du km {summit_km:.1f}"


def detect_climbs(course: Course) -> list[Climb]:
    """The categorized climbs of a stage, in race order."""
    climbs: list[Climb] = []
    for low, high in _zigzag(course.ele_m):
        foot = _trim_foot(course, low, high)
        length = float(course.x_m[high] - course.x_m[foot])
        if length <= 0:
            continue
        grade = float(course.ele_m[high] - course.ele_m[foot]) / length
        category = categorize(climb_score(length, grade))
        if category is None or grade < MIN_AVG_GRADE:
            continue
        climbs.append(
            Climb(
                stage=course.stage,
                number=len(climbs) + 1,
                name=_name(
                    float(course.lat[high]), float(course.lon[high]), course.x_m[high] / 1000
                ),
                category=category,
                foot_m=float(course.x_m[foot]),
                summit_m=float(course.x_m[high]),
                foot_ele_m=float(course.ele_m[foot]),
                summit_ele_m=float(course.ele_m[high]),
                summit_lat=float(course.lat[high]),
                summit_lon=float(course.lon[high]),
            )
        )
    return climbs
