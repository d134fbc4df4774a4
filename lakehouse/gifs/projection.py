"""A local equal-distance projection of a stage's points onto the frame's map (north up).

Longitudes and latitudes become metres east and north of the segment's centre (an
equirectangular projection at the centre's latitude: over a segment's few tens of kilometres,
distances are true to a fraction of a percent), then pixels at one scale in both directions, so
that the segment fills the map box with a margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lakehouse.gifs.style import Box
from lakehouse.transform.tracks import FloatArray

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Projection:
    lat0: float
    lon0: float
    metres_per_px: float
    centre_x: float
    centre_y: float

    def metres(self, lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Metres east and north of the centre."""
        east = np.radians(lon - self.lon0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))
        north = np.radians(lat - self.lat0) * EARTH_RADIUS_M
        return east, north

    def pixels(self, lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Pixel coordinates in the frame (x right, y down)."""
        east, north = self.metres(lat, lon)
        return (
            self.centre_x + east / self.metres_per_px,
            self.centre_y - north / self.metres_per_px,
        )


def fit(lat: FloatArray, lon: FloatArray, box: Box, margin_px: int) -> Projection:
    """The projection that shows the points (the segment) whole in `box`, centred."""
    lat0 = (float(lat.min()) + float(lat.max())) / 2
    lon0 = (float(lon.min()) + float(lon.max())) / 2
    probe = Projection(lat0, lon0, 1.0, 0.0, 0.0)
    east, north = probe.metres(lat, lon)
    span_x = max(float(np.ptp(east)), 1.0)
    span_y = max(float(np.ptp(north)), 1.0)
    room_x = max(box.width - 2 * margin_px, 1)
    room_y = max(box.height - 2 * margin_px, 1)
    scale = max(span_x / room_x, span_y / room_y)
    return Projection(lat0, lon0, scale, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
