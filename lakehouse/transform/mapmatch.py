"""Match GPS points to a stage route: distance along the route and distance off it.

Each point is projected on the nearest segment of the route polyline, in a local plane
(equirectangular around the route's mean latitude: metres, distortion well under 1 % within a
stage). The distance along the route is the surveyed cumulative distance of the segment's
start plus the projected fraction of the segment.

A rider's points are matched in time order with a moving search window, so a route that
passes the same place twice (a finishing circuit, an out-and-back) is matched on the right
pass: after the first point (matched against the whole route), a point is searched only among
the segments from WINDOW_BACK_M behind the previous match to the distance the rider could have
covered since (MAX_SPEED_MS times the time elapsed, plus WINDOW_AHEAD_M). The first point, and
any point with nothing in the window within REACQUIRE_M, is matched on the whole route, taking
the first pass ahead where the route passes the same place more than once (the first point: the
start, not a finish on the same road); such a match moves the
window only when REACQUIRE_AFTER points in a row agree (a rider who took another road), so a
single spike that happens to land on another part of the route does not. A point farther than
OFF_ROUTE_M from the route is flagged off route and never moves the window.

The loop is compiled with numba: a few segments per point, tens of millions of points a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from lakehouse.lake.staging_tables import OFF_ROUTE_M

EARTH_RADIUS_M = 6_371_008.8
MAX_SPEED_MS = 30.0
"""Fastest credible progress along the route (108 km/h), for the search window."""
WINDOW_AHEAD_M = 150.0
WINDOW_BACK_M = 50.0
REACQUIRE_M = 200.0
REACQUIRE_AFTER = 3
"""Consecutive points found only outside the window before the window moves to them."""
SAME_PLACE_M = 25.0
"""Parts of a route this close to each other are one place passed twice (a road ridden out
and back, a circuit): a point takes the first pass ahead of the rider."""
NOISE_BACK_M = 10.0
"""How far behind its previous match a point may be taken as the same pass (GPS noise)."""
TIE_M = 2.0
"""Matches this much farther from the point than the nearest are as near (GPS noise)."""
OTHER_PASS_M = 200.0
"""Matches this far apart along the route at one place are different passes of the route."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class RouteLine:
    """A stage route as a polyline in a local plane, with surveyed cumulative distances."""

    x_m: FloatArray
    y_m: FloatArray
    cum_m: FloatArray
    lat0: float
    lon0: float

    @classmethod
    def from_degrees(cls, lat: FloatArray, lon: FloatArray, cum_m: FloatArray) -> RouteLine:
        if len(lat) < 2:
            raise ValueError(f"a route needs at least 2 points, got {len(lat)}")
        lat0, lon0 = float(np.mean(lat)), float(np.mean(lon))
        x, y = to_plane(lat, lon, lat0, lon0)
        return cls(x, y, np.asarray(cum_m, dtype=np.float64), lat0, lon0)

    @property
    def length_m(self) -> float:
        return float(self.cum_m[-1])


def to_plane(
    lat: FloatArray, lon: FloatArray, lat0: float, lon0: float
) -> tuple[FloatArray, FloatArray]:
    """Degrees to metres east and north of (lat0, lon0)."""
    k = np.pi / 180 * EARTH_RADIUS_M
    x = (np.asarray(lon, dtype=np.float64) - lon0) * k * np.cos(np.radians(lat0))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * k
    return x, y


@dataclass(frozen=True)
class Matches:
    """Per point: distance along the route (m), distance off it (m), segment index."""

    along_m: FloatArray
    offset_m: FloatArray
    segment: IntArray

    @property
    def off_route(self) -> NDArray[np.bool_]:
        return self.offset_m > OFF_ROUTE_M


@njit(cache=True, nogil=True)
def _project(
    rx: FloatArray, ry: FloatArray, cum: FloatArray, j: int, px: float, py: float
) -> tuple[float, float]:
    """Squared distance from (px, py) to segment j, and the distance along at the foot."""
    ax, ay = rx[j], ry[j]
    dx, dy = rx[j + 1] - ax, ry[j + 1] - ay
    seg2 = dx * dx + dy * dy
    t = 0.0
    if seg2 > 0.0:
        t = ((px - ax) * dx + (py - ay) * dy) / seg2
        t = min(1.0, max(0.0, t))
    qx, qy = ax + t * dx - px, ay + t * dy - py
    return qx * qx + qy * qy, cum[j] + t * (cum[j + 1] - cum[j])


@njit(cache=True, nogil=True)
def _nearest(
    rx: FloatArray, ry: FloatArray, cum: FloatArray, lo: int, hi: int, px: float, py: float
) -> tuple[int, float, float]:
    best_j, best_d2, best_along = -1, np.inf, 0.0
    for j in range(lo, hi):
        d2, along = _project(rx, ry, cum, j, px, py)
        if d2 < best_d2:
            best_j, best_d2, best_along = j, d2, along
    return best_j, best_d2, best_along


