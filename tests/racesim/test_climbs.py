import numpy as np
import pytest

from racesim.climbs import categorize, climb_score, detect_climbs
from racesim.routes import Course, load_route, resample


def _course(ele: np.ndarray, step: float = 25.0) -> Course:
    x = np.arange(len(ele)) * step
    return Course(
        stage=0,
        x_m=x,
        lat=np.full(len(x), 45.0),
        lon=np.linspace(6.0, 6.5, len(x)),
        ele_m=ele,
        grade=np.gradient(ele, x),
    )


@pytest.mark.parametrize(
    ("length_m", "grade", "category"),
    [
        (28_000, 0.06, "HC"),
        (11_000, 0.065, "1"),
        (8_000, 0.045, "2"),
        (4_000, 0.05, "3"),
        (2_000, 0.045, "4"),
        (1_000, 0.05, None),
    ],
)
def test_categories_follow_the_score(length_m: float, grade: float, category: str | None) -> None:
    assert categorize(climb_score(length_m, grade)) == category


def test_synthetic_climb_is_found_with_its_foot_and_summit() -> None:
    flat = np.full(400, 200.0)  # 10 km flat
    up = 200.0 + np.arange(1, 401) * 25 * 0.07  # 10 km at 7 %: score 70,000
    down = up[-1] - np.arange(1, 401) * 25 * 0.05
    climbs = detect_climbs(_course(np.concatenate([flat, up, down])))
    assert len(climbs) == 1
    climb = climbs[0]
    assert climb.foot_m == pytest.approx(10_000, abs=100)
    assert climb.length_m == pytest.approx(10_000, abs=100)
    assert climb.avg_grade == pytest.approx(0.07, abs=0.002)
    assert climb.category == "1"


def test_small_bumps_are_not_climbs() -> None:
    ele = 300 + 20 * np.sin(np.linspace(0, 20, 4000))
    assert detect_climbs(_course(ele)) == []


def test_col_de_la_loze_is_the_highest_and_hardest_climb_of_stage_17() -> None:
    climbs = detect_climbs(resample(load_route(17)))
    loze = max(climbs, key=lambda c: c.summit_ele_m)
    assert loze.name == "Col de la Loze"
    assert loze.category == "HC"
    assert loze.summit_ele_m == pytest.approx(2_300, abs=30)
    assert loze is max(climbs, key=lambda c: c.score)
    assert loze is climbs[-1]
    assert [c.number for c in climbs] == list(range(1, len(climbs) + 1))


def test_flat_stage_has_no_hard_climbs() -> None:
    assert [
        c for c in detect_climbs(resample(load_route(7))) if c.category in ("HC", "1", "2")
    ] == []
