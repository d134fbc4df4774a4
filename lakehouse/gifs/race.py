"""What a flyby reads from the lakehouse: a stage's facts and route, the start list, tracks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyiceberg.catalog import Catalog

from lakehouse.gifs.request import FlybyRequestError
from lakehouse.gifs.riders import Entrant
from lakehouse.lake.readers import read, read_day
from lakehouse.lake.staging_tables import STAGING_ATHLETES, STAGING_STAGE_ROUTES, STAGING_TELEMETRY
from lakehouse.transform.facts import Route, routes, stage_facts
from lakehouse.transform.results import StageFacts
from lakehouse.transform.tracks import TRACK_COLUMNS, FloatArray, Track, tracks_of_day


@dataclass(frozen=True)
class StageMap:
    """A stage's route as drawn: points in order with their position and elevation."""

    lat: FloatArray
    lon: FloatArray
    cum_m: FloatArray
    ele_m: FloatArray


@dataclass(frozen=True)
class Stage:
    facts: StageFacts
    route: Route
    map: StageMap


def known_stages(catalog: Catalog) -> dict[int, StageFacts]:
    return {f.stage: f for f in stage_facts(catalog).values()}


def load_stage(catalog: Catalog, stage: int) -> Stage:
    """The stage's facts, route and checkpoints; an unknown stage names the known ones."""
    facts = known_stages(catalog)
    if stage not in facts:
        raise FlybyRequestError(
            f"stage {stage} is not in the lakehouse; known stages: "
            f"{', '.join(str(s) for s in sorted(facts)) or 'none (run the pipeline first)'}"
        )
    fact = facts[stage]
    points = read_day(
        catalog.load_table(STAGING_STAGE_ROUTES.name),
        fact.stage_date,
        ("seq", "lat", "lon", "distance_km", "ele_m"),
    ).sort_by("seq")
    stage_map = StageMap(
        lat=points["lat"].to_numpy(),
        lon=points["lon"].to_numpy(),
        cum_m=points["distance_km"].to_numpy() * 1000.0,
        ele_m=points["ele_m"].cast(pa.float64()).fill_null(np.nan).to_numpy(),
    )
    return Stage(fact, routes(catalog)[stage], stage_map)


def start_list(catalog: Catalog) -> list[Entrant]:
    """Every rider of the start list, with or without telemetry."""
    rows = read(catalog.load_table(STAGING_ATHLETES.name)).to_pylist()
    return [
        Entrant(r["bib"], r["rider_name"], r["team"], r["athlete_id"], r["weight_kg"])
        for r in sorted(rows, key=lambda r: r["bib"])
    ]


def load_tracks(catalog: Catalog, facts: StageFacts, athletes: Iterable[int]) -> dict[int, Track]:
    """The clean tracks of some riders on the stage's day (only their rows are read)."""
    ids = ", ".join(str(int(a)) for a in sorted(set(athletes)))
    table = catalog.load_table(STAGING_TELEMETRY.name)
    rows = read_day(table, facts.stage_date, TRACK_COLUMNS, where=f"athlete_id in ({ids})")
    return tracks_of_day(rows)
