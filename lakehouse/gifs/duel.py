"""A duel: two riders with telemetry, their efforts on one segment, and how they are aligned."""

from __future__ import annotations

from dataclasses import dataclass

from pyiceberg.catalog import Catalog

from lakehouse.gifs.motion import Duelist
from lakehouse.gifs.race import Stage, load_tracks, start_list
from lakehouse.gifs.request import Align, FlybyRequestError
from lakehouse.gifs.riders import Entrant, find_pair
from lakehouse.gifs.segment import FlybySegment
from lakehouse.transform.efforts import segment_efforts
from lakehouse.transform.tracks import Track


@dataclass(frozen=True)
class Duel:
    stage: Stage
    segment: FlybySegment
    duelists: tuple[Duelist, Duelist]
    align: Align
    caption: str | None = None
    """A line under the title (for example who the riders are among)."""

    @property
    def gap_s(self) -> float:
        """The difference of the two efforts' times (s), as the marts compute them."""
        a, b = (d.effort.figures.time_s for d in self.duelists)
        return abs(a - b)


def duelists(
    catalog: Catalog, stage: Stage, segment: FlybySegment, pair: tuple[Entrant, Entrant]
) -> tuple[Duelist, Duelist]:
    """Both riders' tracks (read from staging) and efforts on the segment."""
    ids = [e.athlete_id for e in pair if e.athlete_id is not None]
    return pair_efforts(stage.facts.stage, segment, pair, load_tracks(catalog, stage.facts, ids))


def pair_efforts(
    stage: int, segment: FlybySegment, pair: tuple[Entrant, Entrant], tracks: dict[int, Track]
) -> tuple[Duelist, Duelist]:
    """Both riders' efforts, computed as the marts compute them; a rider who did not ride the
    whole segment (withdrawn before its end, a head unit that stopped) is refused."""
    weights = {e.athlete_id: e.weight_kg for e in pair if e.athlete_id and e.weight_kg}
    efforts = {e.athlete_id: e for e in segment_efforts(segment.segment, tracks, weights)}
    found = []
    for entrant in pair:
        effort = efforts.get(entrant.athlete_id or -1)
        if effort is None:
            why = (
                "no telemetry that day"
                if entrant.athlete_id not in tracks
                else "telemetry that does not cover it (withdrawn, or the head unit stopped)"
            )
            raise FlybyRequestError(
                f"{entrant.label} has no effort on stage {stage}, {segment.label}: {why}"
            )
        found.append(Duelist(entrant, tracks[effort.athlete_id], effort))
    return found[0], found[1]


def load_duel(
    catalog: Catalog,
    stage: Stage,
    segment: FlybySegment,
    riders: tuple[str, str],
    align: Align,
    caption: str | None = None,
) -> Duel:
    """The duel of two riders (bibs or names) on a segment of the stage."""
    pair = find_pair(riders, start_list(catalog))
    return Duel(stage, segment, duelists(catalog, stage, segment, pair), align, caption)
