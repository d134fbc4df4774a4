"""The race as the transforms read it from staging: stages' facts, riders, routes, checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.lake.readers import read
from lakehouse.lake.staging_tables import (
    STAGING_ATHLETES,
    STAGING_CHECKPOINTS,
    STAGING_STAGE_ROUTES,
    STAGING_STAGES,
)
from lakehouse.transform.results import StageFacts
from lakehouse.transform.tracks import FloatArray


@dataclass(frozen=True)
class Rider:
    athlete_id: int
    bib: int
    name: str
    team: str
    weight_kg: float | None


@dataclass(frozen=True)
class Checkpoint:
    """A point of a stage's route: start, sprint, climb_foot, climb_summit or finish."""

    checkpoint: str
    distance_km: float
    name: str | None
    category: str | None
    climb_number: int | None


@dataclass(frozen=True)
class Route:
    """A stage's elevation profile along its distance, and its checkpoints."""

    cum_m: FloatArray
    ele_m: FloatArray
    checkpoints: list[Checkpoint] = field(default_factory=list)

    def elevation(self, at_m: float) -> float | None:
        known = ~np.isnan(self.ele_m)
        if not known.any():
            return None
        return float(np.interp(at_m, self.cum_m[known], self.ele_m[known]))

    def where(self, checkpoint: str) -> list[Checkpoint]:
        """The checkpoints of one kind (climb_summit, sprint, ...), in staging's order."""
        return [c for c in self.checkpoints if c.checkpoint == checkpoint]


def stage_facts(catalog: Catalog, ref: str = MAIN_BRANCH) -> dict[date, StageFacts]:
    """Each stage's facts, by its day, as of `ref` (main: what is published)."""
    rows = read(catalog.load_table(STAGING_STAGES.name), ref).to_pylist()
    return {
        r["stage_date"]: StageFacts(
            stage=r["stage"],
            stage_date=r["stage_date"],
            kind=r["kind"],
            start_at=r["start_at"],
            route_length_m=r["route_length_km"] * 1000.0,
            time_limit_pct=r["time_limit_pct"] or 0.0,
            profile=r["profile"] or "flat",
        )
        for r in rows
    }


def riders(catalog: Catalog, ref: str = MAIN_BRANCH) -> dict[int, Rider]:
    """The start list's riders with a Strava athlete id, by that id."""
    rows = read(catalog.load_table(STAGING_ATHLETES.name), ref).to_pylist()
    return {
        r["athlete_id"]: Rider(
            r["athlete_id"], r["bib"], r["rider_name"], r["team"], r["weight_kg"]
        )
        for r in rows
        if r["athlete_id"] is not None
    }


def routes(catalog: Catalog, ref: str = MAIN_BRANCH) -> dict[int, Route]:
    """Every stage's route, by stage number."""
    points = read(catalog.load_table(STAGING_STAGE_ROUTES.name), ref)
    checkpoints = read(catalog.load_table(STAGING_CHECKPOINTS.name), ref).to_pylist()
    found = {}
    stages = points["stage"].to_numpy()
    for stage in np.unique(stages):
        rows = points.filter(pa.array(stages == stage)).sort_by("seq")
        found[int(stage)] = Route(
            rows["distance_km"].to_numpy() * 1000.0,
            rows["ele_m"].cast(pa.float64()).fill_null(np.nan).to_numpy(),
            [
                Checkpoint(
                    c["checkpoint"], c["distance_km"], c["name"], c["category"], c["climb_number"]
                )
                for c in checkpoints
                if c["stage"] == stage
            ],
        )
    return found
