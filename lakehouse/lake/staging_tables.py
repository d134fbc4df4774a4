"""The `staging` layer: raw rows typed, deduplicated, flagged and matched to their routes."""

from __future__ import annotations

from pyiceberg.types import (
    BooleanType,
    DateType,
    DoubleType,
    IntegerType,
    StringType,
)

from lakehouse.lake.definition import TableDef, columns
from lakehouse.lake.raw_tables import ATHLETES, STAGE_ROUTES, STAGES, TELEMETRY

OFF_ROUTE_M = 50.0
"""A point farther than this from the route is off route: flagged, and never moves the map
matcher's window (lakehouse.transform.mapmatch)."""
SPIKE_KMH = 120.0
"""A point reached from the previous one, and left for the next one, faster than this is a
spike; reached faster than this but not left (the track goes on from there) is a jump."""
MOVING_KMH = 3.0
"""At or above this head-unit speed (or speed along the route when the unit gives none), the
rider is moving."""


STAGING_TELEMETRY = TableDef(
    name="staging.telemetry",
    doc=(
        "Telemetry points, one per rider and second (duplicates removed), matched to the "
        "stage route, with quality flags"
    ),
    columns=(
        *columns(
            TELEMETRY,
            "athlete_id",
            "stage",
            "recorded_at",
            "lat",
            "lon",
            "elevation_m",
            "speed_kmh",
            "heart_rate_bpm",
            "power_w",
            "cadence_rpm",
        ),
        ("distance_km", DoubleType(), True, "distance from the start along the route (km)"),
        ("offset_m", DoubleType(), True, "distance from the route (m)"),
        ("route_gradient_pct", DoubleType(), False, "gradient of the route at the point (%)"),
        ("off_route", BooleanType(), True, f"farther than {OFF_ROUTE_M:.0f} m from the route"),
        (
            "is_spike",
            BooleanType(),
            True,
            f"a single point reached and left faster than {SPIKE_KMH:.0f} km/h",
        ),
        (
            "is_jump",
            BooleanType(),
            True,
            f"reached faster than {SPIKE_KMH:.0f} km/h from the previous point (not a spike)",
        ),
        ("moving", BooleanType(), True, f"speed at or above {MOVING_KMH:.0f} km/h"),
        ("stage_date", DateType(), True, "stage day; partition key"),
    ),
    partition_by="stage_date",
    dictionary=("athlete_id", "stage", "stage_date"),
)

STAGING_STAGES = TableDef(
    name="staging.stages",
    doc="The stages, typed, with the surveyed route length and the finish distance",
    columns=tuple(
        (name, typ, True, doc) if name in ("route_length_km", "kind", "start_at") else column
        for column in STAGES.columns
        for name, typ, _, doc in [column]
    ),
)


STAGING_STAGE_ROUTES = TableDef(
    name="staging.stage_routes",
    doc="Route points in order, with cumulative distance and smoothed gradient",
    columns=(
        *columns(STAGE_ROUTES, "stage", "seq", "lat", "lon", "ele_m"),
        ("distance_km", DoubleType(), True, "distance from the start along the route (km)"),
        (
            "gradient_pct",
            DoubleType(),
            False,
            "gradient (%) of the elevation smoothed over 100 m, towards the next point",
        ),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
    ),
    partition_by="stage_date",
)

STAGING_CHECKPOINTS = TableDef(
    name="staging.checkpoints",
    doc="Start, intermediate sprints, climb feet and summits, finish, at their route distance",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("checkpoint", StringType(), True, "start, sprint, climb_foot, climb_summit, finish"),
        *columns(STAGE_ROUTES, "name", "category", "climb_number"),
        ("distance_km", DoubleType(), True, "distance from the start along the route (km)"),
        *columns(STAGE_ROUTES, "lat", "lon", "ele_m"),
        ("stage_date", DateType(), True, "day of the stage"),
    ),
)

STAGING_ATHLETES = TableDef(
    name="staging.athletes",
    doc="The start list, one row per rider (bib), typed",
    columns=tuple(
        ("athlete_id", typ, req, doc) if name == "strava_athlete_id" else (name, typ, req, doc)
        for name, typ, req, doc in ATHLETES.columns
    ),
)

STAGING_TABLES = (
    STAGING_TELEMETRY,
    STAGING_STAGES,
    STAGING_STAGE_ROUTES,
    STAGING_CHECKPOINTS,
    STAGING_ATHLETES,
)
