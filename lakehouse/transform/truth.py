"""The marts compared with the simulator's ground truth (`peloton check --truth`).

Tolerances: finish times within 1 s, climb times within 2 s, statuses exact, the general
classification in the true order, and each route's length within 0.1 % of its source trace's
own length. How far a trace is from the official distance is data, not the pipeline's doing:
it is reported as a figure, with the traces more than 1 % off, and fails nothing.

The same-time rule and the truncation to whole seconds turn sub-second differences into whole
seconds: a rider 0.99 s behind the one ahead shares their time, 1.01 s behind does not. Where
the true gap between two finishers is within DECISION_PRECISION_S of the 1 s threshold, no
timing of 1 Hz GPS can tell the two apart, so either decision is accepted and the number of
such decisions taken the other way is reported as a figure, however small the race. Every
other decision must be as in truth. The true classification is then rebuilt from the true
crossing times of the riders with telemetry (the pipeline sees only them) in the groups the
pipeline formed, keeping our side of what 1 Hz cannot settle (a time within
DECISION_PRECISION_S of a second boundary, a bonus between riders that close), and our
classification must have no rider ahead of one whose true total is more than 1 s better
(docs/transforms.md).
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pyiceberg.catalog import Catalog

from lakehouse.lake.mart_tables import CLIMB_EFFORTS, GENERAL_CLASSIFICATION, STAGE_RESULTS
from lakehouse.lake.raw_tables import STAGES
from lakehouse.lake.readers import read, read_day
from lakehouse.lake.staging_tables import STAGING_STAGE_ROUTES, STAGING_STAGES, STAGING_TELEMETRY
from lakehouse.transform.checks import EXAMPLES, Check, Figure, table_rows
from lakehouse.transform.facts import stage_facts
from lakehouse.transform.mapmatch import EARTH_RADIUS_M
from lakehouse.transform.results import (
    SAME_TIME_GAP_S,
    Result,
    Ride,
    general_classification,
    same_time_heads,
    stage_results,
)

FINISH_TOLERANCE_S = 1.0
CLIMB_TOLERANCE_S = 2.0
DROPOUT_S = 5.0
"""A line between two of a rider's GPS points further apart than this is hidden by a dropout:
its crossing is bridged across the gap (lakehouse.transform.crossing), not seen."""
DROPOUT_SHARE = 0.1
"""A climb effort whose line a dropout hides may be off by this share of the dropout more: the
bridge follows the speeds on both sides, not a change of pace inside the gap."""
TRACE_TOLERANCE = 0.001
"""Our route length against the source trace's own: its stated length and its points' path."""
OFFICIAL_FLAG = 0.01
"""A trace further than this from the official distance is listed with the figure."""
DECISION_PRECISION_S = 0.15
"""Same-time decisions on a true gap this close to the threshold may go either way: about one
and a half standard deviations of the error on a gap between two riders' crossings (0.1 s at
full scale, each crossing being off by 0.07 s)."""
TRUTH_CHECKS = {
    STAGE_RESULTS.name: "statuses as in truth; finish times within 1 s of truth; same-time "
    f"groups as in truth except on true gaps within {DECISION_PRECISION_S:g} s of the "
    f"{SAME_TIME_GAP_S:g} s threshold (those are counted)",
    CLIMB_EFFORTS.name: "climb times within 2 s of truth (where a GPS dropout hides a line, "
    "10 % of the dropout more)",
    GENERAL_CLASSIFICATION.name: "the order of the classification rebuilt from true times, in "
    "our same-time groups, up to riders less than 1 s apart",
    STAGING_STAGES.name: f"route lengths within {TRACE_TOLERANCE * 100:g} % of the source "
    "traces' own (stated and along their points); the distance against the official one is "
    "reported",
}


def _truth(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no ground truth there; `peloton sim` writes it")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@dataclass(frozen=True)
class _Compared:
    """What `truth_checks` measures of the marts against the truth, before judging it."""

    ours: list[dict[str, Any]]
    status_wrong: list[dict[str, Any]]
    worst_finish: float
    worst_climb: float
    climbs_off: list[dict[str, Any]]
    efforts: int
    estimated: list[dict[str, Any]]
    decisions_wrong: list[dict[str, Any]]
    decisions_close: int
    decisions: int
    gap_errors: list[float]
    inversions: list[dict[str, Any]]
    in_true_groups: list[dict[str, Any]]


def truth_checks(catalog: Catalog, truth_dir: Path) -> tuple[list[Check], list[Figure]]:
    """The marts and staging against the truth in `truth_dir`: the checks, then the figures
    (those with a limit fail beyond it, the others are reported)."""
    compared = _compare(catalog, truth_dir)
    route_check, route_figures = route_lengths(catalog)
    return [*_checks(compared), route_check], [*_figures(compared), *route_figures]


def _compare(catalog: Catalog, truth_dir: Path) -> _Compared:
    truth = {(int(t["stage"]), int(t["bib"])): t for t in _truth(truth_dir, "stage_results")}
    ours = table_rows(catalog, STAGE_RESULTS.name)
    finish_errors = [
        abs(r["finish_time_s"] - float(truth[(r["stage"], r["bib"])]["finish_time_s"]))
        for r in ours
        if r["finish_time_s"] is not None and truth[(r["stage"], r["bib"])]["finish_time_s"]
    ]
    worst_climb, off, efforts, estimated = _climb_errors(catalog, truth_dir)
    time_trials = {f.stage for f in stage_facts(catalog).values() if f.is_time_trial}
    wrong, close, decisions = same_time_decisions(time_trials, truth, ours)
    return _Compared(
        ours=ours,
        status_wrong=[r for r in ours if r["status"] != truth[(r["stage"], r["bib"])]["status"]],
        worst_finish=max(finish_errors, default=0.0),
        worst_climb=worst_climb,
        climbs_off=off,
        efforts=efforts,
        estimated=estimated,
        decisions_wrong=wrong,
        decisions_close=close,
        decisions=decisions,
        gap_errors=[
            abs(our - true) for _, _, true, our in _decision_gaps(time_trials, truth, ours)
        ],
        inversions=gc_inversions(catalog, truth, ours),
        in_true_groups=gc_inversions(catalog, truth, ours, in_our_groups=False),
    )


def _checks(c: _Compared) -> list[Check]:
    return [
        Check(
            "status as in truth",
            STAGE_RESULTS.name,
            not c.status_wrong,
            f"{len(c.status_wrong)} of {len(c.ours):,} statuses differ",
            c.status_wrong[:EXAMPLES],
        ),
        Check(
            "same-time groups as in truth",
            STAGE_RESULTS.name,
            not c.decisions_wrong,
            f"of {c.decisions:,} decisions, {len(c.decisions_wrong)} differ on a true gap more "
            f"than {DECISION_PRECISION_S:g} s from the {SAME_TIME_GAP_S:g} s threshold; "
            f"{c.decisions_close} within it went the other way (undecidable at 1 Hz: counted, "
            "not failed)",
            c.decisions_wrong[:EXAMPLES],
        ),
        Check(
            "GC order as in truth",
            GENERAL_CLASSIFICATION.name,
            not c.inversions,
            f"{len(c.inversions)} riders ahead of one more than 1 s better in truth rebuilt in "
            f"our same-time groups ({len(c.in_true_groups)} in the truth's own groups)",
            c.inversions[:EXAMPLES],
        ),
        Check(
            "climb times as in truth",
            CLIMB_EFFORTS.name,
            not c.climbs_off,
            f"{len(c.climbs_off)} of {c.efforts:,} efforts more than {CLIMB_TOLERANCE_S:g} s "
            f"off (where a GPS dropout hides a line, {DROPOUT_SHARE:.0%} of the dropout more)",
            c.climbs_off[:EXAMPLES],
        ),
    ]


def _figures(c: _Compared) -> list[Figure]:
    return [
        Figure("worst finish time error", c.worst_finish, FINISH_TOLERANCE_S, "s"),
        Figure("worst climb time error", c.worst_climb, CLIMB_TOLERANCE_S, "s"),
        Figure(
            "climb efforts timed across a GPS dropout, beyond 2 s",
            len(c.estimated),
            unit="",
            note=f"a line inside a dropout longer than {DROPOUT_S:g} s: the crossing is "
            "bridged, the effort is allowed "
            f"{DROPOUT_SHARE:.0%} of the dropout beyond {CLIMB_TOLERANCE_S:g} s",
            examples=c.estimated[:EXAMPLES],
        ),
        Figure(
            "same-time decisions near the threshold taken the other way",
            c.decisions_close,
            unit="",
            note=f"of {c.decisions:,} decisions; true gap within {DECISION_PRECISION_S:g} s of "
            f"the {SAME_TIME_GAP_S:g} s threshold",
        ),
        Figure(
            "worst same-time gap error",
            max(c.gap_errors, default=0.0),
            unit="s",
            note=f"a decision fails only beyond {DECISION_PRECISION_S:g} s of the threshold",
        ),
    ]


def route_lengths(catalog: Catalog) -> tuple[Check, list[Figure]]:
    """`judge_route_lengths` on staging.stages, the raw stage index and the staged points."""
    stated = {
        r["stage"]: r["route_length_km"]
        for r in table_rows(catalog, STAGES.name, ("stage", "route_length_km"))
    }
    return judge_route_lengths(
        table_rows(catalog, STAGING_STAGES.name, ("stage", "distance_km", "route_length_km")),
        stated,
        _trace_lengths_km(catalog),
    )


def judge_route_lengths(
    stages: list[dict[str, Any]], stated: dict[int, float | None], along: dict[int, float]
) -> tuple[Check, list[Figure]]:
    """Our route lengths (`stages`: stage, route_length_km, official distance_km) against the
    source traces' own, and the traces against the official distances.

    A trace's own length is the one its stage index states (`stated`) and the great-circle
    length along its points (`along`); ours must be within TRACE_TOLERANCE of both. The
    distance against the official one is reported, the traces beyond OFFICIAL_FLAG listed.
    """
    off: list[dict[str, Any]] = []
    trace_errors: list[float] = []
    official: list[dict[str, Any]] = []
    for s in stages:
        stage, ours = s["stage"], s["route_length_km"]
        sources = {"stated_km": stated.get(stage), "along_points_km": along.get(stage)}
        for source, length in sources.items():
            if source == "stated_km" and not length:
                continue  # an index without surveyed lengths: the points still tell
            error = abs(ours - length) / length if ours and length else math.inf
            trace_errors.append(error)
            if error > TRACE_TOLERANCE:
                off.append({"stage": stage, "ours_km": ours, source: length})
        if ours and s["distance_km"]:
            error = (ours - s["distance_km"]) / s["distance_km"]
            official.append(
                {
                    "stage": stage,
                    "route_km": round(ours, 3),
                    "official_km": s["distance_km"],
                    "off_pct": round(error * 100, 2),
                }
            )
    flagged = sorted(
        (o for o in official if abs(o["off_pct"]) > OFFICIAL_FLAG * 100),
        key=lambda o: -abs(o["off_pct"]),
    )
    check = Check(
        "route length as the source trace",
        STAGING_STAGES.name,
        not off,
        f"{len(off)} of {len(trace_errors)} comparisons with the traces' stated lengths and "
        f"their points more than {TRACE_TOLERANCE * 100:g} % off",
        off[:EXAMPLES],
    )
    figures = [
        Figure(
            "worst route length against the official distance",
            max((abs(o["off_pct"]) for o in official), default=0.0),
            unit="%",
            note=f"{len(flagged)} of {len(official)} traces more than "
            f"{OFFICIAL_FLAG * 100:g} % off (a fact of the source traces, not a failure)",
            examples=flagged[:EXAMPLES],
        ),
        Figure(
            "worst route length error against the trace",
            max(trace_errors, default=0.0) * 100,
            TRACE_TOLERANCE * 100,
            "%",
        ),
    ]
    return check, figures


def _trace_lengths_km(catalog: Catalog) -> dict[int, float]:
    """Each stage's great-circle length along its route points, in order."""
    points = read(
        catalog.load_table(STAGING_STAGE_ROUTES.name), columns=("stage", "seq", "lat", "lon")
    ).sort_by([("stage", "ascending"), ("seq", "ascending")])
    stage = points["stage"].to_numpy()
    lat = np.radians(points["lat"].to_numpy())
    lon = np.radians(points["lon"].to_numpy())
    h = (
        np.sin(np.diff(lat) / 2) ** 2
        + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    )
    step_km = 2 * EARTH_RADIUS_M / 1000.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    lengths: dict[int, float] = defaultdict(float)
    for s, km, same in zip(stage[1:], step_km, stage[1:] == stage[:-1], strict=True):
        if same:
            lengths[int(s)] += float(km)
    return dict(lengths)


