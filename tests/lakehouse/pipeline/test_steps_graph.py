"""The pipeline's step list: its order, what a failed step skips, a selection of steps."""

import pytest

from lakehouse.pipeline.graph import Status, Step, StepsError, blocked_by, ordered, selected

STEPS = (
    Step("athletes", "m:a"),
    Step("telemetry", "m:t"),
    Step("transform", "m:x", after=("athletes", "telemetry")),
    Step("gifs", "m:g", needs=("transform",)),
    Step("bot", "m:b", needs=("transform",)),
)


def test_steps_run_after_what_they_wait_for_in_the_lists_order_otherwise() -> None:
    shuffled = (STEPS[3], STEPS[2], STEPS[0], STEPS[4], STEPS[1])
    names = [s.name for s in ordered(shuffled)]
    assert names.index("transform") > max(names.index("athletes"), names.index("telemetry"))
    assert names.index("gifs") > names.index("transform") < names.index("bot")
    assert [s.name for s in ordered(STEPS)] == [s.name for s in STEPS]


def test_a_failed_step_blocks_only_the_steps_that_need_it() -> None:
    after_failed_source = {"athletes": Status.COMPLETED, "telemetry": Status.FAILED}
    assert blocked_by(STEPS[2], after_failed_source) == []  # after: runs on what landed
    failed_transform = {**after_failed_source, "transform": Status.FAILED}
    assert blocked_by(STEPS[3], failed_transform) == ["transform"]
    failed_gifs = {"transform": Status.COMPLETED, "gifs": Status.FAILED}
    assert blocked_by(STEPS[4], failed_gifs) == []
    assert blocked_by(STEPS[3], {"transform": Status.SKIPPED}) == ["transform"]


def test_a_wrong_step_list_is_refused_naming_the_step() -> None:
    with pytest.raises(StepsError, match="'gifs' waits for 'render', which is no step"):
        ordered((Step("gifs", "m:g", needs=("render",)),))
    with pytest.raises(StepsError, match="wait for each other"):
        ordered((Step("a", "m:a", needs=("b",)), Step("b", "m:b", after=("a",))))
    with pytest.raises(StepsError, match="'a' is listed twice"):
        ordered((Step("a", "m:a"), Step("a", "m:b")))


def test_a_selection_runs_its_steps_alone() -> None:
    chosen = selected(STEPS, ["gifs", "athletes"])
    assert [s.name for s in chosen] == ["athletes", "gifs"]
    assert blocked_by(chosen[1], {}) == [] and chosen[1].needs == ()
    with pytest.raises(StepsError, match="no step 'upkeep'; the steps are athletes, telemetry"):
        selected(STEPS, ["upkeep"])
