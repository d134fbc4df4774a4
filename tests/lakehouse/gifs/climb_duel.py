"""The duel the flyby tests draw, as the marts have it (a module of its own, not a conftest:
the whole suite holds several conftest modules, and only one of them is importable by name)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ClimbDuel:
    """The first two on the last climb of the stage with the most climbs, as the mart has them."""

    stage: int
    climb_number: int
    climb_name: str
    bibs: tuple[int, int]
    times_s: tuple[float, float]
