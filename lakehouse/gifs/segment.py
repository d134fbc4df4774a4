"""The segment a flyby shows: a categorized climb, the finale, or any range of the route."""

from __future__ import annotations

from dataclasses import dataclass, replace

from lakehouse.gifs.names import folded
from lakehouse.gifs.request import FlybyRequestError, SegmentChoice
from lakehouse.transform.efforts import Segment, route_segment, stage_segments
from lakehouse.transform.facts import Route
from lakehouse.transform.results import StageFacts


@dataclass(frozen=True)
class FlybySegment:
    """A segment, with what its title says: length, average gradient, category."""

    segment: Segment

    @property
    def length_km(self) -> float:
        return (self.segment.end_m - self.segment.start_m) / 1000.0

    @property
    def avg_gradient_pct(self) -> float | None:
        s = self.segment
        if s.start_ele_m is None or s.end_ele_m is None:
            return None
        return (s.end_ele_m - s.start_ele_m) / (s.end_m - s.start_m) * 100.0

    @property
    def category(self) -> str | None:
        return self.segment.climb.category if self.segment.climb else None

    @property
    def label(self) -> str:
        """What the title calls it: the climb's name with its category, or the range."""
        cat = self.category
        if cat is None:
            return self.segment.name
        return f"{self.segment.name} ({'HC' if cat == 'HC' else 'cat. ' + cat})"


def climbs(facts: StageFacts, route: Route) -> list[Segment]:
    """The stage's categorized climbs, foot to summit, in route order."""
    return [s for s in stage_segments(facts, route) if s.climb is not None]


def _climb_list(found: list[Segment]) -> str:
    return ", ".join(
        f"{s.climb.number} {s.name} (cat. {s.climb.category})" for s in found if s.climb
    )


def find_climb(stage: int, query: str, found: list[Segment]) -> Segment:
    """A climb by its number in the stage or its name (case- and accent-insensitive)."""
    if not found:
        raise FlybyRequestError(f"stage {stage} has no categorized climb; use --last-km or a range")
    text = query.strip()
    if text.isdigit():
        matches = [s for s in found if s.climb and s.climb.number == int(text)]
    else:
        wanted = folded(text)
        matches = [s for s in found if folded(s.name) == wanted] or [
            s for s in found if wanted in folded(s.name)
        ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise FlybyRequestError(f"climb {query!r} is ambiguous: {_climb_list(matches)}")
    raise FlybyRequestError(
        f"stage {stage} has no climb {query!r}; its climbs: {_climb_list(found)}"
    )


def _checked_range(stage: int, length_km: float, start_km: float, end_km: float) -> None:
    if start_km >= end_km:
        raise FlybyRequestError(
            f"--from-km {start_km:g} is not before --to-km {end_km:g}: the segment must go forward"
        )
    if start_km < 0 or end_km > length_km + 1e-9:
        raise FlybyRequestError(
            f"km {start_km:g} to {end_km:g} is outside stage {stage}'s route, which runs from "
            f"km 0 to km {length_km:.3f}"
        )


def choose_segment(facts: StageFacts, route: Route, choice: SegmentChoice) -> FlybySegment:
    """The one segment `choice` names on the stage."""
    ways = [
        choice.climb is not None,
        choice.last_km is not None,
        choice.from_km is not None or choice.to_km is not None,
    ]
    if sum(ways) != 1:
        raise FlybyRequestError(
            "choose one segment: --climb NAME|NUMBER, --last-km KM, or --from-km A --to-km B"
        )
    stage, length_km = facts.stage, facts.route_length_m / 1000.0
    if choice.climb is not None:
        return FlybySegment(find_climb(stage, choice.climb, climbs(facts, route)))
    if choice.last_km is not None:
        if not 0 < choice.last_km <= length_km:
            raise FlybyRequestError(
                f"--last-km {choice.last_km:g}: expected more than 0 and at most the route's "
                f"{length_km:.3f} km"
            )
        start_m = facts.route_length_m - choice.last_km * 1000.0
        name = f"Last {choice.last_km:g} km"
        return FlybySegment(route_segment(stage, route, start_m, facts.route_length_m, name))
    if choice.from_km is None or choice.to_km is None:
        raise FlybyRequestError("a range needs both --from-km and --to-km")
    _checked_range(stage, length_km, choice.from_km, choice.to_km)
    segment = route_segment(stage, route, choice.from_km * 1000.0, choice.to_km * 1000.0, "")
    return FlybySegment(replace(segment, name=f"km {choice.from_km:g} to {choice.to_km:g}"))
