"""The `raw` layer: sources as extracted, plus lineage columns, partitioned by stage day."""

from __future__ import annotations

from dataclasses import dataclass

from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import (
    DateType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

LINEAGE = (
    ("_loaded_at", TimestamptzType(), "when this row was landed (UTC)"),
    ("_source", StringType(), "where the row came from: table, file or sheet"),
    ("_batch_id", StringType(), "id of the ingestion run that landed the row"),
)


@dataclass(frozen=True)
class TableDef:
    """A table's name, schema (with docs) and identity partition column, if any."""

    name: str
    doc: str
    columns: tuple[tuple[str, object, bool, str], ...]
    """(name, Iceberg type, required, doc) of the source columns; lineage is appended."""
    partition_by: str | None = None

    def schema(self) -> Schema:
        fields = [
            NestedField(i + 1, name, typ, required=req, doc=doc)  # type: ignore[arg-type]
            for i, (name, typ, req, doc) in enumerate(self.columns)
        ]
        base = len(fields)
        fields += [
            NestedField(base + i + 1, name, typ, required=False, doc=doc)
            for i, (name, typ, doc) in enumerate(LINEAGE)
        ]
        return Schema(*fields)

    def partition_spec(self) -> PartitionSpec:
        if self.partition_by is None:
            return PartitionSpec()
        source = self.schema().find_field(self.partition_by)
        return PartitionSpec(
            PartitionField(source.field_id, 1000, IdentityTransform(), self.partition_by)
        )


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
)
