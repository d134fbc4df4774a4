"""Quality checks on the marts: what `peloton check` runs before and after publishing.

Each check names the table, what it asserts and, when it fails, a few example rows. The
structural checks: unique keys, no null keys, every rider and stage known to staging, a result
or status for every rider-stage of staging, staging rows reconciling with raw. The
comparison with the simulator's ground truth is in lakehouse.transform.truth.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pyiceberg.catalog import Catalog
from pyiceberg.table import Table
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.lake.commits import landed_summaries
from lakehouse.lake.mart_tables import (
    CLIMB_EFFORTS,
    GENERAL_CLASSIFICATION,
    MOUNTAINS_CLASSIFICATION,
    POINTS_AWARDED,
    POINTS_CLASSIFICATION,
    RIDER_STAGE_SUMMARY,
    SEGMENT_EFFORTS,
    STAGE_RESULTS,
    STAGE_SUMMARY,
)
from lakehouse.lake.raw_tables import TELEMETRY
from lakehouse.lake.readers import read, read_day, rows_per_day
from lakehouse.lake.staging_tables import STAGING_ATHLETES, STAGING_STAGES, STAGING_TELEMETRY
from lakehouse.transform.staging import DUPLICATES_KEY

KEYS = {
    STAGE_RESULTS.name: ("stage", "bib"),
    CLIMB_EFFORTS.name: ("stage", "climb_number", "bib"),
    SEGMENT_EFFORTS.name: ("segment_id", "bib"),
    RIDER_STAGE_SUMMARY.name: ("stage", "bib"),
    STAGE_SUMMARY.name: ("stage",),
    POINTS_AWARDED.name: ("stage", "classification", "at", "place"),
    GENERAL_CLASSIFICATION.name: ("stage", "bib"),
    POINTS_CLASSIFICATION.name: ("stage", "bib"),
    MOUNTAINS_CLASSIFICATION.name: ("stage", "bib"),
}


EXAMPLES = 5


@dataclass(frozen=True)
class Check:
    name: str
    table: str
    ok: bool
    detail: str
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def table_rows(
    catalog: Catalog, name: str, columns: Iterable[str] | None = None, ref: str = MAIN_BRANCH
) -> list[dict[str, Any]]:
    """The table's rows as of `ref` (staging and marts, which a run writes on its branch; raw
    is read from main)."""
    table = catalog.load_table(name)
    return read(table, MAIN_BRANCH if name.startswith("raw.") else ref, columns).to_pylist()


def unique_keys(catalog: Catalog, ref: str = MAIN_BRANCH) -> list[Check]:
    checks = []
    for name, key in KEYS.items():
        rows = table_rows(catalog, name, key, ref)
        counts = Counter(tuple(r[k] for k in key) for r in rows)
        repeated = [
            dict(zip(key, k, strict=True)) | {"rows": n} for k, n in counts.items() if n > 1
        ]
        nulls = [r for r in rows if any(r[k] is None for k in key)]
        checks.append(
            Check(
                "unique key",
                name,
                not repeated and not nulls,
                f"key ({', '.join(key)}): {len(rows):,} rows, {len(repeated)} repeated, "
                f"{len(nulls)} with a null",
                (repeated + nulls)[:EXAMPLES],
            )
        )
    return checks


def references(catalog: Catalog, ref: str = MAIN_BRANCH) -> list[Check]:
    bibs = {r["bib"] for r in table_rows(catalog, STAGING_ATHLETES.name, ("bib",), ref)}
    stages = {r["stage"] for r in table_rows(catalog, STAGING_STAGES.name, ("stage",), ref)}
    checks = []
    for name in KEYS:
        key = [k for k in ("stage", "bib") if k in KEYS[name] or k == "stage"]
        rows = table_rows(catalog, name, key, ref)
        bad = [
            r for r in rows if r.get("stage") not in stages or ("bib" in r and r["bib"] not in bibs)
        ]
        checks.append(
            Check(
                "known riders and stages",
                name,
                not bad,
                f"{len(bad)} of {len(rows):,} rows name a rider or stage staging does not know",
                bad[:EXAMPLES],
            )
        )
    return checks


def _rows_per_day(table: Table, ref: str = MAIN_BRANCH) -> dict[str, int]:
    """Rows per stage_date partition as of `ref`, from file metadata (no data read)."""
    return {day.isoformat(): rows for day, rows in rows_per_day(table, ref).items()}


def every_rider_has_a_result(catalog: Catalog, ref: str = MAIN_BRANCH) -> Check:
    """Day by day (memory: one day's two columns at a time)."""
    athletes = table_rows(catalog, STAGING_ATHLETES.name, ("bib", "athlete_id"), ref)
    bib_of = {a["athlete_id"]: a["bib"] for a in athletes if a["athlete_id"] is not None}
    staging = catalog.load_table(STAGING_TELEMETRY.name)
    results = {
        (r["stage"], r["bib"])
        for r in table_rows(catalog, STAGE_RESULTS.name, ("stage", "bib"), ref)
    }
    pairs: list[dict[str, Any]] = []
    for day in sorted(_rows_per_day(staging, ref)):
        rows = read_day(staging, day, ("stage", "athlete_id"), ref)
        pairs += rows.group_by(["stage", "athlete_id"]).aggregate([]).to_pylist()
    unknown = [p for p in pairs if p["athlete_id"] not in bib_of]
    missing = [
        p
        for p in pairs
        if p["athlete_id"] in bib_of and (p["stage"], bib_of[p["athlete_id"]]) not in results
    ]
    return Check(
        "a result or status for every rider-stage",
        STAGE_RESULTS.name,
        not missing and not unknown,
        f"{len(pairs):,} rider-stages in staging: {len(missing)} without a result, "
        f"{len(unknown)} of riders not on the start list",
        (missing + unknown)[:EXAMPLES],
    )


def staging_reconciles_with_raw(catalog: Catalog, ref: str = MAIN_BRANCH) -> Check:
    """Per staged day: raw rows = staging rows + the duplicates the transform removed.

    All three figures come from metadata: the data files' row counts of both tables and the
    counts the staging commit recorded, so the check reads no data.
    """
    raw_rows = _rows_per_day(catalog.load_table(TELEMETRY.name))
    staging = catalog.load_table(STAGING_TELEMETRY.name)
    staged_rows = _rows_per_day(staging, ref)
    recorded = landed_summaries(staging, ref)
    bad = []
    for day, n in sorted(staged_rows.items()):
        summary = recorded.get(day, {})
        duplicates = int(summary.get(DUPLICATES_KEY, "-1"))
        if raw_rows.get(day, 0) != n + duplicates:
            bad.append(
                {"day": day, "raw": raw_rows.get(day, 0), "staging": n, "duplicates": duplicates}
            )
    waiting = sorted(d for d in raw_rows if d not in staged_rows)
    return Check(
        "staging reconciles with raw",
        STAGING_TELEMETRY.name,
        not bad,
        f"{len(staged_rows)} staged days, {len(staged_rows) - len(bad)} where raw rows = "
        f"staging rows + duplicates removed; {len(waiting)} raw days not staged yet"
        + (f" ({', '.join(waiting[:3])}{', ...' if len(waiting) > 3 else ''})" if waiting else ""),
        bad[:EXAMPLES],
    )


def structural_checks(catalog: Catalog, ref: str = MAIN_BRANCH) -> list[Check]:
    """Every structural check, on staging and the marts as of `ref` (main: what readers see)."""
    return [
        *unique_keys(catalog, ref),
        *references(catalog, ref),
        every_rider_has_a_result(catalog, ref),
        staging_reconciles_with_raw(catalog, ref),
    ]


@dataclass(frozen=True)
class Figure:
    """A measured figure: failed when beyond its limit; without one (inf), reported only.

    `examples` are the rows behind it worth a look (a flagged trace, ...), `note` says what it
    counts.
    """

    name: str
    value: float
    limit: float = math.inf
    unit: str = ""
    note: str = ""
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value <= self.limit

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.limit)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "value": self.rounded,
            "limit": self.limit if self.bounded else None,
            "ok": self.ok,
        }

    @property
    def rounded(self) -> float | None:
        """The value to 3 decimals; None when not finite (no route points to measure, ...),
        which JSON cannot carry."""
        return round(self.value, 3) if math.isfinite(self.value) else None


def telemetry_coverage(catalog: Catalog, ref: str = MAIN_BRANCH) -> Figure:
    """Riders with telemetry among those on the start list: the marts see only them."""
    athletes = table_rows(catalog, STAGING_ATHLETES.name, ("athlete_id",), ref)
    seen = sum(1 for a in athletes if a["athlete_id"] is not None)
    return Figure(
        "riders with telemetry",
        100.0 * seen / len(athletes) if athletes else 0.0,
        unit="%",
        note=f"{seen} of {len(athletes)} riders on the start list: results, ranks, gaps and "
        "bonuses are computed among them, not the official ones",
    )


def summary(checks: list[Check], figures: list[Figure]) -> dict[str, Any]:
    """What `peloton check --json` prints (its shape: docs/transforms.md#checks)."""
    return {
        "ok": all(c.ok for c in checks) and all(f.ok for f in figures),
        "checked_at": datetime.now().isoformat(timespec="seconds"),
        "checks": [c.as_dict() for c in checks],
        "failed": [f"{c.table}: {c.name}" for c in checks if not c.ok]
        + [f"figure: {f.name}" for f in figures if not f.ok],
        "figures": {f.name: f.rounded for f in figures},
        "figure_details": [f.as_dict() for f in figures],
    }
