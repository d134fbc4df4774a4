"""Map matching: distance along the route on the right pass of a circuit, spikes flagged."""

import itertools

import numpy as np
import pytest

from lakehouse.transform.mapmatch import (
    EARTH_RADIUS_M,
    OFF_ROUTE_M,
    RouteLine,
    group_starts,
    match_points,
)

LAT0, LON0 = 48.86, 2.33
K = np.pi / 180 * EARTH_RADIUS_M


def _degrees(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return LAT0 + y / K, LON0 + x / (K * np.cos(np.radians(LAT0)))


def _circuit_route() -> tuple[RouteLine, np.ndarray, np.ndarray]:
    """5 km east, then three laps of a 1 km x 1 km square: the laps share their roads."""
    xs = [np.linspace(0, 5000, 201)]
    square = [(5000, 0), (6000, 0), (6000, 1000), (5000, 1000), (5000, 0)]
    for _ in range(3):
        for (x0, y0), (x1, y1) in itertools.pairwise(square):
            xs.append(np.stack([np.linspace(x0, x1, 41)[1:], np.linspace(y0, y1, 41)[1:]]))
    x = np.concatenate([xs[0]] + [p[0] for p in xs[1:]])
    y = np.concatenate([np.zeros(201)] + [p[1] for p in xs[1:]])
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    lat, lon = _degrees(x, y)
    return RouteLine.from_degrees(lat, lon, cum), x, y


def _ride(route_x: np.ndarray, route_y: np.ndarray, cum: np.ndarray, speed: float, seed: int):
    rng = np.random.default_rng(seed)
    t = np.arange(0, cum[-1] / speed, 1.0)
    truth = t * speed
    x = np.interp(truth, cum, route_x) + rng.normal(0, 3, len(t))
    y = np.interp(truth, cum, route_y) + rng.normal(0, 3, len(t))
    keep = np.ones(len(t), dtype=bool)
    keep[400:430] = False  # a 30 s dropout
    return t[keep], truth[keep], x[keep], y[keep]


def test_circuit_laps_are_matched_on_the_right_pass_and_spikes_flagged() -> None:
    route, rx, ry = _circuit_route()
    rides = [_ride(rx, ry, route.cum_m, speed, seed) for seed, speed in ((1, 11.0), (2, 14.5))]
    t = np.concatenate([r[0] for r in rides])
    truth = np.concatenate([r[1] for r in rides])
    x = np.concatenate([r[2] for r in rides])
    y = np.concatenate([r[3] for r in rides])
    spike = len(rides[0][0]) + 700
    x[spike] += 800.0  # one point far off the road
    lat, lon = _degrees(x, y)
    keys = np.repeat([1, 2], [len(r[0]) for r in rides])
    matches = match_points(route, lat, lon, t, group_starts(keys))

    good = np.ones(len(t), dtype=bool)
    good[spike] = False
    error = np.abs(matches.along_m - truth)
    assert error[good].max() < 12.0  # jitter of 3 m, corners cut by the noise
    assert matches.off_route[spike] and not matches.off_route[good].any()
    assert matches.offset_m[good].max() < OFF_ROUTE_M
    for lo, hi in itertools.pairwise(group_starts(keys).tolist()):
        along = np.delete(matches.along_m[lo:hi], [spike - lo] if lo <= spike < hi else [])
        assert np.all(np.diff(along) > -15.0)  # never back to an earlier lap
    assert matches.along_m[good].max() == pytest.approx(route.length_m, abs=12.0)


def _out_and_back_route() -> tuple[RouteLine, np.ndarray, np.ndarray]:
    """6 km east along a gentle curve, then back the same road to the start."""
    out_x = np.linspace(0, 6000, 241)
    out_y = 300 * np.sin(out_x / 2000)
    x = np.concatenate([out_x, out_x[::-1][1:]])
    y = np.concatenate([out_y, out_y[::-1][1:]])
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    lat, lon = _degrees(x, y)
    return RouteLine.from_degrees(lat, lon, cum), x, y


def test_a_road_ridden_out_and_back_is_matched_on_the_return_leg() -> None:
    """Both legs are one road: the start is not taken for the finish, and the way back is the
    return leg, not the outbound leg ridden backwards (a dropout included)."""
    route, rx, ry = _out_and_back_route()
    t, truth, x, y = _ride(rx, ry, route.cum_m, 10.0, 3)
    lat, lon = _degrees(x, y)
    matches = match_points(route, lat, lon, t, group_starts(np.zeros(len(t), dtype=np.int64)))
    assert matches.along_m[0] < 50.0  # at the start, not at the finish on the same spot
    assert np.abs(matches.along_m - truth).max() < 12.0  # 3 m jitter, the hairpin included
    assert matches.along_m.max() == pytest.approx(route.length_m, abs=12.0)


def test_group_starts_and_empty_input() -> None:
    assert group_starts(np.array([5, 5, 7, 9, 9, 9])).tolist() == [0, 2, 3, 6]
    route, _, _ = _circuit_route()
    empty = np.array([], dtype=np.float64)
    matches = match_points(route, empty, empty, empty, group_starts(np.array([], dtype=np.int64)))
    assert len(matches.along_m) == 0


def test_a_route_needs_two_points() -> None:
    with pytest.raises(ValueError, match="at least 2 points"):
        RouteLine.from_degrees(np.array([1.0]), np.array([1.0]), np.array([0.0]))
