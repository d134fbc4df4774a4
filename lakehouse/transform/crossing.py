"""When a rider crosses a line across the route (a finish, a sprint, a climb's foot or summit).

GPS points come once a second with a few metres of noise, and the route ends at the finish
line, so points past the finish are clamped onto it. The crossing time is therefore estimated
from the points near the line: a least-squares line t = a + b * distance, evaluated at the line,
through the points within APPROACH_M on both sides of it when the route goes on past the line
(a sprint, a climb's foot or summit), or through the points within APPROACH_M before it (those
within CLAMP_M of it excluded) at the finish. With fewer than two such points, the crossing is
interpolated between the last point before the line and the first one after it.
"""

from __future__ import annotations

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
