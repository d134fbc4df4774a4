"""Telemetry rows checked at landing: the impossible ones quarantined, the rest of the day lands.

A row is rejected when a key (rider, stage, time, position) is missing or a measurement is
outside what a body, a bike or a GPS can give. The checks run on whole record batches
(Arrow compute); only the rejected rows, rare, are turned into quarantine rows one by one.
Duplicate (rider, time) rows are not rejected here: they are the same fix sent twice, and
staging keeps one of each and counts the others (`staging.telemetry`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Rule:
    """A column's check: whether it must be present, and the range of its values."""

    column: str
    expected: str
    required: bool = False
    low: float | None = None
    high: float | None = None


TELEMETRY_RULES = (
    Rule("athlete_id", "an athlete id", required=True),
    Rule("stage", "a stage number", required=True),
    Rule("recorded_at", "a time with time zone", required=True),
    Rule("lat", "a latitude in degrees (-90 to 90)", required=True, low=-90, high=90),
    Rule("lon", "a longitude in degrees (-180 to 180)", required=True, low=-180, high=180),
    Rule("elevation_m", "an elevation in m (-500 to 9,000)", low=-500, high=9_000),
    Rule("speed_kmh", "a speed in km/h (0 to 150)", low=0, high=150),
    Rule("heart_rate_bpm", "a heart rate in beats/min (20 to 260)", low=20, high=260),
    Rule("power_w", "a power in W (0 to 3,000)", low=0, high=3_000),
    Rule("cadence_rpm", "a cadence in rpm (0 to 250)", low=0, high=250),
)


@dataclass(frozen=True)
class RejectedRow:
    location: str
    reason: str
    payload: str


def _failures(column: pa.Array, rule: Rule) -> pa.Array:
    """True where the column breaks the rule (a null breaks only a required column)."""
    broken = pc.is_null(column) if rule.required else pa.repeat(False, len(column))
    if rule.low is not None and rule.high is not None:
        outside = pc.or_(pc.less(column, rule.low), pc.greater(column, rule.high))
        if pa.types.is_floating(column.type):
            outside = pc.or_(outside, pc.is_nan(column))
        broken = pc.or_(broken, pc.fill_null(outside, False))
    return broken


def _reason(row: dict[str, Any], rules: tuple[Rule, ...]) -> str:
    for rule in rules:
        value = row.get(rule.column)
        if value is None:
            if rule.required:
                return f"{rule.column} is null; expected {rule.expected}"
            continue
        if rule.low is not None and rule.high is not None and not rule.low <= value <= rule.high:
            return f"{rule.column} = {value!r}; expected {rule.expected}"
    return "rejected"  # not reached: a rejected row breaks some rule


def _payload(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str, sort_keys=True)


def split_rows(
    batch: pa.RecordBatch, day: date, rules: tuple[Rule, ...] = TELEMETRY_RULES
) -> tuple[pa.RecordBatch, list[RejectedRow]]:
    """The batch's good rows, and the others with where they were and why."""
    checked = [rule for rule in rules if rule.column in batch.schema.names]
    if not checked or batch.num_rows == 0:
        return batch, []
    broken = _failures(batch.column(checked[0].column), checked[0])
    for rule in checked[1:]:
        broken = pc.or_(broken, _failures(batch.column(rule.column), rule))
    if not pc.any(broken).as_py():
        return batch, []
    positions = np.flatnonzero(broken.to_numpy(zero_copy_only=False))
    rejected = []
    for row in batch.take(pa.array(positions)).to_pylist():
        where = f"day {day.isoformat()}, athlete {row.get('athlete_id')}, {row.get('recorded_at')}"
        rejected.append(RejectedRow(where, _reason(row, tuple(checked)), _payload(row)))
    return batch.filter(pc.invert(broken)), rejected
