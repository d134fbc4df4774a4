"""Named sizes of a simulation run."""

from __future__ import annotations

from dataclasses import dataclass

from racesim.errors import SimulationError


@dataclass(frozen=True)
class Scale:
    name: str
    teams: int
    stages: tuple[int, ...]
    description: str


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale(
            "tiny",
            4,
            (16, 17, 21),
            "4 teams, 3 stages (time trial, Col de la Loze, Paris): "
            "about half a million rows, seconds; for tests",
        ),
        Scale("small", 22, (1, 16, 17), "all 22 teams, 3 stages: about 4 million rows; the demo"),
        Scale(
            "full",
            22,
            tuple(range(1, 22)),
            "the whole Tour: 22 teams, 21 stages, about 28 million rows",
        ),
        Scale(
            "tour-lite",
            2,
            tuple(range(1, 22)),
            "2 teams (16 riders, about 9 with telemetry), all 21 stages: about 2.3 million "
            "rows; a whole Tour day by day in tests (`peloton race`)",
        ),
    )
}
DEMO_SCALE = "small"


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise SimulationError(
            f"unknown scale {name!r}; expected one of {', '.join(SCALES)}"
        ) from None