@njit(cache=True, nogil=True)
def _nearest_ahead(
    rx: FloatArray,
    ry: FloatArray,
    cum: FloatArray,
    lo: int,
    hi: int,
    px: float,
    py: float,
    after: float,
    slack: float,
) -> tuple[int, float, float]:
    """The match among segments lo..hi, where the route passes the point more than once (an
    out-and-back, a circuit): among the segments within `slack` of the nearest, the first one
    at or beyond `after` along the route, else the nearest. A rider goes forward: a road ridden
    back the way it came is the return leg, never the outbound leg ridden backwards; a ride's
    first point is matched with `after` = 0, at the start, not at a finish on the same road."""
    j0, d2_0, a0 = _nearest(rx, ry, cum, lo, hi, px, py)
    if j0 < 0:
        return j0, d2_0, a0
    # at a hairpin, the end of the way out and the start of the way back are as near (within
    # TIE_M): the rider went forward, onto the way back
    tie = (np.sqrt(d2_0) + TIE_M) ** 2
    ux, uy = rx[j0 + 1] - rx[j0], ry[j0 + 1] - ry[j0]
    for j in range(lo, hi):
        d2, along = _project(rx, ry, cum, j, px, py)
        if d2 <= tie and a0 < along <= a0 + SAME_PLACE_M and along >= after:
            vx, vy = rx[j + 1] - rx[j], ry[j + 1] - ry[j]
            norms = np.sqrt((ux * ux + uy * uy) * (vx * vx + vy * vy))
            if norms > 0.0 and (ux * vx + uy * vy) < -0.5 * norms:  # the road turned back
                j0, d2_0, a0 = j, d2, along
    limit = (np.sqrt(d2_0) + slack) ** 2
    # the first other pass of the route ahead: its start along the route
    first = np.inf
    for j in range(lo, hi):
        d2, along = _project(rx, ry, cum, j, px, py)
        # a pass ahead: another one (far from the nearest), or any when the nearest is behind
        other = abs(along - a0) > OTHER_PASS_M or a0 < after
        if d2 <= limit and along >= after and other and along < first:
            first = along
    if a0 >= after and a0 <= first:
        return j0, d2_0, a0  # the nearest is the first pass ahead: as it is, no snapping
    if first == np.inf:
        return j0, d2_0, a0
    best_j, best_d2, best_along = j0, np.inf, a0
    for j in range(lo, hi):
        d2, along = _project(rx, ry, cum, j, px, py)
        if first <= along <= first + OTHER_PASS_M and d2 < best_d2:
            best_j, best_d2, best_along = j, d2, along
    return best_j, best_d2, best_along


@njit(cache=True, nogil=True)
def _match(
    rx: FloatArray,
    ry: FloatArray,
    cum: FloatArray,
    px: FloatArray,
    py: FloatArray,
    t_s: FloatArray,
    starts: IntArray,
    along: FloatArray,
    offset: FloatArray,
    segment: IntArray,
    max_speed: float,
    ahead: float,
    back: float,
    off_route: float,
    reacquire: float,
    reacquire_after: int,
) -> None:
    nseg = len(rx) - 1
    for r in range(len(starts) - 1):
        have = False
        misses = 0
        cur_seg, cur_along, cur_t = 0, 0.0, 0.0
        top = 0.0  # the farthest along the route the rider was matched: a ride goes forward
        for i in range(starts[r], starts[r + 1]):
            found = False
            if have:
                reach = cur_along + ahead + max_speed * max(t_s[i] - cur_t, 0.0)
                lo = cur_seg
                while lo > 0 and cum[lo] > top - back:
                    lo -= 1
                hi = cur_seg
                while hi < nseg and cum[hi] < reach:
                    hi += 1
                j, d2, a = _nearest_ahead(
                    rx, ry, cum, lo, hi, px[i], py[i], top - NOISE_BACK_M, SAME_PLACE_M
                )
                found = j >= 0 and d2 <= reacquire * reacquire
            if not found:
                after = top - back if have else 0.0
                j, d2, a = _nearest_ahead(rx, ry, cum, 0, nseg, px[i], py[i], after, SAME_PLACE_M)
                misses += 1
            else:
                misses = 0
            dist = np.sqrt(d2)
            along[i], offset[i], segment[i] = a, dist, j
            # a match outside the window moves it only after `reacquire_after` in a row: a
            # single spike that lands on another part of the route must not drag it there
            if dist <= off_route and (found or not have or misses >= reacquire_after):
                if have and not found:
                    top = a  # the rider was found elsewhere: the window starts there afresh
                have, cur_seg, cur_along, cur_t = True, j, a, t_s[i]
                top = max(top, a)
                misses = 0


def match_points(
    route: RouteLine,
    lat: FloatArray,
    lon: FloatArray,
    t_s: FloatArray,
    starts: IntArray,
) -> Matches:
    """Match points grouped by rider (rider k owns rows starts[k]:starts[k+1], in time order)."""
    n = len(lat)
    px, py = to_plane(lat, lon, route.lat0, route.lon0)
    along = np.empty(n, dtype=np.float64)
    offset = np.empty(n, dtype=np.float64)
    segment = np.empty(n, dtype=np.int64)
    _match(
        route.x_m,
        route.y_m,
        route.cum_m,
        px,
        py,
        np.asarray(t_s, dtype=np.float64),
        np.asarray(starts, dtype=np.int64),
        along,
        offset,
        segment,
        MAX_SPEED_MS,
        WINDOW_AHEAD_M,
        WINDOW_BACK_M,
        OFF_ROUTE_M,
        REACQUIRE_M,
        REACQUIRE_AFTER,
    )
    return Matches(along, offset, segment)


def group_starts(keys: IntArray) -> IntArray:
    """Start offsets of the runs of equal keys in a sorted key array, plus the end."""
    if len(keys) == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    return np.concatenate(([0], change, [len(keys)])).astype(np.int64)
