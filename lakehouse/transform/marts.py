"""Build the marts from staging: stage results per day (incremental), then the classification.

A day's results are recomputed when its staging day changed (its recorded fingerprint) or the
stages or start list changed; the general classification is recomputed from all the results.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.ingest.commit import ensure_table, landed_fingerprints, replace
from lakehouse.tables.marts import GENERAL_CLASSIFICATION, STAGE_RESULTS
from lakehouse.tables.raw import TableDef
from lakehouse.tables.staging import STAGING_ATHLETES, STAGING_STAGES, STAGING_TELEMETRY
from lakehouse.transform.crossing import crossing_time
from lakehouse.transform.mapmatch import group_starts
from lakehouse.transform.results import (
    TT_START_LINE_M,
    Result,
    Ride,
    StageFacts,
    general_classification,
    stage_results,
    tt_start,
)
from lakehouse.transform.staging import snapshot_id, with_lineage

MARTS_VERSION = "marts-1"
TRACK_COLUMNS = ["athlete_id", "recorded_at", "distance_km", "off_route", "is_spike", "is_jump"]


@dataclass(frozen=True)
class MartsResult:
    days: list[date]
    skipped: list[date]
    results: int
    standings: int


def stage_facts(catalog: Catalog) -> dict[date, StageFacts]:
    rows = catalog.load_table(STAGING_STAGES.name).scan().to_arrow().to_pylist()
    return {
        r["stage_date"]: StageFacts(
            stage=r["stage"],
            stage_date=r["stage_date"],
            kind=r["kind"],
            start_at=r["start_at"],
            route_length_m=r["route_length_km"] * 1000.0,
            time_limit_pct=r["time_limit_pct"] or 0.0,
        )
        for r in rows
    }


def rides_of_day(track: pa.Table, facts: StageFacts, bibs: dict[int, int]) -> list[Ride]:
    """Each rider's start and finish crossing, from the day's clean staging points."""
    clean = track.filter(
        pc.invert(pc.or_(pc.or_(track["off_route"], track["is_spike"]), track["is_jump"]))
    ).sort_by([("athlete_id", "ascending"), ("recorded_at", "ascending")])
    ids = clean["athlete_id"].to_numpy()
    along = clean["distance_km"].to_numpy() * 1000.0
    t = clean["recorded_at"].cast(pa.int64()).to_numpy() / 1e6
    starts = group_starts(ids)
    rides = []
    for lo, hi in itertools.pairwise(starts.tolist()):
        athlete = int(ids[lo])
        if athlete not in bibs:
            continue  # telemetry of a rider not on the start list: reported by the checks
        a, tt = along[lo:hi], t[lo:hi]
        if facts.is_time_trial:
            beyond = np.flatnonzero(a > TT_START_LINE_M)
            if len(beyond) == 0:
                continue
            start_s = tt_start(float(tt[beyond[0]]))
        else:
            start_s = facts.start_at.timestamp()
        finish = crossing_time(a, tt, facts.route_length_m)
        rides.append(Ride(athlete, bibs[athlete], start_s, finish))
    return rides


def _results_table(results: list[Result], names: dict[int, tuple[str, str]]) -> pa.Table:
    def ts(seconds: float | None) -> datetime | None:
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC)

    rows = [
        {
            "stage": r.stage,
            "stage_date": r.stage_date,
            "bib": r.bib,
            "athlete_id": r.athlete_id,
            "rider_name": names[r.bib][0],
            "team": names[r.bib][1],
            "status": r.status,
            "started_at": ts(r.start_s),
            "finished_at": ts(r.finish_s),
            "finish_time_s": r.finish_time_s,
            "official_time_s": r.official_time_s,
            "bonus_s": r.bonus_s,
            "rank": r.rank,
            "gap_s": r.gap_s,
        }
        for r in results
    ]
    return _typed(rows, STAGE_RESULTS)


def _typed(rows: Sequence[Mapping[str, object]], definition: TableDef) -> pa.Table:
    schema = pa.schema([f for f in definition.schema().as_arrow() if not f.name.startswith("_")])
    return pa.Table.from_pylist(rows, schema=schema)


def _fingerprint(*parts: str) -> str:
    return hashlib.md5(
        "|".join((*parts, MARTS_VERSION)).encode(), usedforsecurity=False
    ).hexdigest()


def build_marts(
    catalog: Catalog,
    full_refresh: bool = False,
    only: set[date] | None = None,
    batch_id: str | None = None,
) -> MartsResult:
    """marts.stage_results for new or changed days, then marts.general_classification."""
    batch_id = batch_id or uuid.uuid4().hex
    staging = catalog.load_table(STAGING_TELEMETRY.name)
    athletes = catalog.load_table(STAGING_ATHLETES.name).scan().to_arrow().to_pylist()
    bibs = {a["athlete_id"]: a["bib"] for a in athletes if a["athlete_id"] is not None}
    names = {a["bib"]: (a["rider_name"], a["team"]) for a in athletes}
    facts = stage_facts(catalog)
    reference = snapshot_id(catalog.load_table(STAGING_STAGES.name)) + snapshot_id(
        catalog.load_table(STAGING_ATHLETES.name)
    )
    results_table = ensure_table(catalog, STAGE_RESULTS)
    done = landed_fingerprints(results_table)
    days, skipped = [], []
    for part, staged_fp in sorted(landed_fingerprints(staging).items()):
        day = date.fromisoformat(part)
        if (only is not None and day not in only) or day not in facts:
            continue
        fingerprint = _fingerprint(staged_fp, reference)
        if not full_refresh and done.get(part) == fingerprint:
            skipped.append(day)
            continue
        track = staging.scan(
            row_filter=f"stage_date == '{part}'", selected_fields=tuple(TRACK_COLUMNS)
        ).to_arrow()
        results = stage_results(facts[day], rides_of_day(track, facts[day], bibs))
        source = STAGING_TELEMETRY.name
        data = with_lineage(_results_table(results, names), STAGE_RESULTS, source, batch_id)
        replace(results_table, data, f"stage_date == '{part}'", part, fingerprint, batch_id)
        days.append(day)
    total, standings = _classification(catalog, results_table, names, batch_id)
    return MartsResult(days, skipped, total, standings)


def _classification(
    catalog: Catalog, results_table: Table, names: dict[int, tuple[str, str]], batch_id: str
) -> tuple[int, int]:
    """Recompute the classification from every stage's results: (results, standings)."""
    rows = results_table.refresh().scan().to_arrow().to_pylist()
    results = [
        Result(
            stage=r["stage"],
            stage_date=r["stage_date"],
            athlete_id=r["athlete_id"],
            bib=r["bib"],
            status=r["status"],
            start_s=0.0,
            finish_s=None,
            finish_time_s=r["finish_time_s"],
            official_time_s=r["official_time_s"],
            bonus_s=r["bonus_s"],
            rank=r["rank"],
            gap_s=r["gap_s"],
        )
        for r in rows
    ]
    athlete = {r.bib: r.athlete_id for r in results}
    standings = general_classification(results)
    data = _typed(
        [
            {
                "stage": s.stage,
                "bib": s.bib,
                "athlete_id": athlete[s.bib],
                "rider_name": names[s.bib][0],
                "team": names[s.bib][1],
                "rank": s.rank,
                "total_time_s": s.total_time_s,
                "gap_s": s.gap_s,
            }
            for s in standings
        ],
        GENERAL_CLASSIFICATION,
    )
    table = ensure_table(catalog, GENERAL_CLASSIFICATION)
    lineage = with_lineage(data, GENERAL_CLASSIFICATION, STAGE_RESULTS.name, batch_id)
    replace(table, lineage, "True", "all", snapshot_id(results_table), batch_id)
    return len(rows), data.num_rows
