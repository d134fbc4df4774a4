"""The `raw` layer: sources as extracted, plus lineage columns, partitioned by stage day."""

from __future__ import annotations

from pyiceberg.types import (
    DateType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    StringType,
    TimestamptzType,
)

from lakehouse.lake.definition import TableDef

TELEMETRY = TableDef(
    name="raw.telemetry",
    doc="Race telemetry at 1 Hz as extracted from race.telemetry, one partition per stage day",
    columns=(
        ("athlete_id", LongType(), True, "Strava athlete id"),
        ("stage", IntegerType(), True, "stage number"),
        ("recorded_at", TimestamptzType(), True, "time of the GPS fix (UTC)"),
        ("lat", DoubleType(), True, "latitude, WGS84 degrees"),
        ("lon", DoubleType(), True, "longitude, WGS84 degrees"),
        ("elevation_m", FloatType(), False, "GPS elevation (m)"),
        ("speed_kmh", FloatType(), False, "head unit speed (km/h)"),
        ("heart_rate_bpm", IntegerType(), False, "heart rate (beats/min)"),
        ("power_w", IntegerType(), False, "power (W)"),
        ("cadence_rpm", IntegerType(), False, "cadence (rpm)"),
        ("stage_date", DateType(), True, "stage day (the source partition); partition key"),
    ),
    partition_by="stage_date",
    dictionary=("athlete_id", "stage", "stage_date"),
)

STAGES = TableDef(
    name="raw.stages",
    doc="The stage index (stages/stages.csv): date, towns, distances, kind, start time",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage"),
        ("start", StringType(), False, "start town"),
        ("finish", StringType(), False, "finish town"),
        ("distance_km", DoubleType(), False, "official distance (km)"),
        ("route_length_km", DoubleType(), False, "length of the surveyed path (km)"),
        ("elevation_gain_m", DoubleType(), False, "official elevation gain (m)"),
        ("kind", StringType(), False, "road or individual_time_trial"),
        ("profile", StringType(), False, "flat, hilly, mountain or time_trial"),
        ("start_at", TimestamptzType(), False, "official start (km 0)"),
        ("time_limit_pct", DoubleType(), False, "time limit: winner's time plus this percentage"),
    ),
)

STAGE_ROUTES = TableDef(
    name="raw.stage_routes",
    doc="Stage paths and checkpoints as in the stage CSVs (record = point or checkpoint)",
    columns=(
        ("stage", IntegerType(), True, "stage number (from the file name)"),
        ("record", StringType(), True, "point (a path point) or checkpoint"),
        (
            "seq",
            IntegerType(),
            True,
            "order of the path point (checkpoints: the point they sit on)",
        ),
        ("lat", DoubleType(), True, "latitude, WGS84 degrees"),
        ("lon", DoubleType(), True, "longitude, WGS84 degrees"),
        ("ele_m", DoubleType(), False, "surveyed elevation (m)"),
        ("distance_km", DoubleType(), False, "distance from the start along the path (km)"),
        ("checkpoint", StringType(), False, "start, sprint, climb_foot, climb_summit, finish"),
        ("name", StringType(), False, "checkpoint name (climb or town)"),
        ("category", StringType(), False, "climb category: HC, 1, 2, 3, 4"),
        ("climb_number", IntegerType(), False, "climb order within the stage"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
    ),
    partition_by="stage_date",
)

ATHLETES = TableDef(
    name="raw.athletes",
    doc="The start list from the athletes Google Sheet",
    columns=(
        ("bib", IntegerType(), True, "race number"),
        ("rider_name", StringType(), True, "rider name"),
        ("team", StringType(), True, "team name"),
        ("team_code", StringType(), False, "three-letter team code"),
        ("nationality", StringType(), False, "IOC country code"),
        ("birth_date", DateType(), False, "date of birth"),
        ("height_cm", IntegerType(), False, "height (cm)"),
        ("weight_kg", DoubleType(), False, "weight (kg)"),
        ("role", StringType(), False, "leader, climber, sprinter, rouleur, domestique"),
        ("ftp_w_per_kg", DoubleType(), False, "functional threshold power (W/kg)"),
        ("max_hr_bpm", IntegerType(), False, "maximum heart rate (beats/min)"),
        ("rest_hr_bpm", IntegerType(), False, "resting heart rate (beats/min)"),
        ("strava_athlete_id", LongType(), False, "Strava athlete id (telemetry key); null if none"),
    ),
)

QUARANTINE = TableDef(
    name="raw.quarantine",
    doc="Rejected source rows: where they were, why, and the row as it was",
    columns=(
        ("source", StringType(), True, "stages, stage_routes, athletes or telemetry"),
        ("location", StringType(), True, "file and line, or day and key, of the rejected row"),
        ("reason", StringType(), True, "what was wrong and what was expected"),
        ("payload", StringType(), False, "the raw row (CSV line or JSON)"),
    ),
)

RAW_TABLES = (TELEMETRY, STAGES, STAGE_ROUTES, ATHLETES, QUARANTINE)
