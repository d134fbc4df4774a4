"""The race model: each rider's time at every point of the stage, from power and physics.

A stage is simulated on its distance grid (racesim.routes.Course). Groups ride at the speed
their front rider's power buys (racesim.physics), riders inside a group draft (their own power
is lower, their speed is the group's), and a rider on their own rides at the speed of their
own power. The shape of a road stage:

- the peloton rides a tempo that rises on climbs and eases on descents, and chases in the
  last 30 km;
- a breakaway of 3 to 6 riders goes early, opens a gap of a few minutes, and is caught near
  the finish (flat stages) or reaches the decisive climb ahead (mountain stages);
- mountain finales (a climb of category 2 or harder topping out in the last 60 km, or any
  categorized climb in the last 15 km): from the foot of that climb everyone rides their own
  power, the favourites attack, sprinters and tired domestiques form a gruppetto;
- flat finales: a bunch sprint, ordered by the riders' sprint power, with a few riders who
  worked for their leaders sitting up in the last kilometres;
- the individual time trial (stage 16) is ridden solo, one rider a minute, last in the
  general classification starting first;
- a few riders abandon (the recording stops soon after); a rider who has a bad day may finish
  outside the time limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from racesim.athletes import Rider
from racesim.climbs import Climb
from racesim.geo import FloatArray
from racesim.physics import BIKE_KG, speed_for_power
from racesim.routes import Course, StageInfo

RACE_TZ = timezone(timedelta(hours=2))  # CEST, the race's local time in July
TT_START_INTERVAL_S = 60.0
TIME_LIMIT_PCT = {"flat": 10.0, "hilly": 15.0, "mountain": 20.0, "time_trial": 30.0}
"""Time limit: the winner's time plus this percentage (the simulator's rule, documented)."""
DESCENT_CAP_MS = 20.0  # 72 km/h, a group on a technical descent
ABANDON_PROBABILITY = {"flat": 0.004, "hilly": 0.006, "mountain": 0.01, "time_trial": 0.002}
BAD_DAY_PROBABILITY = 0.002


@dataclass
class Ride:
    """One rider's stage: time since the stage start at each grid point, and how it ended."""

    rider: Rider
    t_s: FloatArray
    """Seconds since the stage's start_at at each grid point; NaN beyond where the rider stopped."""
    draft: FloatArray
    """Multiplier of the rider's CdA at each grid point (1 alone, about 0.6 inside a bunch)."""
    start_s: float
    """The rider's own start, in seconds after start_at (the time trial's start slot)."""
    status: str = "finished"
    """finished, abandoned or outside_time_limit."""
    dwell_s: float = 0.0
    """Seconds the rider stands at the point where they abandoned before the device stops."""

    @property
    def last_index(self) -> int:
        finite = np.flatnonzero(np.isfinite(self.t_s))
        return int(finite[-1])

    @property
    def finish_s(self) -> float | None:
        """Crossing of the finish line, seconds after start_at, or None if not reached."""
        last = float(self.t_s[-1])
        return last if np.isfinite(last) else None


@dataclass
class StageRace:
    """A simulated stage: the course, its checkpoints, and every starter's ride."""

    info: StageInfo
    course: Course
    climbs: list[Climb]
    sprint_m: float | None
    start_at: datetime
    profile: str
    rides: list[Ride]

    @property
    def time_limit_pct(self) -> float:
        return TIME_LIMIT_PCT[self.profile]


def stage_start_at(info: StageInfo) -> datetime:
    """Official start (km 0) in the race's local time: between 12:00 and 13:45."""
    minutes = 12 * 60 + 15 * (info.stage % 8)
    return datetime(info.date.year, info.date.month, info.date.day, tzinfo=RACE_TZ) + timedelta(
        minutes=minutes
    )


def intermediate_sprint_m(course: Course) -> float:
    """The flattest kilometre between 40 % and 70 % of the stage: where the sprint is held."""
    step = float(course.x_m[1] - course.x_m[0])
    width = max(int(1000 / step), 1)
    steep = np.convolve(np.abs(course.grade), np.ones(width) / width, mode="same")
    lo, hi = int(0.4 * len(steep)), int(0.7 * len(steep))
    return float(course.x_m[lo + int(np.argmin(steep[lo:hi]))])


def _decisive_climb(course: Course, climbs: list[Climb]) -> Climb | None:
    for climb in reversed(climbs):
        to_go = course.length_m - climb.summit_m
        if (climb.category in ("HC", "1", "2") and to_go <= 60_000) or to_go <= 15_000:
            return climb
    return None


