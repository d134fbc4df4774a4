"""When a rider crosses a line across the route (a finish, a sprint, a climb's foot or summit).

GPS points come once a second with a few metres of noise, and the route ends at the finish
line, so points past the finish are clamped onto it. The crossing time is therefore estimated
from the points approaching the line: a least-squares line t = a + b * distance through the
points within APPROACH_M before it (those within CLAMP_M of it excluded), evaluated at the line.
Two points suffice; with one, or none, the crossing is unknown.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

APPROACH_M = 100.0
CLAMP_M = 10.0
"""Points this close to the line are taken as at it (GPS noise is a few metres)."""

FloatArray = NDArray[np.float64]


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
