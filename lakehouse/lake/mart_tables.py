"""The `marts` layer: race results computed from staging (lakehouse/transform/results.py)."""

from __future__ import annotations

from pyiceberg.types import DateType, DoubleType, IntegerType, LongType, StringType, TimestamptzType

from lakehouse.lake.definition import TableDef, columns
from lakehouse.lake.staging_tables import STAGING_ATHLETES

STAGE_RESULTS = TableDef(
    name="marts.stage_results",
    doc="Per stage and rider with telemetry: finish time, rank, gap, bonus and status",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
        ("bib", IntegerType(), True, "race number"),
        ("athlete_id", LongType(), True, "Strava athlete id"),
        *columns(STAGING_ATHLETES, "rider_name", "team"),
        (
            "status",
            StringType(),
            True,
            "finished, outside_time_limit (slower than the limit) or abandoned (no finish)",
        ),
        (
            "started_at",
            TimestamptzType(),
            True,
            "official start; a time-trial rider's own start",
        ),
        ("finished_at", TimestamptzType(), False, "finish line crossing, interpolated"),
        ("finish_time_s", DoubleType(), False, "finished_at minus started_at (s)"),
        (
            "official_time_s",
            LongType(),
            False,
            "whole seconds, same-time rule applied on road stages (s)",
        ),
        ("bonus_s", IntegerType(), True, "finish bonus: 10, 6, 4 s for the first three (s)"),
        ("rank", IntegerType(), False, "finish order (finishers and riders outside the limit)"),
        ("gap_s", LongType(), False, "official time minus the winner's (s)"),
    ),
    partition_by="stage_date",
)

GENERAL_CLASSIFICATION = TableDef(
    name="marts.general_classification",
    doc="The general classification after each stage: cumulative time with bonuses",
    columns=(
        ("stage", IntegerType(), True, "after this stage"),
        ("bib", IntegerType(), True, "race number"),
        ("athlete_id", LongType(), True, "Strava athlete id"),
        *columns(STAGING_ATHLETES, "rider_name", "team"),
        ("rank", IntegerType(), True, "rank (ties broken by bib)"),
        ("total_time_s", LongType(), True, "sum of official times minus bonuses (s)"),
        ("gap_s", LongType(), True, "behind the leader (s)"),
    ),
)

RIDER = (
    ("bib", IntegerType(), True, "race number"),
    ("athlete_id", LongType(), True, "Strava athlete id"),
    *columns(STAGING_ATHLETES, "rider_name", "team"),
)
EFFORT = (
    ("started_at", TimestamptzType(), True, "crossing of the segment's start"),
    ("ended_at", TimestamptzType(), True, "crossing of the segment's end"),
    ("time_s", DoubleType(), True, "time from start to end (s)"),
    ("avg_speed_kmh", DoubleType(), True, "segment length over time (km/h)"),
    ("vam_m_h", DoubleType(), False, "metres climbed per hour, route elevation (m/h)"),
    ("avg_power_w", DoubleType(), False, "average power over the effort (W); null without meter"),
    ("w_per_kg", DoubleType(), False, "average power per kilogram of the rider (W/kg)"),
    ("avg_hr_bpm", DoubleType(), False, "average heart rate (beats/min); null without sensor"),
    ("rank", IntegerType(), True, "rank on the segment by time"),
)

CLIMB_EFFORTS = TableDef(
    name="marts.climb_efforts",
    doc="Per categorized climb and rider: time from foot to summit, VAM, power, heart rate",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
        ("climb_number", IntegerType(), True, "climb order within the stage"),
        ("climb_name", StringType(), True, "climb name"),
        ("category", StringType(), True, "HC, 1, 2, 3 or 4"),
        ("length_km", DoubleType(), True, "from foot to summit along the route (km)"),
        ("avg_gradient_pct", DoubleType(), True, "elevation gain over length (%)"),
        *RIDER,
        *EFFORT,
    ),
    partition_by="stage_date",
)

