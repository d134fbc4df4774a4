"""Crossing times estimated from noisy 1 Hz points approaching a line."""

import numpy as np
import pytest

from lakehouse.transform.crossing import crossing_time, fused_crossing


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


def _ride(speed_ms: np.ndarray, seed: int, jitter_m: float = 2.5) -> tuple[np.ndarray, ...]:
    """1 Hz points of a ride at the given speeds: true distance, GPS distance, unit speed."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([[0.0], np.cumsum((speed_ms[1:] + speed_ms[:-1]) / 2)])
    t = np.arange(len(x), dtype=np.float64)
    gps = x + rng.normal(0, jitter_m, len(x))
    unit_kmh = speed_ms * 3.6 + rng.normal(0, 0.3, len(x))
    return t, x, gps, unit_kmh


def test_fusing_the_unit_speed_times_a_line_closer_than_gps_alone() -> None:
    fused, gps_only = [], []
    for seed in range(40):
        speed = 6.0 + np.sin(np.arange(300) / 20.0)  # a climber, pace varying
        t, x, gps, unit = _ride(speed, seed)
        line = 900.0
        true = float(np.interp(line, x, t))
        fused.append(abs(fused_crossing(gps, t, unit, line) - true))  # type: ignore[operator]
        gps_only.append(abs(crossing_time(gps, t, line) - true))  # type: ignore[operator]
    assert max(fused) < 0.2
    assert np.mean(fused) < np.mean(gps_only) / 2


def test_fused_finish_ignores_the_braking_past_the_line() -> None:
    errors = []
    for seed in range(40):
        speed = np.concatenate([np.full(200, 16.0), np.linspace(16.0, 2.0, 30)])  # then brakes
        t, x, gps, unit = _ride(speed, seed)
        finish = float(x[200]) - 7.3  # crossed between two points
        true = float(np.interp(finish, x, t))
        clamped = np.minimum(gps, finish)  # the route ends at the line
        errors.append(abs(fused_crossing(clamped, t, unit, finish) - true))  # type: ignore[operator]
    assert max(errors) < 0.15


def test_a_dropout_across_a_summit_follows_the_change_of_pace() -> None:
    # 5 m/s up to the summit at 100 s, then up to 15 m/s over 30 s down the other side
    speed = np.interp(np.arange(260.0), [0, 100, 130, 260], [5.0, 5.0, 15.0, 15.0])
    t, x, gps, unit = _ride(speed, seed=11)
    summit = float(x[100])
    kept = (t < 85) | (t > 120)  # 35 s without a point around the summit
    fused = fused_crossing(gps[kept], t[kept], unit[kept], summit)
    linear = crossing_time(gps[kept], t[kept], summit)
    assert fused == pytest.approx(100.0, abs=0.6)
    assert abs(linear - 100.0) > 3.0  # type: ignore[operator]


def test_without_the_unit_speed_the_gps_alone_is_used() -> None:
    t, _, gps, _ = _ride(np.full(200, 10.0), seed=2)
    unknown = np.full(len(t), np.nan)
    assert fused_crossing(gps, t, unknown, 1000.0) == crossing_time(gps, t, 1000.0)


def test_a_dropout_just_before_the_finish_is_carried_on_from_before_it() -> None:
    errors = []
    for missing in (1, 3, 8):
        speed = np.concatenate([np.full(250, 12.0), np.linspace(12.0, 2.0, 20)])
        t, x, gps, unit = _ride(speed, seed=missing)
        finish = float(x[249]) + 5.0  # crossed 0.4 s after the point at 249 s
        true = float(np.interp(finish, x, t))
        clamped = np.minimum(gps, finish)
        kept = (t < 250 - missing) | (t >= 250)  # the last `missing` points before the line lost
        got = fused_crossing(clamped[kept], t[kept], unit[kept], finish)
        assert got is not None
        errors.append(abs(got - true))
    assert max(errors) < 0.3


def test_a_unit_reading_zero_while_moving_falls_back_on_gps() -> None:
    t, _, gps, unit = _ride(np.full(200, 10.0), seed=4)
    unit[100:] = 0.0  # the wheel sensor lost its magnet
    fused = fused_crossing(gps, t, unit, 1500.0)
    assert fused == pytest.approx(150.0, abs=0.5)
    assert fused_crossing(np.array([]), np.array([]), np.array([]), 10.0) is None
