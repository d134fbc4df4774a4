"""SIGKILL at seeded points of each phase of a run: the next run converges, readers see only
what docs/reliability.md promises (the seeded subset of `make trials`)."""

from pathlib import Path

import pytest
from trial_harness import PHASES, Race, Reference, sweep

pytestmark = pytest.mark.integration
SEED = 15
KILLS_PER_PHASE = 2


@pytest.mark.timeout(1800)  # two kills and two runs after them, on a shared machine
@pytest.mark.parametrize("phase", PHASES)
def test_a_kill_in_each_phase_converges_and_readers_see_whole_runs(
    phase: str, race: Race, reference: Reference, tmp_path: Path
) -> None:
    trials = sweep(
        race, reference, KILLS_PER_PHASE, SEED + PHASES.index(phase), tmp_path, phases=(phase,)
    )
    # a kill that came after the phase had ended is followed by another, sooner
    assert sum(t.killed_in == phase for t in trials) == KILLS_PER_PHASE
    for trial in trials:
        assert trial.differences == [], trial
        assert trial.violations == [], trial
        assert trial.looks > 0, trial
