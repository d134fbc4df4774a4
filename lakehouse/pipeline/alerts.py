"""The run's alert: every fault of one run in one message, naming the fault, the table, the day
and the fix. Pure functions of the run's outcome (no Prefect, no network).

A fault is one of: a step that failed, a check that failed (the marts were then not
published), a stage of the index whose day a source has not delivered or delivered in part
(lakehouse.pipeline.deliveries), or a source part whose quarantined rows are above the
threshold share of its rows. A run with none sends nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lakehouse.lake.raw_tables import ATHLETES, STAGE_ROUTES, STAGES, TELEMETRY
from lakehouse.pipeline.deliveries import Undelivered, Unfinished
from lakehouse.pipeline.graph import Step
from lakehouse.pipeline.night import Night
from lakehouse.transform.checks import Check
from lakehouse.transform.marts import ChecksFailed

FAILED_STEP = "step failed"
FAILED_CHECK = "check failed"
NOT_DELIVERED = "day not delivered"
PARTLY_DELIVERED = "day delivered in part"
QUARANTINE = "quarantine above threshold"
NO_DAY = "-"


@dataclass(frozen=True)
class Fault:
    kind: str
    table: str
    day: str
    """YYYY-MM-DD, several separated by commas, or '-' when the fault is not a day's."""
    detail: str
    fix: str

    def line(self) -> str:
        return f"- {self.kind}: {self.table}, day {self.day}: {self.detail}\n  Fix: {self.fix}"


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str


_DAY = re.compile(r"(\d{4})[-_](\d{2})[-_](\d{2})")
_STAGE_FILE = re.compile(r"stage-(\d+)\.csv")


def _days_in(text: str) -> str:
    found = sorted({"-".join(m.groups()) for m in _DAY.finditer(text)})
    return ", ".join(found) or NO_DAY


def _first_line(error: BaseException | None, fallback: str) -> str:
    text = str(error).strip() if error is not None else ""
    return (text.splitlines()[0] if text else fallback)[:400]


def _check_days(check: Check, index: Mapping[int, date]) -> str:
    stages = {e["stage"] for e in check.examples if isinstance(e.get("stage"), int)}
    days = sorted(index[s].isoformat() for s in stages if s in index)
    return ", ".join(days) or NO_DAY


def _check_faults(error: ChecksFailed, index: Mapping[int, date]) -> list[Fault]:
    return [
        Fault(
            FAILED_CHECK,
            c.table,
            _check_days(c, index),
            f"{c.name}: {c.detail}; e.g. {c.examples[:2]}",
            "nothing was published, readers keep the previous marts; the rejected version is "
            f"on branch {error.branch}. Correct the source rows the examples point to (or the "
            "transform), then run the pipeline again (`peloton run`); `peloton check` re-runs "
            "the checks on what is published",
        )
        for c in error.failed
    ]


def _step_fault(step: Step | None, name: str, error: BaseException | None, detail: str) -> Fault:
    message = _first_line(error, detail)
    return Fault(
        FAILED_STEP,
        step.writes if step and step.writes else name,
        _days_in(str(error) if error is not None else detail),
        f"{name}: {message}",
        f"the run's logs for {name} give the cause; what depends on it was skipped and "
        "keeps its previous version. Once the cause is fixed, the next night catches up, or "
        f"run it now: `prefect deployment run {name}/{name.replace('_', '-')}` "
        "(or `peloton run`)",
    )


def _raw_table(source: str, part: str) -> str:
    if source == "telemetry":
        return TELEMETRY.name
    if part.endswith("stages.csv"):
        return STAGES.name
    if _STAGE_FILE.search(part):
        return STAGE_ROUTES.name
    return ATHLETES.name


def _part_day(source: str, part: str, index: Mapping[int, date]) -> str:
    if source == "telemetry":
        return part
    match = _STAGE_FILE.search(part)
    if match and int(match.group(1)) in index:
        return index[int(match.group(1))].isoformat()
    return NO_DAY


