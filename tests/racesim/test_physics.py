import numpy as np
import pytest

from racesim.physics import MAX_SPEED_MS, power_for_speed, speed_for_power


def test_speed_and_power_are_inverse() -> None:
    grade = np.array([-0.04, 0.0, 0.03, 0.08, 0.12])
    speed = speed_for_power(np.full(5, 320.0), grade, 72.0, 0.32)
    assert power_for_speed(speed, grade, 72.0, 0.32) == pytest.approx(np.full(5, 320.0), rel=1e-6)


def test_flat_speed_is_that_of_a_pro() -> None:
    # 300 W on the flat in the drops: about 40 km/h
    speed_kmh = float(speed_for_power(300.0, np.zeros(1), 72.0, 0.32)[0]) * 3.6
    assert 37 < speed_kmh < 43


def test_climbing_speed_follows_watts_per_kilo() -> None:
    # 6 W/kg on 8 % gives a VAM near 1,800 m/h, as the best climbers ride
    mass = 65.0 + 7.2
    speed = float(speed_for_power(6 * 65.0, np.array([0.08]), mass, 0.32)[0])
    vam = speed * 0.08 / np.sqrt(1 + 0.08**2) * 3600
    assert 1600 < vam < 1950


def test_more_power_more_speed_less_on_steeper_roads() -> None:
    grade = np.array([0.0, 0.05, 0.10])
    slow = speed_for_power(250.0, grade, 72.0, 0.32)
    fast = speed_for_power(400.0, grade, 72.0, 0.32)
    assert np.all(fast > slow)
    assert np.all(np.diff(slow) < 0)


def test_descent_speed_is_capped() -> None:
    assert float(speed_for_power(0.0, np.array([-0.15]), 80.0, 0.30)[0]) == MAX_SPEED_MS


def test_drafting_needs_less_power() -> None:
    v = np.array([12.0])
    assert (
        power_for_speed(v, np.zeros(1), 72.0, 0.32 * 0.6)[0]
        < 0.7 * power_for_speed(v, np.zeros(1), 72.0, 0.32)[0]
    )
