"""One pipeline run as it went: each step's outcome, and what the steps' results say."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakehouse.ingest.files import FileResult
from lakehouse.ingest.steps import IngestSummary
from lakehouse.ingest.telemetry import DayResult
from lakehouse.pipeline.graph import Status
from lakehouse.transform.checks import Check
from lakehouse.transform.marts import ChecksFailed, MartsResult
from lakehouse.transform.staging import StagedResult


@dataclass(frozen=True)
class StepOutcome:
    """How one step ended, how long it took, and what it returned (or raised)."""

    name: str
    status: Status
    seconds: float = 0.0
    detail: str = ""
    """The error of a failed step, the failed steps a skipped one needed."""
    result: Any = None
    error: BaseException | None = None


@dataclass
class Night:
    """Every step's outcome, in the order they ran."""

    outcomes: list[StepOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[StepOutcome]:
        return [o for o in self.outcomes if o.status == Status.FAILED]

    def _results(self) -> list[Any]:
        found: list[Any] = []
        for outcome in self.outcomes:
            value = outcome.result
            found += value if isinstance(value, list) else [value]
        return found

    def ingestion(self) -> IngestSummary:
        """What the ingestion steps landed and quarantined, per source and day or file."""
        results = self._results()
        return IngestSummary(
            telemetry=[r for r in results if isinstance(r, DayResult)],
            files=[r for r in results if isinstance(r, FileResult)],
        )

    def transform(self) -> tuple[list[StagedResult], MartsResult] | None:
        """The transform's staging days and marts, when it ran and succeeded."""
        for outcome in self.outcomes:
            value = outcome.result
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], MartsResult):
                return value[0], value[1]
        return None

    def checks(self) -> list[Check]:
        """The checks run on the marts before publishing: all of them when they passed, and
        when one failed (the transform's error holds them)."""
        done = self.transform()
        if done is not None:
            return list(done[1].checks)
        for outcome in self.outcomes:
            if isinstance(outcome.error, ChecksFailed):
                return list(outcome.error.checks)
        return []
