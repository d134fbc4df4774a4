"""The simulated race: shape, rules, telemetry realism and agreement with the ground truth."""

from collections import Counter
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from racesim.athletes import make_riders
from racesim.race import TT_START_INTERVAL_S, StageRace
from racesim.scales import get_scale
from racesim.simulate import Race, simulate_race
from racesim.telemetry import stage_telemetry
from racesim.truth import SAME_TIME_GAP_S

SEED = 11


@pytest.fixture(scope="module")
def race() -> Race:
    return simulate_race("tiny", SEED)


@pytest.fixture(scope="module")
def telemetry(race: Race) -> dict[int, pa.Table]:
    return {s.info.stage: stage_telemetry(s, SEED) for s in race.stages}


def _stage(race: Race, number: int) -> StageRace:
    return next(s for s in race.stages if s.info.stage == number)


def test_start_list() -> None:
    riders = make_riders(22, SEED)
    assert len(riders) == 176
    assert len({r.team for r in riders}) == 22
    assert len({r.bib for r in riders}) == 176
    assert len({r.rider_name for r in riders}) == 176
    share = sum(r.strava_athlete_id is not None for r in riders) / len(riders)
    assert 0.4 < share < 0.65
    assert {r.role for r in riders} == {"leader", "climber", "sprinter", "rouleur", "domestique"}
    assert all(50 < r.weight_kg < 95 and 4.5 < r.ftp_w_per_kg < 6.7 for r in riders)


def test_same_seed_same_race_other_seed_other_race(race: Race) -> None:
    again = simulate_race("tiny", SEED)
    assert again.results == race.results
    assert again.climbs == race.climbs
    other = simulate_race("tiny", SEED + 1)
    assert other.results != race.results


def test_same_seed_same_telemetry(race: Race, telemetry: dict[int, pa.Table]) -> None:
    stage = _stage(simulate_race("tiny", SEED), 16)
    assert stage_telemetry(stage, SEED).equals(telemetry[16])


def test_time_trial_is_ridden_solo_one_rider_a_minute(race: Race) -> None:
    tt = _stage(race, 16)
    starts = sorted(r.start_s for r in tt.rides)
    assert np.allclose(np.diff(starts), TT_START_INTERVAL_S)
    assert all(np.all(r.draft == 1.0) for r in tt.rides)
    winner = min((r for r in tt.rides if r.finish_s), key=lambda r: r.finish_s - r.start_s)
    assert winner.rider.role in ("leader", "rouleur")


def test_mountain_stage_won_by_a_climber_with_gaps(race: Race) -> None:
    results = [r for r in race.results if r.stage == 17 and r.rank is not None]
    results.sort(key=lambda r: r.rank or 0)
    riders = {r.bib: r for r in race.riders}
    assert riders[results[0].bib].role in ("leader", "climber")
    assert results[-1].finish_time_s - results[0].finish_time_s > 300  # the gruppetto


def test_flat_stage_ends_in_a_bunch_sprint_with_the_same_time(race: Race) -> None:
    results = sorted(
        (r for r in race.results if r.stage == 21 and r.rank), key=lambda r: r.rank or 0
    )
    riders = {r.bib: r for r in race.riders}
    assert riders[results[0].bib].role == "sprinter"
    times = Counter(r.official_time_s for r in results)
    bunch_time, bunch_size = times.most_common(1)[0]
    assert bunch_time == results[0].official_time_s
    assert bunch_size >= len(results) // 2
    assert [r.bonus_s for r in results[:4]] == [10, 6, 4, 0]


def test_same_time_rule_chains_gaps_under_one_second(race: Race) -> None:
    results = sorted(
        (r for r in race.results if r.stage == 21 and r.rank), key=lambda r: r.rank or 0
    )
    for ahead, behind in pairwise(results):
        assert ahead.finish_time_s is not None and behind.finish_time_s is not None
        if behind.finish_time_s - ahead.finish_time_s < SAME_TIME_GAP_S:
            assert behind.official_time_s == ahead.official_time_s
        else:
            assert behind.official_time_s == int(behind.finish_time_s)


