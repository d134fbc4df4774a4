"""The duels the nightly exports render for a stage, chosen from the marts.

- the stage's winner against the runner-up over the last FINALE_KM km;
- the first two on each climb of category CLIMB_CATEGORIES;
- the leader of the general classification after the stage against the second, on the stage's
  last categorized climb.

Results in the marts are computed among the riders with telemetry; the captions say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyiceberg.catalog import Catalog

from lakehouse.gifs.files import slug
from lakehouse.gifs.race import Stage
from lakehouse.gifs.request import SegmentChoice
from lakehouse.gifs.segment import climbs
from lakehouse.lake.mart_tables import CLIMB_EFFORTS, GENERAL_CLASSIFICATION, STAGE_RESULTS
from lakehouse.lake.readers import read

FINALE_KM = 5.0
CLIMB_CATEGORIES = ("HC", "1")
AMONG = "among riders with telemetry"


@dataclass(frozen=True)
class DuelSpec:
    """A duel to export: its key in the stage, what it is, where, and whom."""

    stage: int
    export_id: str
    kind: str
    caption: str
    segment: SegmentChoice
    bibs: tuple[int, int]


@dataclass(frozen=True)
class Skipped:
    """A duel that cannot be drawn, and why."""

    stage: int
    export_id: str
    reason: str


def _first_two(rows: list[dict[str, object]]) -> tuple[int, int] | None:
    ranked = sorted((r for r in rows if r["rank"] is not None), key=lambda r: int(str(r["rank"])))
    if len(ranked) < 2:
        return None
    return int(str(ranked[0]["bib"])), int(str(ranked[1]["bib"]))


def _rows(catalog: Catalog, table: str, stage: int) -> list[dict[str, object]]:
    return read(catalog.load_table(table), where=f"stage == {stage}").to_pylist()


def wanted_duels(catalog: Catalog, stage: Stage) -> tuple[list[DuelSpec], list[Skipped]]:
    """The stage's duels, and those that cannot be drawn (too few riders, no climb)."""
    number = stage.facts.stage
    found: list[DuelSpec] = []
    skipped: list[Skipped] = []

    def add(
        export_id: str, kind: str, caption: str, segment: SegmentChoice, bibs: tuple[int, int] | str
    ) -> None:
        if isinstance(bibs, tuple):
            found.append(DuelSpec(number, export_id, kind, caption, segment, bibs))
        else:
            skipped.append(Skipped(number, export_id, str(bibs)))

    results = [r for r in _rows(catalog, STAGE_RESULTS.name, number) if r["status"] == "finished"]
    finale = f"last-{FINALE_KM:g}-km"
    add(
        f"finale-{finale}",
        "finale",
        f"Stage winner vs runner-up ({AMONG})",
        SegmentChoice(last_km=FINALE_KM),
        _first_two(results) or "fewer than two finishers with telemetry",
    )
    efforts = _rows(catalog, CLIMB_EFFORTS.name, number)
    for segment in climbs(stage.facts, stage.route):
        if segment.climb is None or segment.climb.category not in CLIMB_CATEGORIES:
            continue
        on_climb = [r for r in efforts if r["climb_number"] == segment.climb.number]
        add(
            f"climb-{segment.climb.number}-{slug(segment.name)}",
            "climb",
            f"First two on the climb ({AMONG})",
            SegmentChoice(climb=str(segment.climb.number)),
            _first_two(on_climb) or "fewer than two riders with telemetry rode the whole climb",
        )
    standings = _rows(catalog, GENERAL_CLASSIFICATION.name, number)
    last = [(c, c.climb) for c in climbs(stage.facts, stage.route) if c.climb is not None][-1:]
    if not last:
        skipped.append(Skipped(number, "general-classification", "the stage has no climb"))
    else:
        top, climb = last[0]
        add(
            f"general-classification-climb-{climb.number}-{slug(top.name)}",
            "general_classification",
            f"GC leader vs second after the stage, on its last climb ({AMONG})",
            SegmentChoice(climb=str(climb.number)),
            _first_two(standings) or "fewer than two riders in the general classification",
        )
    return found, skipped
