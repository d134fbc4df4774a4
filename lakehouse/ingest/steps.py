"""The ingestion steps the flows call, each from the settings alone, and the run's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lakehouse.catalog import open_catalog
from lakehouse.ingest.files import FileResult, ingest_athletes, ingest_stages
from lakehouse.ingest.telemetry import (
    DayResult,
    DayStreams,
    PlannedDay,
    load_day,
    plan_days,
    telemetry_table,
)
from lakehouse.postgres.connect import reader_url
from lakehouse.settings import Settings
from lakehouse.sources.telemetry import SourceDay


@dataclass
class IngestSummary:
    """Rows landed and quarantined per source and day or file: the run's artifact."""

    telemetry: list[DayResult] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)

    def rows(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = [
            {
                "source": "telemetry",
                "part": r.day.isoformat(),
                "read": r.rows,
                "landed": 0 if r.skipped else r.rows - r.quarantined,
                "quarantined": r.quarantined,
                "skipped": r.skipped,
                "note": "",
            }
            for r in self.telemetry
        ]
        out += [
            {
                "source": r.source.split("/")[0],
                "part": r.source,
                "read": r.read,
                "landed": r.landed,
                "quarantined": r.quarantined,
                "skipped": r.skipped,
                "note": r.note,
            }
            for r in self.files
        ]
        return out


def telemetry_plan(
    settings: Settings, only: set[date] | None, full_refresh: bool
) -> list[PlannedDay]:
    """The telemetry days of the source and which to land (an I/O step: the flow retries it):
    `plan_days` on the configured source and table, as `land_telemetry` plans."""
    table = telemetry_table(open_catalog(settings))
    return plan_days(table, reader_url(settings), settings.source.schema_name, only, full_refresh)


def telemetry_day(
    settings: Settings, source: SourceDay, streams: DayStreams, batch_id: str
) -> DayResult:
    """Land one day (an I/O step: the flow retries it, on a table loaded afresh each try)."""
    return load_day(telemetry_table(open_catalog(settings)), streams, source, batch_id)


def stage_files(
    settings: Settings, full_refresh: bool, stages: set[int] | None, batch_id: str
) -> list[FileResult]:
    catalog = open_catalog(settings)
    return ingest_stages(catalog, settings.sources_dir / "stages", full_refresh, stages, batch_id)


def athletes(settings: Settings, full_refresh: bool, batch_id: str) -> FileResult:
    return ingest_athletes(open_catalog(settings), settings, full_refresh, batch_id)
