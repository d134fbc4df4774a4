"""Checkpoints of a stage (start, intermediate sprint, climbs, finish) snapped to surveyed points.

A checkpoint is written on the surveyed path point nearest to where it falls, and its
distance is that point's distance: the ground truth times are taken at the same distance, so
the pipeline and the truth measure the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racesim.race import StageRace
from racesim.routes import Route


@dataclass(frozen=True)
class Checkpoint:
    """A named point of the stage: kind is start, sprint, climb_foot, climb_summit or finish."""

    seq: int
    distance_m: float
    kind: str
    name: str
    category: str | None = None
    climb_number: int | None = None


def snap(route: Route, distance_m: float) -> int:
    """Index of the surveyed point nearest to `distance_m` along the route."""
    i = int(np.searchsorted(route.cum_m, distance_m))
    if i >= len(route.cum_m):
        return len(route.cum_m) - 1
    if i > 0 and distance_m - route.cum_m[i - 1] < route.cum_m[i] - distance_m:
        return i - 1
    return i


def stage_checkpoints(race: StageRace, route: Route) -> list[Checkpoint]:
    """The stage's checkpoints in race order."""
    last = len(route.cum_m) - 1
    points = [Checkpoint(0, 0.0, "start", race.info.start)]
    if race.sprint_m is not None:
        i = snap(route, race.sprint_m)
        points.append(Checkpoint(i, float(route.cum_m[i]), "sprint", "Intermediate sprint"))
    for climb in race.climbs:
        foot, top = snap(route, climb.foot_m), snap(route, climb.summit_m)
        points.append(
            Checkpoint(
                foot,
                float(route.cum_m[foot]),
                "climb_foot",
                climb.name,
                climb.category,
                climb.number,
            )
        )
        points.append(
            Checkpoint(
                top,
                float(route.cum_m[top]),
                "climb_summit",
                climb.name,
                climb.category,
                climb.number,
            )
        )
    points.append(Checkpoint(last, float(route.cum_m[last]), "finish", race.info.finish))
    return sorted(points, key=lambda p: (p.distance_m, p.kind != "climb_summit"))
