"""The pipeline's steps and what each depends on: which step runs, and which is skipped.

A step is a flow run as a subflow of the pipeline. It `needs` steps that must have succeeded
(it is skipped, naming them, when one failed or was skipped) and comes `after` steps that must
only have ended, whatever their outcome (the transform comes after every source's ingestion,
and runs on what landed when one source failed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lakehouse.errors import PelotonError


@dataclass(frozen=True)
class Step:
    """One step: its name (the flow's name), its flow (`module:attribute`), what it waits for.

    The attribute is a Prefect flow, or a function that returns one (a flow configured from
    the settings). Its deployment is named like the flow, with hyphens (`gif-exports`).
    """

    name: str
    flow: str
    needs: tuple[str, ...] = ()
    """Steps that must have succeeded: when one did not, this step is skipped."""
    after: tuple[str, ...] = ()
    """Steps that must have ended first, failed or not."""
    writes: str = ""
    """What it writes (tables, a cache), named in the alert when it fails."""

    @property
    def waits_for(self) -> tuple[str, ...]:
        return (*self.needs, *self.after)


class Status(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class StepsError(PelotonError):
    """The step list is wrong: an unknown or repeated name, or a cycle."""


def ordered(steps: Sequence[Step]) -> list[Step]:
    """The steps in an order that runs each after what it waits for (stable: the list's order
    where it is free); a step that waits for an unknown step, or a cycle, is refused."""
    names = [s.name for s in steps]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise StepsError(f"step {repeated[0]!r} is listed twice")
    for step in steps:
        unknown = [n for n in step.waits_for if n not in names]
        if unknown:
            raise StepsError(f"step {step.name!r} waits for {unknown[0]!r}, which is no step")
    done: list[Step] = []
    left = list(steps)
    while left:
        ready = next(
            (s for s in left if all(n in {d.name for d in done} for n in s.waits_for)), None
        )
        if ready is None:
            raise StepsError(f"steps {', '.join(s.name for s in left)} wait for each other")
        done.append(ready)
        left.remove(ready)
    return done


def selected(steps: Sequence[Step], only: Iterable[str] | None) -> list[Step]:
    """The steps to run: all, or those named in `only` (what they wait for is then taken as
    done: running one step alone is the same as running its flow alone)."""
    if only is None:
        return ordered(steps)
    wanted = set(only)
    unknown = sorted(wanted - {s.name for s in steps})
    if unknown:
        known = ", ".join(s.name for s in steps)
        raise StepsError(f"no step {unknown[0]!r}; the steps are {known}")
    return [
        Step(s.name, s.flow, tuple(n for n in s.needs if n in wanted), s.after, s.writes)
        for s in ordered(steps)
        if s.name in wanted
    ]


def blocked_by(step: Step, statuses: Mapping[str, Status]) -> list[str]:
    """The steps it needs that did not succeed (empty: the step runs)."""
    return [n for n in step.needs if statuses.get(n, Status.COMPLETED) != Status.COMPLETED]
