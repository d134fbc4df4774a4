"""The run's alert from its outcome: one message naming each fault, its table, day and fix."""

from datetime import date

from lakehouse.ingest.files import FileResult
from lakehouse.ingest.telemetry import DayResult
from lakehouse.pipeline.alerts import (
    FAILED_CHECK,
    FAILED_STEP,
    NOT_DELIVERED,
    PARTLY_DELIVERED,
    QUARANTINE,
    alert_for,
    find_faults,
)
from lakehouse.pipeline.deliveries import Undelivered, Unfinished, undelivered, unfinished
from lakehouse.pipeline.graph import Status, Step
from lakehouse.pipeline.night import Night, StepOutcome
from lakehouse.pipeline.summary import summary_markdown
from lakehouse.transform.checks import Check
from lakehouse.transform.marts import ChecksFailed

INDEX = {4: date(2024, 6, 2), 5: date(2024, 6, 3), 6: date(2024, 6, 4)}
STEPS = [
    Step("ingest_telemetry", "m:t", writes="raw.telemetry"),
    Step("transform", "m:x", writes="marts.*"),
]


def _night(*outcomes: StepOutcome) -> Night:
    return Night(list(outcomes))


def test_a_clean_night_sends_nothing() -> None:
    night = _night(
        StepOutcome(
            "ingest_telemetry",
            Status.COMPLETED,
            1.0,
            result=[DayResult(INDEX[4], 900, False, "b", 9)],
        ),
    )
    faults = find_faults(night, STEPS, [], INDEX, 0.02, "race")
    assert faults == [] and alert_for(faults, "nightly run x") is None


def test_every_kind_of_fault_in_one_message() -> None:
    refused = FileResult("stages/stage-05.csv", 40, 0, 40, note="refused: line 12: lat 'x'")
    day = DayResult(INDEX[6], 1000, False, "b", 30)
    checks = [
        Check("unique key", "marts.stage_results", False, "2 repeated", [{"stage": 6, "bib": 3}]),
        Check("unique key", "marts.climb_efforts", True, "0 repeated"),
    ]
    night = _night(
        StepOutcome(
            "ingest_telemetry",
            Status.FAILED,
            30.0,
            "Flow run encountered an exception",
            error=OSError("race.telemetry_2024_06_04: connection reset"),
        ),
        StepOutcome("ingest_stages", Status.COMPLETED, result=[refused]),
        StepOutcome("ingest_other", Status.COMPLETED, result=[day]),
        StepOutcome("transform", Status.FAILED, error=ChecksFailed(checks[:1], "run-abc", checks)),
        StepOutcome("gif_exports", Status.SKIPPED, detail="skipped: needs transform"),
    )
    missing = undelivered(INDEX, [INDEX[4], INDEX[6]], [INDEX[4], INDEX[6]])
    assert missing == [
        Undelivered("raw.telemetry", 5, INDEX[5]),
        Undelivered("raw.stage_routes", 5, INDEX[5]),
    ]
    faults = find_faults(night, STEPS, missing, INDEX, 0.02, "race")
    found = {(f.kind, f.table, f.day) for f in faults}
    assert found == {
        (FAILED_STEP, "raw.telemetry", "2024-06-04"),
        (FAILED_CHECK, "marts.stage_results", "2024-06-04"),
        (NOT_DELIVERED, "raw.telemetry", "2024-06-03"),
        (NOT_DELIVERED, "raw.stage_routes", "2024-06-03"),
        (QUARANTINE, "raw.stage_routes", "2024-06-03"),
        (QUARANTINE, "raw.telemetry", "2024-06-04"),
    }
    alert = alert_for(faults, "nightly run x")
    assert alert is not None
    assert alert.subject.startswith("Peloton nightly run x: 6 faults (check failed, day not")
    assert "connection reset" in alert.body and "race.telemetry_2024_06_03" in alert.body
    assert "40 of 40 rows quarantined (100.0%, threshold 2.0%); refused: line 12" in alert.body
    assert "30 of 1,000 rows quarantined (3.0%" in alert.body
    assert "on branch run-abc" in alert.body and alert.body.count("Fix: ") == 6
    markdown = summary_markdown(night, faults, "nightly run x")
    assert "| transform | failed |" in markdown and "| gif_exports | skipped |" in markdown
    assert "| marts.stage_results | unique key | FAILED | 2 repeated |" in markdown
    assert "| marts.climb_efforts | unique key | passed |" in markdown
    assert "Not built: the transform did not complete" in markdown


def test_quarantine_at_the_threshold_is_not_a_fault() -> None:
    day = DayResult(INDEX[4], 1000, False, "b", 20)
    night = _night(StepOutcome("ingest_telemetry", Status.COMPLETED, result=[day]))
    assert find_faults(night, STEPS, [], INDEX, 0.02, "race") == []
    assert len(find_faults(night, STEPS, [], INDEX, 0.019, "race")) == 1


def test_a_stage_most_riders_do_not_finish_was_delivered_in_part() -> None:
    def rows(stage: int, finished: int, abandoned: int) -> list[dict[str, object]]:
        day = INDEX[stage]
        return [{"stage": stage, "stage_date": day, "status": "finished"}] * finished + [
            {"stage": stage, "stage_date": day, "status": "abandoned"}
        ] * abandoned

    results = rows(4, 7, 1) + rows(5, 3, 5) + rows(6, 4, 4)
    partial = unfinished(results)
    assert partial == [Unfinished(5, INDEX[5], 3, 8)]
    (fault,) = find_faults(_night(), STEPS, [], INDEX, 0.0, "race", partial)
    assert (fault.kind, fault.table, fault.day) == (PARTLY_DELIVERED, "raw.telemetry", "2024-06-03")
    assert "only 3 of 8 riders' telemetry reaches the finish" in fault.detail
    assert "peloton run --day 2024-06-03" in fault.fix