def test_riders_out_of_the_race_start_no_more_stages(race: Race) -> None:
    out: set[int] = set()
    for stage in race.stages:
        starters = {r.rider.bib for r in stage.rides}
        assert not starters & out
        out |= {r.rider.bib for r in stage.rides if r.status != "finished"}


def test_general_classification_adds_times_and_bonuses(race: Race) -> None:
    last = race.stages[-1].info.stage
    gc = [g for g in race.gc if g.stage == last]
    totals: dict[int, int] = {}
    for res in race.results:
        if res.official_time_s is not None and res.status == "finished":
            totals[res.bib] = totals.get(res.bib, 0) + res.official_time_s - res.bonus_s
    assert {g.bib: g.total_time_s for g in gc} == {b: totals[b] for b in (g.bib for g in gc)}
    assert [g.rank for g in gc] == list(range(1, len(gc) + 1))
    assert gc[0].gap_s == 0 and all(a.total_time_s <= b.total_time_s for a, b in pairwise(gc))


def test_last_point_is_at_the_finish_at_the_true_finish_time(
    race: Race, telemetry: dict[int, pa.Table]
) -> None:
    for stage in race.stages:
        table = telemetry[stage.info.stage]
        finish_lat, finish_lon = stage.course.lat[-1], stage.course.lon[-1]
        for res in (r for r in race.results if r.stage == stage.info.stage):
            if res.athlete_id is None or res.finished_at is None:
                continue
            rows = table.filter(pc.equal(table["athlete_id"], res.athlete_id))
            last = rows.slice(rows.num_rows - 1).to_pylist()[0]
            lag = (last["recorded_at"] - res.finished_at).total_seconds()
            assert 0 <= lag < 1.0
            dy = (last["lat"] - finish_lat) * 111_195
            dx = (last["lon"] - finish_lon) * 111_195 * np.cos(np.radians(finish_lat))
            assert np.hypot(dx, dy) < 15.0


def test_telemetry_is_plausible_and_has_real_faults(
    race: Race, telemetry: dict[int, pa.Table]
) -> None:
    table = pa.concat_tables(telemetry.values())
    strava = sum(r.strava_athlete_id is not None for r in race.riders)
    assert pc.count_distinct(table["athlete_id"]).as_py() == strava
    speed = table["speed_kmh"].to_numpy()
    assert np.percentile(speed, 99) < 85 and np.median(speed) > 25
    power = pc.drop_null(table["power_w"]).to_numpy()
    assert 150 < power.mean() < 350 and power.max() > 900  # sprints and attacks
    hr = pc.drop_null(table["heart_rate_bpm"]).to_numpy()
    assert 110 < np.median(hr) < 175 and hr.max() <= 205
    # some riders lack sensors: whole columns null for them
    assert table["power_w"].null_count > 0 and table["power_w"].null_count < table.num_rows
    # duplicated fixes and dropouts
    keys = pc.add(
        pc.multiply(table["athlete_id"], 10**10),
        pc.cast(pc.divide(pc.cast(table["recorded_at"], pa.int64()), 10**6), pa.int64()),
    )
    assert pc.count_distinct(keys).as_py() < table.num_rows
    stage17 = telemetry[17]
    same_rider = np.diff(stage17["athlete_id"].to_numpy()) == 0
    steps = (np.diff(stage17["recorded_at"].cast(pa.int64()).to_numpy()) / 1e6)[same_rider]
    assert set(np.unique(steps)) >= {0.0, 1.0}  # duplicates and regular fixes
    assert 0 < (steps >= 3).sum() < 0.01 * len(steps)  # a few dropouts


def test_scales_are_named_and_checked() -> None:
    assert get_scale("tiny").stages == (16, 17, 21)
    assert len(get_scale("full").stages) == 21
    from racesim.errors import SimulationError

    with pytest.raises(
        SimulationError, match="unknown scale 'huge'; expected one of tiny, small, full"
    ):
        get_scale("huge")
