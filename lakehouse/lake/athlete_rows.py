"""An athlete's rows in any table: found by the columns that name a rider, removed or redacted.

Every table that carries personal data of a rider names them by one of these columns (see the
table definitions in lakehouse/lake/*_tables.py):

- a Strava athlete id (`athlete_id`, `strava_athlete_id`): telemetry, athletes, the marts;
- a race number (`bib`, `bib_a`, `bib_b`): the marts and the GIF index; such a row is removed;
- `winner_bib` (the stage summary): the row is about the stage, not the rider, so it stays and
  its `winner_*` columns are emptied;
- the quarantine's `payload` (the rejected source row as JSON or a CSV line): removed when it
  holds the athlete's id (a JSON `athlete_id` or `strava_athlete_id`, or a CSV field) or, in a
  CSV line, starts with the bib.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.schema import Schema

ATHLETE_COLUMNS = ("athlete_id", "strava_athlete_id")
BIB_COLUMNS = ("bib", "bib_a", "bib_b")
REDACTED = {"winner_bib": "winner_"}
"""A column naming the rider, and the prefix of the columns emptied where it does."""
PAYLOAD = "payload"


@dataclass(frozen=True)
class Athlete:
    """Who is erased: their Strava athlete ids and race numbers."""

    athlete_ids: frozenset[int]
    bibs: frozenset[int]

    def __str__(self) -> str:
        ids = ", ".join(map(str, sorted(self.athlete_ids))) or "none"
        bibs = ", ".join(map(str, sorted(self.bibs))) or "none"
        return f"athlete id {ids}, bib {bibs}"


def _keys(athlete: Athlete, column: str) -> list[int]:
    if column in ATHLETE_COLUMNS:
        return sorted(athlete.athlete_ids)
    return sorted(athlete.bibs)


def key_columns(names: Iterable[str]) -> tuple[str, ...]:
    """The columns among `names` that can name the athlete (what is read to find them)."""
    wanted = (*ATHLETE_COLUMNS, *BIB_COLUMNS, *REDACTED, PAYLOAD)
    return tuple(n for n in names if n in wanted)


def carries_athletes(schema: Schema) -> bool:
    return bool(key_columns(schema.column_names))


def _payload_mask(payload: pa.ChunkedArray | pa.Array, athlete: Athlete) -> pa.Array:
    patterns = []
    ids = "|".join(map(str, sorted(athlete.athlete_ids)))
    if ids:
        patterns.append(rf'"(strava_)?athlete_id": ({ids})\b')  # a telemetry row as JSON
        patterns.append(rf'(^|,)"?({ids})"?(,|$)')  # a CSV field
    bibs = "|".join(map(str, sorted(athlete.bibs)))
    if bibs:
        patterns.append(rf'"bib": ({bibs})\b')
        patterns.append(rf'^"?({bibs})"?,')
    if not patterns:
        return pa.repeat(False, len(payload))
    found = pc.match_substring_regex(payload, "|".join(f"(?:{p})" for p in patterns))
    return pc.fill_null(found, False)


def _isin(column: pa.ChunkedArray | pa.Array, keys: list[int]) -> pa.Array:
    if not keys:
        return pa.repeat(False, len(column))
    return pc.fill_null(pc.is_in(column, pa.array(keys, column.type)), False)


def removed_mask(rows: pa.Table, athlete: Athlete) -> pa.Array:
    """True for the rows that are the athlete's own (removed)."""
    mask = pa.repeat(False, rows.num_rows)
    for name in key_columns(rows.column_names):
        if name == PAYLOAD:
            mask = pc.or_(mask, _payload_mask(rows.column(name), athlete))
        elif name not in REDACTED:
            mask = pc.or_(mask, _isin(rows.column(name), _keys(athlete, name)))
    return mask


def redacted_mask(rows: pa.Table, athlete: Athlete) -> pa.Array:
    """True for the rows that name the athlete besides their subject (their columns emptied)."""
    mask = pa.repeat(False, rows.num_rows)
    for name in REDACTED:
        if name in rows.column_names:
            mask = pc.or_(mask, _isin(rows.column(name), sorted(athlete.bibs)))
    return mask


def holds_athlete(rows: pa.Table, athlete: Athlete) -> bool:
    """Whether any row is the athlete's or names them."""
    either = pc.or_(removed_mask(rows, athlete), redacted_mask(rows, athlete))
    return bool(pc.any(either).as_py())


def erase(rows: pa.Table, athlete: Athlete) -> tuple[pa.Table, int]:
    """The rows without the athlete's, the others naming them emptied; how many changed."""
    removed = removed_mask(rows, athlete)
    kept = rows.filter(pc.invert(removed))
    changed = rows.num_rows - kept.num_rows
    redacted = redacted_mask(kept, athlete)
    count = pc.sum(redacted.cast(pa.int64())).as_py() or 0
    if count:
        for name, prefix in REDACTED.items():
            if name not in kept.column_names:
                continue
            for i, column in enumerate(kept.column_names):
                if column.startswith(prefix):
                    field = kept.schema.field(i)
                    empty = pa.nulls(kept.num_rows, field.type)
                    kept = kept.set_column(i, field, pc.if_else(redacted, empty, kept.column(i)))
    return kept, changed + count
