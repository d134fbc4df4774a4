"""When a rider crosses a line across the route (a finish, a sprint, a climb's foot or summit).

GPS points come once a second with a few metres of noise, and the route ends at the finish
line, so points past the finish are clamped onto it.

With the head unit's speed (a wheel sensor, a fraction of a km/h of noise), the rider's path
is the integrated speed anchored on the GPS points (`fused_crossing`): the offset between the
integrated distance and the GPS distances, averaged over the points within FUSE_S of the line,
places the path to a fraction of a metre, where one GPS point is a few metres off. A dropout
across the line (rows missing for seconds) is bridged by a cubic in time that meets the fused
positions and speeds on both sides of it, so a change of pace in the gap (a summit) is followed.

Without the speed, the crossing is estimated from the GPS points near the line alone
(`crossing_time`): a least-squares line t = a + b * distance, evaluated at the line,
through the points within APPROACH_M on both sides of it when the route goes on past the line
(a sprint, a climb's foot or summit), or through the points within APPROACH_M before it (those
within CLAMP_M of it excluded) at the finish. With fewer than two such points, the crossing is
interpolated between the last point before the line and the first one after it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

APPROACH_M = 100.0
SIDE_M = 40.0
"""For a line the route goes past: the points this close on each side are fitted."""
CLAMP_M = 10.0
"""Points this close to the line are taken as at it (GPS noise is a few metres)."""

FloatArray = NDArray[np.float64]


def _fit_at(a: FloatArray, t: FloatArray, line_m: float) -> float | None:
    if np.ptp(a) <= 0:
        return None
    slope, intercept = np.polyfit(a, t, 1)
    return float(intercept + slope * line_m)


def crossing_time(
    along_m: FloatArray,
    t_s: FloatArray,
    line_m: float,
    approach_m: float = APPROACH_M,
    clamp_m: float = CLAMP_M,
) -> float | None:
    """Time (s) at which a rider's track (along, time; in time order) reaches `line_m`.

    Only the first approach counts: points after the first one beyond the line are ignored.
    None when the track never reaches within `clamp_m` of the line or has too few points
    before it.
    """
    along = np.asarray(along_m, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    reached = np.flatnonzero(along >= line_m - clamp_m)
    if len(reached) == 0:
        return None
    end = int(reached[0])
    # a line the route goes on past (a climb's foot or summit, a sprint): the speed often
    # changes at it (a summit), so each side gets its own short least-squares line and the
    # two estimates are averaged; points up to the first one that leaves the window count
    after = along[end:]
    past = np.flatnonzero((after > line_m + SIDE_M) | (after < line_m - clamp_m))
    stop = end + (int(past[0]) if len(past) else len(along) - end)
    a_all, t_all = along[:stop], t[:stop]
    right = (a_all > line_m) & (a_all <= line_m + SIDE_M)
    if right.sum() >= 2:
        left = (a_all < line_m) & (a_all >= line_m - SIDE_M)
        estimates = [_fit_at(a_all[right], t_all[right], line_m)]
        if left.sum() >= 2:
            estimates.append(_fit_at(a_all[left], t_all[left], line_m))
        known = [e for e in estimates if e is not None]
        if known:
            return float(np.mean(known))
    before = slice(0, end)
    near = (along[before] >= line_m - approach_m) & (along[before] < line_m - clamp_m)
    a, tt = along[before][near], t[before][near]
    if len(a) < 2 or np.ptp(a) <= 0:
        if end == 0:
            return None
        # too few approach points: interpolate between the last one before and the first after
        j = end - 1
        step = along[end] - along[j]
        frac = (line_m - along[j]) / step if step > 0 else 1.0
        return float(t[j] + min(frac, 1.0) * (t[end] - t[j]))
    slope, intercept = np.polyfit(a, tt, 1)
    return float(intercept + slope * line_m)


GAP_S = 1.5
"""Consecutive points farther apart in time than this are separated by a dropout."""
FUSE_S = 60.0
"""Points this close in time to the line anchor the integrated speed."""
MIN_ANCHORS = 5
MAX_SPREAD_M = 10.0
HERMITE_STEPS = 400


def _runs(t: FloatArray, speed: FloatArray) -> NDArray[np.int64]:
    """Run number of each point: a new run begins after a dropout or a point without speed."""
    unknown = np.isnan(speed)
    broken = np.concatenate([[True], np.diff(t) > GAP_S]) | unknown
    broken[1:] |= unknown[:-1]
    return np.cumsum(broken) - 1


def _anchored(t: FloatArray, v: FloatArray, along: FloatArray, line_m: float) -> FloatArray | None:
    """A run's positions (m): its integrated speed plus the offset to its GPS distances.

    The offset is the mean over the points more than CLAMP_M from the line and from the start
    of the route (points past the end of the route are clamped onto it, and so are the points
    of riders waiting behind the start line), outliers beyond three robust deviations left out.
    None with fewer than MIN_ANCHORS such points, or when the offsets spread over more than
    MAX_SPREAD_M (one robust deviation).
    """
    s = np.concatenate([[0.0], np.cumsum((v[1:] + v[:-1]) / 2 * np.diff(t))])
    anchors = (np.abs(along - line_m) > CLAMP_M) & (along > CLAMP_M)
    if anchors.sum() < MIN_ANCHORS:
        return None
    offset = along[anchors] - s[anchors]
    mid = np.median(offset)
    spread = 1.4826 * np.median(np.abs(offset - mid))
    if spread > MAX_SPREAD_M:
        return None  # the speed and the GPS disagree (a unit reading 0 while moving, say)
    good = np.abs(offset - mid) <= 3 * spread + 1e-9
    return np.asarray(s + float(offset[good].mean()))


def _hermite(
    t0: float, x0: float, v0: float, t1: float, x1: float, v1: float, line_m: float
) -> float:
    """When the cubic through (t0, x0) and (t1, x1) with speeds v0 and v1 reaches the line.

    A cubic that would go backwards (speeds at odds with the distance covered) is replaced by a
    straight line.
    """
    h = t1 - t0
    u = np.linspace(0.0, 1.0, HERMITE_STEPS + 1)
    x = (
        (2 * u**3 - 3 * u**2 + 1) * x0
        + (u**3 - 2 * u**2 + u) * h * v0
        + (-2 * u**3 + 3 * u**2) * x1
        + (u**3 - u**2) * h * v1
    )
    if x1 <= x0 or np.any(np.diff(x) < 0):
        frac = (line_m - x0) / (x1 - x0) if x1 > x0 else 0.5
        return float(t0 + min(max(frac, 0.0), 1.0) * h)
    k = min(max(int(np.searchsorted(x, line_m)), 1), len(u) - 1)
    frac = (line_m - x[k - 1]) / (x[k] - x[k - 1]) if x[k] > x[k - 1] else 0.0
    frac = min(max(frac, 0.0), 1.0)
    return float(t0 + (u[k - 1] + frac * (u[k] - u[k - 1])) * h)


def fused_crossing(
    along_m: FloatArray, t_s: FloatArray, speed_kmh: FloatArray, line_m: float
) -> float | None:
    """Time (s) at which a rider reaches `line_m`, from GPS distances and head-unit speeds.

    Falls back on `crossing_time` (GPS alone) where the speed is unknown or too few points
    anchor it. None when the track never reaches the line.
    """
    whole_along = np.asarray(along_m, dtype=np.float64)
    whole_t = np.asarray(t_s, dtype=np.float64)
    if len(whole_along) == 0:
        return None
    reached = whole_along >= line_m - CLAMP_M
    first = int(np.argmax(reached))
    if first == 0:
        return _from_the_start(whole_along, whole_t, speed_kmh, line_m)
    # only the points within FUSE_S of the last point before the line and the first at it count
    lo = int(np.searchsorted(whole_t, whole_t[first - 1] - FUSE_S, side="left"))
    hi = int(np.searchsorted(whole_t, whole_t[first] + FUSE_S, side="right"))
    along, t = whole_along[lo:hi], whole_t[lo:hi]
    v = np.asarray(speed_kmh[lo:hi], dtype=np.float64) / 3.6
    end = first - lo
    runs = _runs(t, v)
    route_ends = not (along > line_m + CLAMP_M).any()
    # at the end of the route, the first point clamped onto the line: the rider was there
    at_line = np.flatnonzero(along >= line_m)
    arrived = float(t[at_line[0]]) if len(at_line) else math.inf

    def gps_only() -> float | None:
        return crossing_time(whole_along, whole_t, line_m)

    def near(i: int) -> FloatArray | None:
        """The anchored positions of the points of i's run within FUSE_S of it."""
        idx = np.flatnonzero((runs == runs[i]) & (np.abs(t - t[i]) <= FUSE_S))
        return _anchored(t[idx], v[idx], along[idx], line_m)

    def carried_on(t0: float, x0: float, speed: float) -> float | None:
        """At the end of the route: from (t0, x0) at `speed`.

        A point clamped onto the line may be up to CLAMP_M short of it (GPS noise): the rider
        was within CLAMP_M of the line at `arrived`, which bounds a long extrapolation.
        """
        if not speed > 0:
            return gps_only()
        return min(t0 + max(line_m - x0, 0.0) / speed, arrived + CLAMP_M / speed)

    if runs[end] != runs[end - 1]:
        # a dropout (or unknown speeds) across the line
        i0, i1 = end - 1, end
        if np.isnan(v[i0]) or np.isnan(v[i1]):
            return gps_only()
        before, after = near(i0), near(i1)
        x0 = float(before[-1]) if before is not None else float(along[i0])
        if route_ends:
            # the point after the gap is clamped onto the end of the route: it tells only that
            # the rider had arrived by then
            return carried_on(float(t[i0]), x0, float(v[i0]))
        x1 = float(after[0]) if after is not None else float(along[i1])
        return _hermite(t[i0], x0, v[i0], t[i1], x1, v[i1], line_m)
    idx = np.flatnonzero((runs == runs[end]) & (np.abs(t - t[end]) <= FUSE_S))
    p = _anchored(t[idx], v[idx], along[idx], line_m)
    if p is None:
        return gps_only()
    # the route ends at the line: past it riders brake and their points are clamped onto it, so
    # the path is carried on at its speed from the last point of the approach more than GAP_S
    # before the first point at the line (a head unit's speed spans the neighbouring seconds)
    approach = np.flatnonzero((along[idx] < line_m - CLAMP_M) & (t[idx] <= t[end] - GAP_S))
    if route_ends and len(approach):
        last = int(approach[-1])
        return carried_on(float(t[idx[last]]), float(p[last]), float(v[idx[last]]))
    found = _reaches(p, t[idx], line_m)
    return found if found is not None else gps_only()


