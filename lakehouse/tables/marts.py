"""The `marts` layer: race results computed from staging (lakehouse/transform/results.py)."""

from __future__ import annotations

from pyiceberg.types import DateType, DoubleType, IntegerType, LongType, StringType, TimestamptzType

from lakehouse.tables.raw import TableDef
from lakehouse.tables.staging import STAGING_ATHLETES, columns

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

MART_TABLES = (STAGE_RESULTS, GENERAL_CLASSIFICATION)
