"""Which stages and days a run works on: `--stage` and `--day`, checked before anything runs.

A stage is found in the stage index (stages/stages.csv) and stands for its day; a day must be
a date. A stage or a day that does not exist is refused with what exists, rather than
running everything or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lakehouse.errors import SelectionError
from lakehouse.settings import Settings
from lakehouse.sources.rows import SourceFileError
from lakehouse.sources.stages import read_index


@dataclass(frozen=True)
class Selection:
    """The days to work on (None: every day) and the stages whose files to land (None: all)."""

    days: set[date] | None = None
    stages: set[int] | None = None

    def day_texts(self) -> list[str] | None:
        """The days as flow parameters (YYYY-MM-DD)."""
        return None if self.days is None else sorted(d.isoformat() for d in self.days)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SelectionError(f"--day {text!r} is not a date; expected YYYY-MM-DD") from None


def parse_days(days: Iterable[str] | None) -> set[date] | None:
    return {parse_day(d) for d in days} if days else None


def stage_days(index: Path) -> dict[int, date]:
    """Each stage's day in the index (its quarantined lines left out)."""
    try:
        parsed = read_index(index)
    except SourceFileError as exc:
        raise SelectionError(f"cannot select stages: {exc}") from None
    return dict(zip(parsed.columns["stage"], parsed.columns["date"], strict=True))


def select(
    settings: Settings, days: Iterable[str] | None, stages: Iterable[int] | None
) -> Selection:
    """The run's selection: the days asked for and those of the stages asked for."""
    chosen_days = parse_days(days)
    if not stages:
        return Selection(chosen_days, None)
    index = settings.sources_dir / "stages" / "stages.csv"
    known = stage_days(index)
    unknown = sorted(set(stages) - set(known))
    if unknown:
        have = f"stages {min(known)} to {max(known)}" if known else "no stage"
        raise SelectionError(f"--stage {unknown[0]}: no such stage in {index} (it has {have})")
    return Selection((chosen_days or set()) | {known[s] for s in stages}, set(stages))


def require_days(asked: set[date] | None, found: Iterable[date], where: str) -> None:
    """Every day asked for is among those found in the source, or SelectionError naming them."""
    missing = sorted((asked or set()) - set(found))
    if missing:
        present = sorted(set(found))
        have = f"{present[0]} to {present[-1]}" if present else "no day"
        raise SelectionError(f"--day {missing[0]}: no such day in {where} (it has {have})")