SEGMENT_EFFORTS = TableDef(
    name="marts.segment_efforts",
    doc=(
        "Per segment and rider: the stage's climbs (named segments) and its final 10 km; "
        "any other distance range is computed on demand (lakehouse.transform.segments)"
    ),
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
        ("segment_id", StringType(), True, "stage-start_m-end_m"),
        ("segment_name", StringType(), True, "climb name, or what the range is"),
        ("kind", StringType(), True, "climb or segment"),
        ("start_km", DoubleType(), True, "segment start along the route (km)"),
        ("end_km", DoubleType(), True, "segment end along the route (km)"),
        *RIDER,
        *EFFORT,
    ),
    partition_by="stage_date",
)

RIDER_STAGE_SUMMARY = TableDef(
    name="marts.rider_stage_summary",
    doc="Per stage and rider with telemetry: distance, time, speed, heart rate, power, climbing",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
        *RIDER,
        ("distance_km", DoubleType(), True, "distance covered along the route (km)"),
        ("moving_time_s", DoubleType(), True, "time spent moving (s)"),
        ("avg_speed_kmh", DoubleType(), False, "distance over moving time (km/h)"),
        ("max_speed_kmh", DoubleType(), False, "highest head-unit speed (km/h)"),
        ("avg_hr_bpm", DoubleType(), False, "average heart rate (beats/min)"),
        ("max_hr_bpm", DoubleType(), False, "highest heart rate (beats/min)"),
        ("avg_power_w", DoubleType(), False, "average power (W)"),
        (
            "normalized_power_w",
            DoubleType(),
            False,
            "fourth-power mean of the 30 s rolling average power (W)",
        ),
        ("work_kj", DoubleType(), False, "mechanical work, power times time (kJ)"),
        ("elevation_gain_m", DoubleType(), True, "route climbing over the distance covered (m)"),
    ),
    partition_by="stage_date",
)

STAGE_SUMMARY = TableDef(
    name="marts.stage_summary",
    doc="Per stage: winner, average speed, finishers, biggest gap",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
        ("winner_bib", IntegerType(), False, "race number of the winner"),
        ("winner_name", StringType(), False, "winner's name"),
        ("winner_team", StringType(), False, "winner's team"),
        ("winner_time_s", DoubleType(), False, "winner's finish time (s)"),
        ("avg_speed_kmh", DoubleType(), False, "route length over the winner's time (km/h)"),
        ("starters", IntegerType(), True, "riders with telemetry who started"),
        ("finishers", IntegerType(), True, "riders who finished within the time limit"),
        ("abandoned", IntegerType(), True, "riders who did not reach the finish"),
        ("outside_time_limit", IntegerType(), True, "riders slower than the time limit"),
        ("largest_gap_s", LongType(), False, "largest gap between consecutive finishers (s)"),
        ("largest_gap_after_rank", IntegerType(), False, "rank just before that gap"),
    ),
    partition_by="stage_date",
)

POINTS_AWARDED = TableDef(
    name="marts.points_awarded",
    doc="Points won on a stage: at the finish and sprints (points), at summits (mountains)",
    columns=(
        ("stage", IntegerType(), True, "stage number"),
        ("stage_date", DateType(), True, "day of the stage; partition key"),
        *RIDER,
        ("classification", StringType(), True, "points or mountains"),
        ("at", StringType(), True, "finish, the sprint's name or the climb's name"),
        ("place", IntegerType(), True, "crossing order there"),
        ("points", IntegerType(), True, "points for that place (scales in docs/transforms.md)"),
    ),
    partition_by="stage_date",
)


def _ranking(name: str, what: str) -> TableDef:
    return TableDef(
        name=name,
        doc=f"The {what} classification after each stage: points so far",
        columns=(
            ("stage", IntegerType(), True, "after this stage"),
            *RIDER,
            ("rank", IntegerType(), True, "rank (ties: better GC time, then bib)"),
            ("points", IntegerType(), True, "points so far"),
        ),
    )


POINTS_CLASSIFICATION = _ranking("marts.points_classification", "points (green jersey)")
MOUNTAINS_CLASSIFICATION = _ranking(
    "marts.mountains_classification", "mountains (polka-dot jersey)"
)

MART_TABLES = (
    STAGE_RESULTS,
    GENERAL_CLASSIFICATION,
    CLIMB_EFFORTS,
    SEGMENT_EFFORTS,
    RIDER_STAGE_SUMMARY,
    STAGE_SUMMARY,
    POINTS_AWARDED,
    POINTS_CLASSIFICATION,
    MOUNTAINS_CLASSIFICATION,
)
