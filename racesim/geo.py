"""Spherical geometry on WGS84 degrees, vectorised with numpy."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the radius Trino's great_circle_distance also uses."""

FloatArray = NDArray[np.float64]


def haversine_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance in metres between point arrays (degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def offset_m(
    lat: FloatArray, lon: FloatArray, north_m: FloatArray, east_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Move points by small north/east offsets in metres (local flat-earth approximation)."""
    dlat = np.degrees(north_m / EARTH_RADIUS_M)
    dlon = np.degrees(east_m / (EARTH_RADIUS_M * np.cos(np.radians(lat))))
    return lat + dlat, lon + dlon
