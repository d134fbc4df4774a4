"""What each fault does to a day's telemetry or to a file, deterministic for a random generator.

Each function returns the changed data and a sentence saying what was done, for the report.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EDGE_S = 600
"""A GPS outage or a clock fault stays this far from a ride's first and last fix."""
BAD_LATITUDE = "#VALUE!"
"""What a corrupt stage file holds instead of a latitude (a spreadsheet's error cell)."""


def _micros(table: pa.Table) -> np.ndarray:
    return table["recorded_at"].combine_chunks().cast(pa.int64()).to_numpy()


def _clock(micros: int) -> str:
    return datetime.fromtimestamp(micros / 1e6, tz=UTC).strftime("%H:%M:%S")


def late_split(table: pa.Table, share: float) -> tuple[pa.Table, pa.Table, str]:
    """The rows recorded before the time that splits the day at `share`, and the others."""
    micros = _micros(table)
    cutoff = int(np.quantile(micros, share)) if len(micros) else 0
    early = micros < cutoff
    tonight, rest = table.filter(pa.array(early)), table.filter(pa.array(~early))
    detail = (
        f"{tonight.num_rows:,} of {table.num_rows:,} rows (recorded before {_clock(cutoff)} UTC) "
        "delivered; the rest comes with the next delivery"
    )
    return tonight, rest, detail


def duplicated(table: pa.Table, share: float, rng: np.random.Generator) -> tuple[pa.Table, str]:
    """A share of the rows delivered twice, each copy next to its original."""
    n = table.num_rows
    picked = rng.choice(n, size=max(1, round(n * share)), replace=False) if n else []
    order = np.sort(np.concatenate([np.arange(n), np.asarray(picked, dtype=np.int64)]))
    return table.take(pa.array(order)), f"{len(picked):,} of {n:,} rows delivered twice"


def _rides(table: pa.Table, min_s: float) -> list[int]:
    """Athletes whose ride is longer than `min_s` seconds, in id order."""
    ids = table["athlete_id"].combine_chunks().to_numpy()
    micros = _micros(table)
    out = []
    for athlete in np.unique(ids):
        mine = micros[ids == athlete]
        if (mine.max() - mine.min()) / 1e6 > min_s:
            out.append(int(athlete))
    return out


def _stretch(
    table: pa.Table, seconds: int, rng: np.random.Generator
) -> tuple[int, int, int] | None:
    """A rider and a stretch of `seconds` inside their ride, away from its ends."""
    riders = _rides(table, 2 * EDGE_S + seconds)
    if not riders:
        return None
    athlete = int(rng.choice(riders))
    mine = _micros(table.filter(pc.equal(table["athlete_id"], athlete)))
    lo, hi = int(mine.min()) + EDGE_S * 10**6, int(mine.max()) - (EDGE_S + seconds) * 10**6
    start = int(rng.integers(lo, hi + 1)) // 10**6 * 10**6
    return athlete, start, start + seconds * 10**6


def gps_outage(table: pa.Table, minutes: int, rng: np.random.Generator) -> tuple[pa.Table, str]:
    """One rider's fixes missing for `minutes`, somewhere inside the ride."""
    found = _stretch(table, minutes * 60, rng)
    if found is None:
        return table, f"no ride longer than {minutes} min and {2 * EDGE_S // 60} min of margins"
    athlete, start, end = found
    micros, ids = _micros(table), table["athlete_id"].combine_chunks().to_numpy()
    lost = (ids == athlete) & (micros >= start) & (micros < end)
    detail = (
        f"athlete {athlete}: no fix from {_clock(start)} to {_clock(end)} UTC "
        f"({int(lost.sum()):,} rows missing)"
    )
    return table.filter(pa.array(~lost)), detail


def clock_offset(table: pa.Table, offset_s: int, rng: np.random.Generator) -> tuple[pa.Table, str]:
    """One rider's timestamps all `offset_s` seconds off (a head unit's clock)."""
    riders = _rides(table, 0)
    if not riders:
        return table, "no ride to shift"
    athlete = int(rng.choice(riders))
    ids = table["athlete_id"].combine_chunks().to_numpy()
    micros = _micros(table)
    shifted = np.where(ids == athlete, micros + offset_s * 10**6, micros)
    column = pa.array(shifted, type=pa.int64()).cast(table.schema.field("recorded_at").type)
    index = table.schema.get_field_index("recorded_at")
    detail = f"athlete {athlete}: every timestamp {offset_s:+d} s off; corrected when re-sent"
    return table.set_column(index, table.schema.field(index), column), detail


def truncated(data: bytes, keep: float) -> tuple[bytes, str]:
    """The file cut in the middle of the line at `keep` of its bytes."""
    at = int(len(data) * keep)
    line_start = data.rfind(b"\n", 0, at) + 1
    line_end = data.find(b"\n", line_start)
    line_end = len(data) if line_end < 0 else line_end
    cut = line_start + max(1, (line_end - line_start) // 2)
    line = data.count(b"\n", 0, line_start) + 1
    return data[:cut], f"cut after {cut:,} of {len(data):,} bytes, in the middle of line {line}"


def corrupted(data: bytes, rows: int, rng: np.random.Generator) -> tuple[bytes, str]:
    """`rows` path lines (never the header or the first and last) with an unreadable latitude."""
    lines = data.decode("utf-8").split("\n")
    points = [i for i, text in enumerate(lines) if text.startswith("point,")][1:-1]
    picked = sorted(int(i) for i in rng.choice(points, size=min(rows, len(points)), replace=False))
    for i in picked:
        fields = lines[i].split(",")
        fields[2] = BAD_LATITUDE
        lines[i] = ",".join(fields)
    numbers = ", ".join(str(i + 1) for i in picked)
    return "\n".join(lines).encode("utf-8"), f"latitude {BAD_LATITUDE} on lines {numbers}"
