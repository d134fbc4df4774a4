"""Finding a rider of the start list by bib or name (case- and accent-insensitive)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lakehouse.gifs.names import folded
from lakehouse.gifs.request import FlybyRequestError


@dataclass(frozen=True)
class Entrant:
    """A rider of the start list; athlete_id is None for a rider without a head unit."""

    bib: int
    name: str
    team: str
    athlete_id: int | None
    weight_kg: float | None = None

    @property
    def label(self) -> str:
        return f"{self.name} (bib {self.bib})"


def find_rider(query: str, entrants: Sequence[Entrant]) -> Entrant:
    """The rider `query` names: a bib, a full name, or a part of one that only one rider has."""
    text = query.strip()
    if text.isdigit():
        for entrant in entrants:
            if entrant.bib == int(text):
                return entrant
        bibs = sorted(e.bib for e in entrants)
        raise FlybyRequestError(
            f"no rider has bib {text}; bibs run from {bibs[0]} to {bibs[-1]}"
            if bibs
            else f"no rider has bib {text}: the start list is empty"
        )
    wanted = folded(text)
    exact = [e for e in entrants if folded(e.name) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [e for e in entrants if wanted in folded(e.name)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        candidates = ", ".join(e.label for e in sorted(partial, key=lambda e: e.bib))
        raise FlybyRequestError(f"rider {query!r} is ambiguous: {candidates}; give a bib")
    examples = ", ".join(e.label for e in sorted(entrants, key=lambda e: e.bib)[:5])
    raise FlybyRequestError(
        f"no rider matches {query!r} among the {len(entrants)} riders of the start list "
        f"(for example {examples}); give a bib or a name"
    )


def find_pair(queries: tuple[str, str], entrants: Sequence[Entrant]) -> tuple[Entrant, Entrant]:
    """Two different riders with telemetry."""
    first, second = (find_rider(q, entrants) for q in queries)
    if first.bib == second.bib:
        raise FlybyRequestError(
            f"{queries[0]!r} and {queries[1]!r} are the same rider, {first.label}: "
            "give two different riders"
        )
    for entrant in (first, second):
        if entrant.athlete_id is None:
            raise FlybyRequestError(
                f"{entrant.label} has no telemetry (no head unit on the start list); "
                "choose a rider with a Strava id"
            )
    return first, second