def _climb_errors(
    catalog: Catalog, truth_dir: Path
) -> tuple[float, list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The worst climb-time error where both lines were seen, the efforts beyond their
    allowance (worst first), the count, and the efforts whose line a GPS dropout hides (each
    with its dropout and error, worst first)."""
    climbs = {
        (int(t["stage"]), int(t["climb_number"]), int(t["bib"])): float(t["time_s"])
        for t in _truth(truth_dir, "climb_times")
    }
    rows = [
        r
        for r in table_rows(catalog, CLIMB_EFFORTS.name)
        if (r["stage"], r["climb_number"], r["bib"]) in climbs
    ]
    errors = []
    for r in rows:
        true_s = climbs[(r["stage"], r["climb_number"], r["bib"])]
        errors.append(
            (
                abs(r["time_s"] - true_s),
                r,
                {
                    "stage": r["stage"],
                    "climb": r["climb_name"],
                    "bib": r["bib"],
                    "ours_s": round(r["time_s"], 2),
                    "truth_s": round(true_s, 2),
                },
            )
        )
    # only an effort beyond the tolerance needs its dropouts looked up
    hidden = line_dropouts(catalog, [r for err, r, _ in errors if err > CLIMB_TOLERANCE_S])
    seen_worst = 0.0
    off, estimated = [], []
    for err, r, example in sorted(errors, key=lambda e: -e[0]):
        dropout = hidden.get(_effort_key(r), 0.0)
        if dropout > DROPOUT_S:
            example = example | {"dropout_s": round(dropout, 1)}
            estimated.append(example | {"error_s": round(err, 2)})
        else:
            seen_worst = max(seen_worst, err)
        if err > climb_allowance(dropout):
            off.append(example)
    return seen_worst, off, len(errors), estimated


def climb_allowance(dropout_s: float) -> float:
    """How far a climb time may be from truth: CLIMB_TOLERANCE_S where both lines were seen;
    where a GPS dropout longer than DROPOUT_S hides a line, DROPOUT_SHARE of the dropout more."""
    return CLIMB_TOLERANCE_S + (DROPOUT_SHARE * dropout_s if dropout_s > DROPOUT_S else 0.0)


def _effort_key(r: dict[str, Any]) -> tuple[int, int, int]:
    return int(r["stage"]), int(r["climb_number"]), int(r["bib"])


def line_dropouts(
    catalog: Catalog, efforts: list[dict[str, Any]]
) -> dict[tuple[int, int, int], float]:
    """Per effort, the longest time between the rider's clean GPS points around its start or
    end crossing (s): 1 at 1 Hz where the lines were seen, more where a dropout hides one."""
    found: dict[tuple[int, int, int], float] = {}
    by_day: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in efforts:
        by_day[r["stage_date"]].append(r)
    if not by_day:
        return found
    table = catalog.load_table(STAGING_TELEMETRY.name)
    for day, day_efforts in by_day.items():
        points = read_day(
            table,
            day,
            ("athlete_id", "recorded_at", "off_route", "is_spike", "is_jump"),
        ).to_pylist()
        times: dict[int, list[float]] = defaultdict(list)
        for p in points:
            if not (p["off_route"] or p["is_spike"] or p["is_jump"]):
                times[int(p["athlete_id"])].append(p["recorded_at"].timestamp())
        for r in day_efforts:
            t = np.sort(np.asarray(times.get(int(r["athlete_id"]), []), dtype=np.float64))
            found[_effort_key(r)] = max(
                _bracket(t, r["started_at"].timestamp()), _bracket(t, r["ended_at"].timestamp())
            )
    return found


def _bracket(t: np.ndarray[Any, Any], at: float) -> float:
    """The time between the last point at or before `at` and the first one after it."""
    k = int(np.searchsorted(t, at, side="right"))
    if k == 0 or k == len(t):
        return math.inf
    return float(t[k] - t[k - 1])


def _finished(true: dict[str, str]) -> bool:
    """A rider who reached the line in truth (inside or outside the time limit)."""
    return bool(true["finished_at"]) and true["status"] != "abandoned"


def _true_finishers(
    truth: dict[tuple[int, int], dict[str, str]], ours: list[dict[str, Any]], stage: int
) -> list[tuple[float, int]]:
    """(true finish time, bib) of the stage's riders with telemetry who finished in truth."""
    found = []
    for r in ours:
        true = truth[(r["stage"], r["bib"])]
        if r["stage"] == stage and _finished(true):
            found.append((float(true["finish_time_s"]), r["bib"]))
    return sorted(found)


def _decision_gaps(
    time_trials: set[int],
    truth: dict[tuple[int, int], dict[str, str]],
    ours: list[dict[str, Any]],
) -> Iterator[tuple[int, int, float, float]]:
    """(stage, bib, true gap, our gap) to the rider ahead, finishers in their true order, on
    road stages, where we timed both riders (a finish we missed: the status check reports it).
    """
    our_time = {(r["stage"], r["bib"]): r["finish_time_s"] for r in ours}
    for stage in sorted({r["stage"] for r in ours}):
        if stage in time_trials:
            continue
        order = _true_finishers(truth, ours, stage)
        for (ahead_s, ahead), (true_s, bib) in itertools.pairwise(order):
            mine, theirs = our_time[(stage, bib)], our_time[(stage, ahead)]
            if mine is not None and theirs is not None:
                yield stage, bib, true_s - ahead_s, mine - theirs


def same_time_decisions(
    time_trials: set[int],
    truth: dict[tuple[int, int], dict[str, str]],
    ours: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int, int]:
    """Decisions that differ from truth beyond the precision, those within it, and the total.

    Finishers are taken in their true order; the decision is whether a rider is less than the
    threshold behind the rider ahead, by true times and by ours.
    """
    wrong: list[dict[str, Any]] = []
    close = total = 0
    for stage, bib, true_gap, our_gap in _decision_gaps(time_trials, truth, ours):
        total += 1
        if (true_gap < SAME_TIME_GAP_S) == (our_gap < SAME_TIME_GAP_S):
            continue
        if abs(true_gap - SAME_TIME_GAP_S) < DECISION_PRECISION_S:
            close += 1
        else:
            wrong.append(
                {
                    "stage": stage,
                    "bib": bib,
                    "true_gap_s": round(true_gap, 3),
                    "our_gap_s": round(our_gap, 3),
                }
            )
    return wrong, close, total


def gc_inversions(
    catalog: Catalog,
    truth: dict[tuple[int, int], dict[str, str]],
    ours: list[dict[str, Any]],
    in_our_groups: bool = True,
) -> list[dict[str, Any]]:
    """Riders our classification puts ahead of one more than 1 s better in the true one.

    The true classification is rebuilt with the same rules from the true start and crossing
    times of the riders with telemetry, in the same-time groups the pipeline formed (their
    decisions are checked by `same_time_decisions`), or with `in_our_groups=False` in the
    truth's own groups. What remains is the pipeline's own timing error; official times are
    truncated to the second, so riders less than 1 s apart may swap. In our groups, a time
    within DECISION_PRECISION_S of a second boundary keeps our side of it (`_in_our_group`),
    and a bonus our order gave to one of two riders who crossed within DECISION_PRECISION_S of
    each other stays where we put it (`_bonuses_in_our_order`).
    """
    facts = {f.stage: f for f in stage_facts(catalog).values()}
    true_results: list[Result] = []
    for stage in sorted({r["stage"] for r in ours}):
        rows = [r for r in ours if r["stage"] == stage]
        rides = []
        for r in rows:
            true = truth[(stage, r["bib"])]
            end = _epoch(true["finished_at"]) if _finished(true) else None
            rides.append(Ride(r["athlete_id"], r["bib"], _epoch(true["started_at"]), end))
        results = stage_results(facts[stage], rides)
        ours_timed = sorted(
            (r["finish_time_s"], r["bib"]) for r in rows if r["finish_time_s"] is not None
        )
        heads = same_time_heads(ours_timed, facts[stage].is_time_trial)
        took = {res.bib: res.finish_time_s for res in results}
        official = {r["bib"]: r["official_time_s"] for r in rows}
        if in_our_groups:
            results = [_in_our_group(res, heads, took, official) for res in results]
            results = _bonuses_in_our_order(results, {r["bib"]: r["bonus_s"] for r in rows})
        true_results += results
    true_totals = {(g.stage, g.bib): g.total_time_s for g in general_classification(true_results)}
    found = []
    gc = table_rows(catalog, GENERAL_CLASSIFICATION.name)
    for stage in sorted({g["stage"] for g in gc}):
        best = float("-inf")
        for g in sorted((g for g in gc if g["stage"] == stage), key=lambda g: g["rank"]):
            total = true_totals.get((stage, g["bib"]))
            if total is None:
                found.append({"stage": stage, "bib": g["bib"], "why": "not classified in truth"})
                continue
            if total < best - 1.0:
                found.append({"stage": stage, "bib": g["bib"], "rank": g["rank"]})
            best = max(best, total)
    return found


def _bonuses_in_our_order(results: list[Result], ours: dict[int, int]) -> list[Result]:
    """True results with our bonus where ours went to a rider who crossed within
    DECISION_PRECISION_S of the one who has it in truth: an order no 1 Hz timing settles."""
    truly = {res.bonus_s: res for res in results if res.bonus_s}
    kept = []
    for res in results:
        swapped = truly.get(ours.get(res.bib, 0))
        if (
            swapped is not None
            and swapped.bib != res.bib
            and res.finish_time_s is not None
            and swapped.finish_time_s is not None
            and abs(res.finish_time_s - swapped.finish_time_s) < DECISION_PRECISION_S
        ):
            res = Result(**{**res.__dict__, "bonus_s": ours[res.bib]})
        kept.append(res)
    return kept


def _in_our_group(
    res: Result,
    heads: dict[int, int],
    took: dict[int, float | None],
    ours: dict[int, int | None],
) -> Result:
    """A true result given the true time of the head of the rider's group in our results.

    Truncated to the second, a time within DECISION_PRECISION_S of a second boundary may fall
    on either side of it (no 1 Hz timing settles it), so there our official time is kept when
    it is one second from the true one: two riders each on the other side of a boundary would
    otherwise be 2 s apart for timing errors of a tenth of a second.
    """
    head_took = took.get(heads.get(res.bib, -1))
    if res.official_time_s is None or head_took is None:
        return res
    official = math.floor(head_took)
    mine = ours.get(res.bib)
    fraction = head_took - official
    undecidable = min(fraction, 1.0 - fraction) < DECISION_PRECISION_S
    if mine is not None and abs(mine - official) == 1 and undecidable:
        official = mine
    return Result(**{**res.__dict__, "official_time_s": official})
