"""An unfolding race for pipeline tests: the sources after each delivered day.

    for unfolding, report in unfolded_race(tmp_path / "sources", postgres_url, "race"):
        ...  # run the nightly flow, check the marts against the truth of the days so far

Every report says the faults of that night (`report.faults`, `source-restart` to act out while
the extract runs) and the earlier ones it repaired (`report.fixed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from racesim.unfold import DayReport, Unfolding

SCALE = "tour-lite"
SEED = 2023


def unfolded_race(
    out_dir: Path,
    source_url: str | None,
    schema: str = "race",
    *,
    scale: str = SCALE,
    seed: int = SEED,
    faults: str | Path | None = "default",
    data_dir: Path | None = None,
    on_created: Callable[[Unfolding], None] | None = None,
) -> Iterator[tuple[Unfolding, DayReport]]:
    """Create the race in `out_dir` (telemetry in `schema` at `source_url`; None: files only),
    call `on_created` with it before any delivery, then yield after each delivered day."""
    unfolding = Unfolding.create(
        out_dir, scale, seed, source_url, schema=schema, faults=faults, data_dir=data_dir
    )
    if on_created is not None:
        on_created(unfolding)
    while unfolding.delivered < unfolding.total:
        yield unfolding, unfolding.next_day()