def stage_profile(info: StageInfo, course: Course, climbs: list[Climb]) -> str:
    """flat, hilly, mountain or time_trial: picks the finale and the time limit."""
    if info.is_time_trial:
        return "time_trial"
    decisive = _decisive_climb(course, climbs)
    if decisive is None:
        return "flat"
    return "mountain" if decisive.category in ("HC", "1") else "hilly"


def _smooth_noise(rng: np.random.Generator, x: FloatArray, scale_m: float) -> FloatArray:
    """Gaussian noise of unit spread, smooth over `scale_m` metres."""
    knots = np.arange(0.0, float(x[-1]) + scale_m, scale_m)
    return np.asarray(np.interp(x, knots, rng.normal(0.0, 1.0, len(knots))))


def _times(x: FloatArray, speed: FloatArray, t0: float = 0.0) -> FloatArray:
    """Cumulative time over the grid at `speed`, starting at t0 at x[0]."""
    mean_v = (speed[:-1] + speed[1:]) / 2
    return np.concatenate([[t0], t0 + np.cumsum(np.diff(x) / mean_v)])


def _solo(
    course: Course, rider: Rider, effort: FloatArray | float, cda: float, form: float
) -> FloatArray:
    """Speed of a rider alone at `effort` x FTP (x form), easing on descents."""
    grade = course.grade
    power = rider.ftp_w * form * np.where(grade < -0.02, 0.25, np.asarray(effort))
    return speed_for_power(power, grade, rider.weight_kg + BIKE_KG, cda)