def _quarantine_faults(
    rows: Sequence[Mapping[str, Any]], index: Mapping[int, date], share: float
) -> list[Fault]:
    faults = []
    for r in rows:
        read, quarantined = int(r["read"]), int(r["quarantined"])
        if r["skipped"] or not read or quarantined / read <= share:
            continue
        source, part = str(r["source"]), str(r["part"])
        table = _raw_table(source, part)
        note = f"; {r['note']}" if r["note"] else ""
        faults.append(
            Fault(
                QUARANTINE,
                table,
                _part_day(source, part, index),
                f"{part}: {quarantined:,} of {read:,} rows quarantined "
                f"({quarantined / read:.1%}, threshold {share:.1%}){note}",
                'the reasons are in raw.quarantine (`peloton trino sql "select reason, count(*) '
                f"from iceberg.raw.quarantine where location like '{part}%' group by 1\"`); "
                "have the source corrected and sent again: the next run lands the new version "
                "and rebuilds what depends on it",
            )
        )
    return faults


def _undelivered_faults(missing: Sequence[Undelivered], schema: str) -> list[Fault]:
    faults = []
    for m in missing:
        if m.table == TELEMETRY.name:
            detail = f"stage {m.stage} is in the stage index but its telemetry has not arrived"
            fix = (
                f"the source has no partition {schema}.telemetry_{m.day:%Y_%m_%d} (or it is "
                "empty): check the provider's export; the next run lands the day when it "
                f"appears (or now: `peloton run --day {m.day}`)"
            )
        else:
            detail = f"stage {m.stage} is in the stage index but its route file has not landed"
            fix = (
                f"stages/stage-{m.stage:02d}.csv is missing or was refused (the run's sources "
                "table says why): put a correct file in place; the next run lands it "
                f"(or now: `peloton run --stage {m.stage}`)"
            )
        faults.append(Fault(NOT_DELIVERED, m.table, m.day.isoformat(), detail, fix))
    return faults


def _unfinished_faults(partial: Sequence[Unfinished]) -> list[Fault]:
    return [
        Fault(
            PARTLY_DELIVERED,
            TELEMETRY.name,
            u.day.isoformat(),
            f"stage {u.stage}: only {u.finished} of {u.riders} riders' telemetry reaches the "
            "finish; the marts show the others as abandoned",
            "the rest of the day usually comes with the next delivery: the next run lands it "
            "and rebuilds the stage and what depends on it. If it does not come, ask the "
            f"provider to send the day again (then `peloton run --day {u.day}`)",
        )
        for u in partial
    ]


def find_faults(
    night: Night,
    steps: Sequence[Step],
    missing: Sequence[Undelivered],
    index: Mapping[int, date],
    quarantine_share: float,
    schema: str,
    partial: Sequence[Unfinished] = (),
) -> list[Fault]:
    """Every fault of the run, the failed steps first."""
    by_name = {s.name: s for s in steps}
    faults: list[Fault] = []
    for outcome in night.failed:
        if isinstance(outcome.error, ChecksFailed):
            faults += _check_faults(outcome.error, index)
        else:
            step = by_name.get(outcome.name)
            faults.append(_step_fault(step, outcome.name, outcome.error, outcome.detail))
    faults += _undelivered_faults(missing, schema)
    faults += _unfinished_faults(partial)
    faults += _quarantine_faults(night.ingestion().rows(), index, quarantine_share)
    return faults


def alert_for(faults: Sequence[Fault], run: str) -> Alert | None:
    """The one message of a run (None: nothing to report)."""
    if not faults:
        return None
    kinds = sorted({f.kind for f in faults})
    subject = (
        f"Peloton {run}: {len(faults)} fault{'s' if len(faults) > 1 else ''} ({', '.join(kinds)})"
    )
    return Alert(subject, "\n".join(f.line() for f in faults))