def _reaches(p: FloatArray, t: FloatArray, line_m: float) -> float | None:
    """When the fused positions `p` (at times `t`) first reach the line, interpolated; None
    when they never do or are already there at the first point."""
    k = np.flatnonzero(p >= line_m)
    if len(k) == 0 or k[0] == 0:
        return None
    j = int(k[0])
    frac = (line_m - p[j - 1]) / (p[j] - p[j - 1])
    return float(t[j - 1] + frac * (t[j] - t[j - 1]))


def _from_the_start(
    along: FloatArray, t: FloatArray, speed_kmh: FloatArray, line_m: float
) -> float | None:
    """A line the track is at from its first point: one at (or within CLAMP_M of) the start
    of the route, where riders wait before the flag with their points clamped onto it.

    Those points tell only that the rider had not gone past yet, and GPS noise scatters them
    around the line. The wheel reads 0 until the rider rolls off; a head unit's speed spans the
    neighbouring seconds, so the first reading above 0 comes up to a second before the rider
    moves. The path is carried back, at its speed, from the first point beyond the line more
    than GAP_S after that reading, its position fused as elsewhere (the mirror of the finish),
    and bounded by that reading: the rider was still at the line then.
    """
    v_all = np.asarray(speed_kmh, dtype=np.float64) / 3.6
    rolling = np.flatnonzero(v_all > 0)
    if len(rolling) == 0:
        return crossing_time(along, t, line_m)
    rolled = float(t[rolling[0]])
    beyond = np.flatnonzero((along > line_m + CLAMP_M) & (t >= rolled + GAP_S))
    if len(beyond) == 0:
        return crossing_time(along, t, line_m)
    k = int(beyond[0])
    lo = int(np.searchsorted(t, t[k] - FUSE_S, side="left"))
    hi = int(np.searchsorted(t, t[k] + FUSE_S, side="right"))
    v = v_all[lo:hi]
    runs = _runs(t[lo:hi], v)
    idx = np.flatnonzero(runs == runs[k - lo])
    p = _anchored(t[lo:hi][idx], v[idx], along[lo:hi][idx], line_m)
    if p is None or not v_all[k] > 0:
        return crossing_time(along, t, line_m)
    at = int(np.searchsorted(idx, k - lo))
    return max(float(t[k]) - (float(p[at]) - line_m) / float(v_all[k]), rolled)
