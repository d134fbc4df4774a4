"""Each step's time, and the total since the start."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepTime:
    name: str
    seconds: float


@dataclass
class Stopwatch:
    """Times the named steps of one run, from any thread; the total counts from the stopwatch's
    creation."""

    started: float = field(default_factory=time.perf_counter)
    steps: list[StepTime] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as `name` (recorded only when it ends without an error)."""
        start = time.perf_counter()
        yield
        self.steps.append(StepTime(name, time.perf_counter() - start))

    def seconds_of(self, name: str) -> float:
        """The time of the last step named `name` (steps may end in other threads meanwhile)."""
        return next(s.seconds for s in reversed(self.steps) if s.name == name)

    @property
    def total_s(self) -> float:
        return time.perf_counter() - self.started


def duration(seconds: float) -> str:
    """`42.3 s` below a minute, `2 min 05 s` from a minute on."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"
