"""Land the file sources: stage index and stage CSVs (per stage day), athletes (whole table).

Rejected rows go to `raw.quarantine` with their reason; each file's quarantine rows are
replaced when the file is landed again, in a commit made before the data's: a run killed
between the two leaves the file unlanded (its fingerprint is the data's), so the next run lands
both again and they always agree. Every file is reconciled: rows read = rows landed +
rows quarantined, or the ingestion fails.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyiceberg.catalog import Catalog

from lakehouse.errors import PelotonError
from lakehouse.ingest.quarantine import replace_quarantine
from lakehouse.lake.commits import ensure_table, landed_fingerprints, lineage, now, replace
from lakehouse.lake.definition import TableDef
from lakehouse.lake.raw_tables import ATHLETES, STAGE_ROUTES, STAGES
from lakehouse.settings import Settings
from lakehouse.sources.athletes import athletes_source, read_athletes
from lakehouse.sources.rows import Parsed, Rejected, SourceFileError
from lakehouse.sources.stages import (
    StageFile,
    read_index,
    read_stage_file,
    stage_files,
    whole_file_rejected,
)


@dataclass(frozen=True)
class FileResult:
    """What one source file gave: rows read, landed and quarantined (or skipped unchanged)."""

    source: str
    read: int
    landed: int
    quarantined: int
    skipped: bool = False
    note: str = ""
    """What else a reader of the run's summary must know (a refused file, what was kept)."""


def _table(
    definition: TableDef, columns: dict[str, list[Any]], n: int, source: str, batch_id: str
) -> pa.Table:
    schema = definition.schema().as_arrow()
    arrays: list[pa.Array] = []
    for field in schema:
        if field.name in columns:
            arrays.append(pa.array(columns[field.name], type=field.type))
    arrays += lineage(n, source, batch_id, now())
    return pa.Table.from_arrays(arrays, schema=schema)


def _reconcile(label: str, parsed: Parsed) -> FileResult:
    result = FileResult(label, parsed.read, parsed.rows, len(parsed.rejected))
    if result.read != result.landed + result.quarantined:
        raise PelotonError(
            f"{label}: {result.read} rows read but {result.landed} landed and "
            f"{result.quarantined} quarantined; rows would be lost"
        )
    return result


def ingest_stages(
    catalog: Catalog,
    folder: Path,
    full_refresh: bool = False,
    only: set[int] | None = None,
    batch_id: str | None = None,
) -> list[FileResult]:
    """Land stages.csv (raw.stages) and every stage-NN.csv (raw.stage_routes, by stage day)."""
    batch_id = batch_id or uuid.uuid4().hex
    index_path = folder / "stages.csv"
    index_label = "stages/stages.csv"
    stages = ensure_table(catalog, STAGES)
    try:
        index = read_index(index_path)
    except SourceFileError as exc:
        refused = _refuse(catalog, "stages", index_label, index_path, str(exc), batch_id)
        note = "; no stage file landed (their days come from the index)"
        return [replace_note(refused, refused.note + note)]
    fingerprint = StageFile(0, index_path).fingerprint()
    if not full_refresh and landed_fingerprints(stages).get(index_label) == fingerprint:
        results = [FileResult(index_label, 0, 0, 0, skipped=True)]
    else:
        columns = dict(index.columns)
        columns["stage_date"] = columns.pop("date")
        data = _table(STAGES, columns, index.rows, index_label, batch_id)
        replace_quarantine(catalog, "stages", index_label, index.rejected, fingerprint, batch_id)
        replace(stages, data, "True", index_label, fingerprint, batch_id)
        results = [_reconcile(index_label, index)]

    days: dict[int, date] = dict(zip(index.columns["stage"], index.columns["date"], strict=True))
    routes = ensure_table(catalog, STAGE_ROUTES)
    landed = landed_fingerprints(routes)
    for stage_file in stage_files(folder):
        if only is not None and stage_file.stage not in only:
            continue
        results.append(
            _ingest_stage_file(catalog, routes, stage_file, days, landed, full_refresh, batch_id)
        )
    return results


def replace_note(result: FileResult, note: str) -> FileResult:
    return FileResult(
        result.source, result.read, result.landed, result.quarantined, result.skipped, note
    )


def _refuse(
    catalog: Catalog,
    kind: str,
    label: str,
    path: Path | None,
    reason: str,
    batch_id: str,
    rows: list[Rejected] | None = None,
) -> FileResult:
    """A file that cannot be read as a whole: every line (or the `rows` given, a sheet's)
    quarantined with the reason, and the version landed before (if any) kept, as the
    result's note says."""
    rejected = rows or whole_file_rejected(label, path, reason)
    fingerprint = StageFile(0, path).fingerprint() if path and path.is_file() else "refused"
    replace_quarantine(catalog, kind, label, rejected, fingerprint, batch_id)
    return FileResult(
        label, len(rejected), 0, len(rejected), note=f"refused: {reason}; previous version kept"
    )


def _ingest_stage_file(
    catalog: Catalog,
    routes: Any,
    stage_file: StageFile,
    days: dict[int, date],
    landed: dict[str, str],
    full_refresh: bool,
    batch_id: str,
) -> FileResult:
    label, day = stage_file.label, days.get(stage_file.stage)
    if day is None:
        reason = (
            f"stage {stage_file.stage} has no valid line in stages/stages.csv; expected every "
            "stage file to have one (see raw.quarantine for the index's rejected lines)"
        )
        return _refuse(catalog, "stage_routes", label, stage_file.path, reason, batch_id)
    fingerprint = stage_file.fingerprint(day)
    if not full_refresh and landed.get(label) == fingerprint:
        return FileResult(label, 0, 0, 0, skipped=True)
    try:
        parsed = read_stage_file(stage_file)
    except SourceFileError as exc:
        return _refuse(catalog, "stage_routes", label, stage_file.path, str(exc), batch_id)
    columns = dict(parsed.columns)
    columns["stage"] = [stage_file.stage] * parsed.rows
    columns["stage_date"] = [day] * parsed.rows
    data = _table(STAGE_ROUTES, columns, parsed.rows, label, batch_id)
    # by stage: a stage moved to another day leaves nothing behind on the old one
    replace_quarantine(catalog, "stage_routes", label, parsed.rejected, fingerprint, batch_id)
    replace(routes, data, f"stage == {stage_file.stage}", label, fingerprint, batch_id)
    return _reconcile(label, parsed)


def ingest_athletes(
    catalog: Catalog, settings: Settings, full_refresh: bool = False, batch_id: str | None = None
) -> FileResult:
    """Land the athletes sheet into raw.athletes (the whole table, replaced in one commit)."""
    batch_id = batch_id or uuid.uuid4().hex
    try:
        source = read_athletes(settings)
    except SourceFileError as exc:
        label, path = athletes_source(settings)
        return _refuse(catalog, "athletes", label, path, str(exc), batch_id, exc.rejected)
    table = ensure_table(catalog, ATHLETES)
    if not full_refresh and landed_fingerprints(table).get(source.label) == source.fingerprint:
        return FileResult(source.label, 0, 0, 0, skipped=True)
    data = _table(ATHLETES, source.parsed.columns, source.parsed.rows, source.label, batch_id)
    replace_quarantine(
        catalog, "athletes", source.label, source.parsed.rejected, source.fingerprint, batch_id
    )
    replace(table, data, "True", source.label, source.fingerprint, batch_id)
    return _reconcile(source.label, source.parsed)
