"""Crossing times estimated from noisy 1 Hz points approaching a line."""

import numpy as np
import pytest

from lakehouse.transform.crossing import crossing_time


def test_noisy_approach_at_sprint_speed_gives_the_time_within_a_fraction_of_a_second() -> None:
    rng = np.random.default_rng(3)
    true_cross = 1000.4
    t = np.arange(900.0, 1004.0)
    along = 5000.0 + 17.0 * (t - true_cross)  # crosses 5,000 m at 1000.4 s
    along = np.minimum(along + rng.normal(0, 2.5, len(t)), 5000.0)  # clamped past the line
    assert crossing_time(along, t, 5000.0) == pytest.approx(true_cross, abs=0.3)


def test_a_track_that_never_arrives_has_no_crossing() -> None:
    t = np.arange(0.0, 50.0)
    assert crossing_time(10.0 * t, t, 5000.0) is None


def test_sparse_points_fall_back_to_interpolation() -> None:
    t = np.array([0.0, 40.0])
    along = np.array([4000.0, 5000.0])  # a dropout just before the line
    assert crossing_time(along, t, 4800.0) == pytest.approx(32.0)


def test_only_the_first_approach_counts() -> None:
    t = np.arange(0.0, 22.0)
    along = np.concatenate([np.arange(0.0, 110.0, 10.0), np.arange(0.0, 110.0, 10.0)])
    assert crossing_time(along, t, 95.0, approach_m=100.0, clamp_m=3.0) == pytest.approx(9.5)


def test_a_line_the_route_goes_on_past_uses_both_sides() -> None:
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 200.0)
    along = 6.0 * t + rng.normal(0, 2.5, len(t))  # a climber at 6 m/s, no clamping
    assert crossing_time(along, t, 600.0) == pytest.approx(100.0, abs=0.3)
