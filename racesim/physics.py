"""Cycling power physics: the speed a power buys against gravity, rolling resistance and drag.

    P * eta = v * m * g * (crr * cos(theta) + sin(theta)) + 0.5 * rho * cda * v**3 (+ m * a * v)

All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

import numpy as np

from racesim.geo import FloatArray

G = 9.80665
AIR_DENSITY = 1.2  # kg/m3 at about 20 C and 300 m; a simplification for every stage
CRR = 0.004  # rolling resistance of racing tyres on good asphalt
DRIVETRAIN_EFFICIENCY = 0.975
BIKE_KG = 7.2
MAX_SPEED_MS = 24.0  # about 86 km/h: riders brake above this on descents


def resistive_force(mass_kg: FloatArray | float, grade: FloatArray) -> FloatArray:
    """Gravity plus rolling resistance along the road, in newtons (negative downhill)."""
    theta = np.arctan(grade)
    return np.asarray(mass_kg * G * (CRR * np.cos(theta) + np.sin(theta)))


def power_for_speed(
    speed_ms: FloatArray,
    grade: FloatArray,
    mass_kg: FloatArray | float,
    cda_m2: FloatArray | float,
    accel_ms2: FloatArray | float = 0.0,
) -> FloatArray:
    """Power at the pedals (W) that holds `speed_ms`; negative where the rider would brake."""
    f = resistive_force(mass_kg, grade) + mass_kg * np.asarray(accel_ms2)
    wheel = speed_ms * f + 0.5 * AIR_DENSITY * cda_m2 * speed_ms**3
    return np.asarray(wheel / DRIVETRAIN_EFFICIENCY)


def speed_for_power(
    power_w: FloatArray | float,
    grade: FloatArray,
    mass_kg: FloatArray | float,
    cda_m2: FloatArray | float,
    max_speed_ms: float = MAX_SPEED_MS,
) -> FloatArray:
    """Steady speed (m/s) reached with `power_w` at the pedals, capped at `max_speed_ms`.

    Solves the cubic a*v^3 + b*v - c = 0 (a > 0, c >= 0) by Newton's method: its left side
    is -c at v = 0 and grows without bound, so a positive root exists and is unique when
    b >= 0; downhill (b < 0) Newton from above converges to the largest root, the one ridden.
    """
    grade = np.asarray(grade, dtype=float)
    a = 0.5 * AIR_DENSITY * np.asarray(cda_m2) * np.ones_like(grade)
    b = resistive_force(mass_kg, grade) * np.ones_like(grade)
    c = np.maximum(np.asarray(power_w) * DRIVETRAIN_EFFICIENCY, 1.0) * np.ones_like(grade)
    v = np.full_like(grade, 30.0)  # start above every root: Newton then descends monotonically
    for _ in range(40):
        f = a * v**3 + b * v - c
        df = 3 * a * v**2 + b
        step = f / np.maximum(df, 1e-6)
        v = np.maximum(v - step, 0.5)
        if float(np.max(np.abs(step))) < 1e-6:
            break
    return np.asarray(np.minimum(v, max_speed_ms))
