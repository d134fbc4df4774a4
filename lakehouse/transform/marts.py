"""Build the marts from staging: the per-day marts (incremental), then the classification.

A day's marts (results, climb and segment efforts, rider and stage summaries) are recomputed
when its staging day changed (its recorded fingerprint), or what they are computed from
changed for that day: its stage's facts, its route and checkpoints, the riders of the start
list. A new stage or a withdrawal on the sheet leaves the other days as they are. The
classifications are recomputed from all the results when the results, points or riders
changed.
Every mart published with a stage's day is tagged `stage-NN` (lakehouse.lake.tags) in the
publishing commit, NN the stage number read from the stages table.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.errors import PelotonError
from lakehouse.lake.branches import heads, open_audit, publish, run_branch
from lakehouse.lake.commits import data_version, ensure_table, landed_fingerprints, replace
from lakehouse.lake.definition import TableDef
from lakehouse.lake.mart_tables import (
    CLIMB_EFFORTS,
    GENERAL_CLASSIFICATION,
    MART_TABLES,
    MOUNTAINS_CLASSIFICATION,
    POINTS_AWARDED,
    POINTS_CLASSIFICATION,
    RIDER_STAGE_SUMMARY,
    SEGMENT_EFFORTS,
    STAGE_RESULTS,
    STAGE_SUMMARY,
)
from lakehouse.lake.readers import read, read_day
from lakehouse.lake.staging_tables import (
    STAGING_TABLES,
    STAGING_TELEMETRY,
)
from lakehouse.lake.tags import stage_tag
from lakehouse.transform.checks import Check, structural_checks
from lakehouse.transform.classifications import Award, classification
from lakehouse.transform.day_marts import day_marts
from lakehouse.transform.facts import Route, riders, routes, stage_facts
from lakehouse.transform.mart_rows import (
    GeneralClassificationRow,
    RankingRow,
    RiderColumns,
    to_table,
)
from lakehouse.transform.results import Result, general_classification
from lakehouse.transform.staging import with_lineage
from lakehouse.transform.tracks import TRACK_COLUMNS, tracks_of_day

MARTS_VERSION = "marts-4"
MART_NAMES = frozenset(t.name for t in MART_TABLES)
DAY_TABLES = (
    STAGE_RESULTS,
    CLIMB_EFFORTS,
    SEGMENT_EFFORTS,
    RIDER_STAGE_SUMMARY,
    STAGE_SUMMARY,
    POINTS_AWARDED,
)


@dataclass(frozen=True)
class MartsResult:
    days: list[date]
    skipped: list[date]
    results: int
    standings: int
    published: list[str]
    """The tables whose main moved to the audited version."""
    checks: tuple[Check, ...] = ()
    """The checks run on the audit branch before publishing (all passed)."""


def _fingerprint(*parts: str) -> str:
    return _digest(*parts, MARTS_VERSION)


def _digest(*parts: str) -> str:
    text = "|".join(parts)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _route_digest(route: Route | None) -> str:
    """A stage's route and checkpoints, as the day's marts read them."""
    if route is None:
        return "no route"
    digest = hashlib.md5(usedforsecurity=False)
    for values in (route.cum_m, route.ele_m):
        digest.update(np.ascontiguousarray(values).tobytes())
    digest.update(repr(route.checkpoints).encode())
    return digest.hexdigest()


def build_marts(
    catalog: Catalog,
    full_refresh: bool = False,
    only: set[date] | None = None,
    batch_id: str | None = None,
) -> MartsResult:
    """The per-day marts for new or changed days, then marts.general_classification."""
    batch_id = batch_id or uuid.uuid4().hex
    branch = run_branch(batch_id)
    everything = open_run(catalog, batch_id)  # these Table objects write: they know the branch
    staging = everything[STAGING_TELEMETRY.name]
    facts = stage_facts(catalog, branch)
    starters, stage_routes = riders(catalog, branch), routes(catalog, branch)
    start_list = _digest(*sorted(repr(r) for r in starters.values()))
    tables = {t.name: everything[t.name] for t in DAY_TABLES}
    landed = {name: landed_fingerprints(table) for name, table in tables.items()}
    days, skipped = [], []
    for part, staged_fp in sorted(landed_fingerprints(staging, branch).items()):
        day = date.fromisoformat(part)
        if (only is not None and day not in only) or day not in facts:
            continue
        stage = facts[day]
        route = _route_digest(stage_routes.get(stage.stage))
        fingerprint = _fingerprint(staged_fp, repr(stage), route, start_list)
        if not full_refresh and all(done.get(part) == fingerprint for done in landed.values()):
            skipped.append(day)
            continue
        track = read_day(staging, part, TRACK_COLUMNS, branch)
        _, rows = day_marts(stage, tracks_of_day(track), starters, stage_routes[stage.stage])
        for definition in DAY_TABLES:
            source = STAGING_TELEMETRY.name
            data = with_lineage(rows[definition.name], definition, source, batch_id)
            where = f"stage_date == '{part}'"
            target = tables[definition.name]
            replace(target, data, where, part, fingerprint, batch_id, branch=branch)
        days.append(day)
    names = {r.bib: (r.name, r.team) for r in starters.values()}
    inputs = _fingerprint(
        *(data_version(tables[t.name], branch) for t in (STAGE_RESULTS, POINTS_AWARDED)),
        start_list,
    )
    total, standings = _classification(
        catalog, tables[STAGE_RESULTS.name], names, Commit(inputs, batch_id, branch)
    )
    checked = heads(everything.values(), branch)
    checks = structural_checks(catalog, ref=branch)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise ChecksFailed(failed, branch, checks)
    stages = sorted({facts[day].stage for day in days})
    tags = {name: [stage_tag(s) for s in stages] for name in checked if name in MART_NAMES}
    published = publish(catalog, everything.values(), checked, branch, tags)
    return MartsResult(days, skipped, total, standings, published, tuple(checks))


def open_run(catalog: Catalog, batch_id: str) -> dict[str, Table]:
    """Every staging and mart table by name, with the run's branch opened on each: the run
    writes there, and publishes them all at once once checked (lakehouse.lake.branches)."""
    tables = {t.name: ensure_table(catalog, t) for t in (*STAGING_TABLES, *MART_TABLES)}
    for table in tables.values():
        open_audit(table, run_branch(batch_id))
    return tables


class ChecksFailed(PelotonError):
    """The marts written on the audit branch failed a check: nothing was published."""

    def __init__(self, failed: list[Check], branch: str, checks: list[Check] | None = None) -> None:
        self.failed = failed
        self.branch = branch
        self.checks = checks if checks is not None else failed
        """Every check run, passed ones included."""
        lines = [f"{c.table}: {c.name}: {c.detail}; e.g. {c.examples[:3]}" for c in failed]
        super().__init__(
            "the marts failed their checks and were not published (readers keep the previous "
            f"version; the rejected one is on branch {branch} until the next run):\n"
            + "\n".join(lines)
        )


@dataclass(frozen=True)
class Commit:
    """What the classifications are computed from (a fingerprint), and where they go."""

    fingerprint: str
    batch_id: str
    branch: str


CLASSIFICATIONS = (GENERAL_CLASSIFICATION, POINTS_CLASSIFICATION, MOUNTAINS_CLASSIFICATION)


def _classification(
    catalog: Catalog, results_table: Table, names: dict[int, tuple[str, str]], commit: Commit
) -> tuple[int, int]:
    """Recompute the classifications from every stage's results on the run's branch, unless
    the results, points and riders they come from did not change: (results, standings)."""
    branch = commit.branch
    results = _stored_results(results_table, branch)
    targets = [ensure_table(catalog, d) for d in CLASSIFICATIONS]
    if all(landed_fingerprints(t, branch).get("all") == commit.fingerprint for t in targets):
        return len(results), read(targets[0], branch, ("stage",)).num_rows
    athlete = {r.bib: r.athlete_id for r in results}
    rider = {bib: RiderColumns(bib, athlete[bib], *names[bib]) for bib in athlete}
    standings = general_classification(results)
    data = to_table(
        [
            GeneralClassificationRow(s.stage, rider[s.bib], s.rank, s.total_time_s, s.gap_s)
            for s in standings
        ],
        GENERAL_CLASSIFICATION,
    )
    _rebuild(catalog, GENERAL_CLASSIFICATION, data, STAGE_RESULTS.name, commit)
    awards = _stored_awards(catalog, branch)
    for kind, definition in (
        ("points", POINTS_CLASSIFICATION),
        ("mountains", MOUNTAINS_CLASSIFICATION),
    ):
        ranking = to_table(
            [
                RankingRow(r.stage, rider[r.bib], r.rank, r.points)
                for r in classification(kind, awards, results, standings)
            ],
            definition,
        )
        _rebuild(catalog, definition, ranking, POINTS_AWARDED.name, commit)
    return len(results), data.num_rows


def _stored_results(results_table: Table, branch: str) -> list[Result]:
    """marts.stage_results on the run's branch, with what the classifications need."""
    return [
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
        for r in read(results_table, branch).to_pylist()
    ]


def _stored_awards(catalog: Catalog, branch: str) -> list[Award]:
    """marts.points_awarded on the run's branch."""
    awarded = read(ensure_table(catalog, POINTS_AWARDED), branch).to_pylist()
    return [
        Award(a["stage"], a["bib"], a["classification"], a["at"], a["place"], a["points"])
        for a in awarded
    ]


def _rebuild(
    catalog: Catalog,
    definition: TableDef,
    data: pa.Table,
    source: str,
    commit: Commit,
) -> None:
    table = ensure_table(catalog, definition)
    lineage = with_lineage(data, definition, source, commit.batch_id)
    fingerprint, batch_id = commit.fingerprint, commit.batch_id
    replace(table, lineage, "True", "all", fingerprint, batch_id, branch=commit.branch)