class StageSimulator:
    """Simulates one stage for the riders still in the race."""

    def __init__(self, info: StageInfo, course: Course, climbs: list[Climb], seed: int) -> None:
        self.info = info
        self.course = course
        self.climbs = climbs
        self.rng = np.random.default_rng([seed, 2, info.stage])
        self.profile = stage_profile(info, course, climbs)

    def run(self, riders: list[Rider], gc_order: list[int]) -> StageRace:
        """`gc_order`: bibs from first to last in the general classification before the stage."""
        if self.profile == "time_trial":
            rides = self._time_trial(riders, gc_order)
        else:
            rides = self._road(riders)
        self._incidents(rides)
        race = StageRace(
            info=self.info,
            course=self.course,
            climbs=self.climbs,
            sprint_m=None if self.profile == "time_trial" else intermediate_sprint_m(self.course),
            start_at=stage_start_at(self.info),
            profile=self.profile,
            rides=rides,
        )
        apply_time_limit(race)
        return race

    # -- road stages -------------------------------------------------------------------------

    def _peloton_speed(self) -> FloatArray:
        c, rng = self.course, self.rng
        grade = c.grade
        power = rng.uniform(310.0, 340.0) + np.clip(grade, 0.0, 0.07) / 0.07 * 80.0
        power = np.where(grade < -0.03, 90.0, power)
        power = power * (1 + 0.05 * _smooth_noise(rng, c.x_m, 8_000.0))
        power = np.where(c.x_m > c.length_m - 30_000, power * 1.12, power)
        speed = speed_for_power(power, grade, 72.0 + BIKE_KG, 0.30)
        return np.minimum(speed, DESCENT_CAP_MS)

    def _road(self, riders: list[Rider]) -> list[Ride]:
        c, rng = self.course, self.rng
        x = c.x_m
        t_pel = _times(x, self._peloton_speed())
        decisive = _decisive_climb(c, self.climbs)
        finale_from = decisive.foot_m if decisive is not None else c.length_m

        # breakaway: gap(x) rises from the attack to a maximum, then falls to the catch
        candidates = [r for r in riders if r.role in ("rouleur", "domestique", "climber")]
        size = min(int(rng.integers(3, 7)), len(candidates))
        breakaway = {int(b) for b in rng.choice([r.bib for r in candidates], size, replace=False)}
        attack = rng.uniform(3_000, 15_000)
        if decisive is None:
            catch = c.length_m - rng.uniform(4_000, 20_000)
        else:
            catch = finale_from + rng.uniform(-5_000, 0.6 * (c.length_m - finale_from))
        top = attack + 0.55 * (catch - attack)
        max_gap = rng.uniform(150.0, 420.0) * min(1.0, (catch - attack) / 100_000)
        gap = np.interp(x, [0, attack, top, catch, x[-1] + 1], [0, 0, max_gap, 0, 0])

        sit_up_from = c.length_m - rng.uniform(3_000, 8_000)
        gruppetto_speed = np.minimum(
            speed_for_power(
                4.3 * 72.0 * np.where(c.grade < -0.02, 0.25, 1.0), c.grade, 72.0 + BIKE_KG, 0.30
            ),
            DESCENT_CAP_MS,
        )
        sprint_order = self._sprint_order(riders)
        rides: list[Ride] = []
        for rider in riders:
            drift = 4.0 + 3.0 * _smooth_noise(rng, x, 3_000.0)  # place in the bunch, seconds
            offset = np.clip(drift, 0.0, 10.0)
            draft = np.clip(0.62 + 0.06 * _smooth_noise(rng, x, 5_000.0), 0.5, 0.75)
            t = t_pel + offset
            if rider.bib in breakaway:
                t = t - gap
                draft = np.where(gap > 0, 0.78, draft)
            form = float(rng.normal(1.0, 0.02))
            if decisive is not None:
                i0 = int(np.searchsorted(x, finale_from))
                if rider.role == "sprinter" or (rider.role == "domestique" and rng.random() < 0.5):
                    speed = gruppetto_speed
                    draft[i0:] = 0.65
                else:
                    effort = {"leader": 1.04, "climber": 1.0}.get(rider.role, 0.9)
                    effort_x = np.where(c.grade > 0.03, effort, 0.85 * effort)
                    speed = _solo(c, rider, effort_x, rider.cda_m2 * 0.9, form)
                    draft[i0:] = 0.9
                t[i0:] = _times(x[i0:], speed[i0:], float(t[i0]))
            else:
                finish_offset = sprint_order.get(rider.bib, 0.0)
                blend = np.clip((x - (c.length_m - 1_000)) / 1_000, 0.0, 1.0)
                t = t + blend * (finish_offset - offset)
                if rider.role == "domestique" and rng.random() < 0.3:
                    loss = rng.uniform(20.0, 150.0)
                    t = t + np.clip((x - sit_up_from) / (c.length_m - sit_up_from), 0, 1) * loss
            rides.append(Ride(rider=rider, t_s=_monotone(t), draft=draft, start_s=0.0))
        return rides

    def _sprint_order(self, riders: list[Rider]) -> dict[int, float]:
        """Offset at the line (s) behind the winner of a bunch sprint, by sprint power + luck."""
        score = {r.bib: r.sprint_w / r.weight_kg * self.rng.lognormal(0.0, 0.08) for r in riders}
        order = sorted(score, key=lambda bib: -score[bib])
        gaps = self.rng.uniform(0.03, 0.25, len(order))
        gaps[0] = 0.0
        return {bib: float(g) for bib, g in zip(order, np.cumsum(gaps), strict=True)}

    # -- the individual time trial ------------------------------------------------------------

    def _time_trial(self, riders: list[Rider], gc_order: list[int]) -> list[Ride]:
        c, rng = self.course, self.rng
        rank = {bib: i for i, bib in enumerate(gc_order)}
        starters = sorted(riders, key=lambda r: -rank.get(r.bib, -r.bib))
        rides: list[Ride] = []
        for slot, rider in enumerate(starters):
            effort = {"leader": 1.07, "rouleur": 1.06}.get(rider.role, 0.95)
            effort_x = np.where(c.grade > 0.04, effort * 1.04, effort)
            speed = _solo(c, rider, effort_x, rider.tt_cda_m2, float(rng.normal(1.0, 0.015)))
            start = slot * TT_START_INTERVAL_S
            t = _times(c.x_m, speed, start)
            rides.append(Ride(rider=rider, t_s=t, draft=np.ones_like(t), start_s=start))
        return rides

    # -- abandons and bad days ----------------------------------------------------------------

    def _incidents(self, rides: list[Ride]) -> None:
        c, rng = self.course, self.rng
        n = len(c.x_m)
        for ride in rides:
            if rng.random() < ABANDON_PROBABILITY[self.profile]:
                stop = int(rng.uniform(0.15, 0.9) * n)
                ride.t_s[stop + 1 :] = np.nan
                ride.status = "abandoned"
                ride.dwell_s = float(rng.uniform(30.0, 240.0))
            elif self.profile != "time_trial" and rng.random() < BAD_DAY_PROBABILITY:
                start = int(rng.uniform(0.2, 0.6) * n)
                speed = _solo(c, ride.rider, 0.6, ride.rider.cda_m2, 1.0)
                ride.t_s[start:] = _times(c.x_m[start:], speed[start:], float(ride.t_s[start]))
                ride.draft[start:] = 1.0


def _monotone(t: FloatArray) -> FloatArray:
    """Time must grow along the road: keep it strictly increasing."""
    return np.asarray(np.maximum.accumulate(t) + np.arange(len(t)) * 1e-6)


def apply_time_limit(race: StageRace) -> None:
    """Mark finishers slower than the winner plus the stage's percentage."""
    times = [r.finish_s - r.start_s for r in race.rides if r.finish_s is not None]
    if not times:
        return
    limit = min(times) * (1 + race.time_limit_pct / 100)
    for ride in race.rides:
        if ride.finish_s is not None and ride.finish_s - ride.start_s > limit:
            ride.status = "outside_time_limit"
