"""The race bot's evaluation: execution accuracy on frozen questions, answers from the truth.

The questions (bench/data/bot_questions.toml, frozen) cover 18 intents in English and French;
a held-out part, seen while tuning, is scored apart, and so is a fresh held-out set
(bench/data/bot_questions_fresh.toml), frozen before the benchmark first ran on it. Their
slots ({stage}, {rider}, {surname}, {team}, {climb}) are filled from a simulated tiny race.
The expected answers come from the simulator's ground truth files (sources/truth/*.csv), not
from the marts: restricted to the riders with telemetry and re-ranked with the race's rules, as
`peloton check --truth` does (lakehouse.transform.results on the true crossing times). An
answer is right when the rows the bot used hold the expected value (names and ranks exactly,
times within the truth tolerances: 1 s at a finish, 2 s on a climb).

Also measured: retrieval hit@3 (the question's intent among the three nearest intents), the
guard's refusal rate on the attack corpus of the tests, and the latency of an answer (p50,
p95) with Trino running. Offline mode always; model mode too when PELOTON_LLM__BASE_URL is set
(an answer is then right when its text holds the expected values). Targets: offline >= 95 %,
the attack corpus refused in full, p95 <= 1 s offline.

    python bench/bench_bot.py                # simulate, land, model, start Trino, index, ask
    python bench/bench_bot.py --seed 3 --json bench-bot.json
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import re
import statistics
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchkit import source_database

from lakehouse.ports import free_port

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "bot_questions.toml"
FRESH = HERE / "data" / "bot_questions_fresh.toml"
"""Held out and fresh: written and frozen before the benchmark first ran on them."""
PARTS = {"tune": "tuning set", "held": "held out", "fresh": "fresh held out"}
ATTACKS = HERE.parent / "tests" / "lakehouse" / "bot"
SCHEMA = "bench_bot_src"
FINISH_TOLERANCE_S = 1.0
CLIMB_TOLERANCE_S = 2.0
SPEED_TOLERANCE_KMH = 0.2
GAP_TOLERANCE_S = 2 * FINISH_TOLERANCE_S * 3
"""A gap in the general classification: two riders' times over the tiny race's three stages."""
COUNT_WORDS = {"three": 3, "five": 5, "ten": 10, "trois": 3, "cinq": 5, "dix": 10}


@dataclass
class Truth:
    """The race as the truth files tell it, among the riders with telemetry."""

    stages: list[int]
    names: dict[int, str]
    teams: dict[int, str]
    results: dict[int, list[Any]]
    """Per stage, the re-ranked results (lakehouse.transform.results.Result)."""
    gc: dict[int, list[Any]]
    """Per stage, the classification after it (Standing), in rank order."""
    climbs: list[dict[str, Any]]
    """Per climb effort of a rider with telemetry: stage, climb_number, climb_name, bib, time_s."""
    route_km: dict[int, float]
    young: dict[int, set[int]] = field(default_factory=dict)
    """Per stage, the young riders (born on or after 1 January of the stage's year minus 25)."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_truth(sources: Path) -> Truth:
    from lakehouse.transform.results import (
        Ride,
        StageFacts,
        general_classification,
        stage_results,
    )

    athletes = _rows(sources / "athletes" / "athletes.csv")
    seen = {int(a["bib"]) for a in athletes if a["strava_athlete_id"]}
    names = {int(a["bib"]): a["rider_name"] for a in athletes}
    teams = {int(a["bib"]): a["team"] for a in athletes}
    index = {int(s["stage"]): s for s in _rows(sources / "stages" / "stages.csv")}
    rides: dict[int, list[Ride]] = defaultdict(list)
    for t in _rows(sources / "truth" / "stage_results.csv"):
        bib = int(t["bib"])
        if bib not in seen:
            continue
        end = t["finished_at"] if t["status"] != "abandoned" and t["finished_at"] else None
        rides[int(t["stage"])].append(
            Ride(
                int(t["athlete_id"]),
                bib,
                datetime.fromisoformat(t["started_at"]).timestamp(),
                datetime.fromisoformat(end).timestamp() if end else None,
            )
        )
    results: dict[int, list[Any]] = {}
    for stage, stage_rides in sorted(rides.items()):
        s = index[stage]
        facts = StageFacts(
            stage,
            date.fromisoformat(s["date"]),
            s["kind"],
            datetime.fromisoformat(s["start_at"]),
            float(s["route_length_km"]) * 1000,
            float(s["time_limit_pct"]),
            s["profile"],
        )
        results[stage] = stage_results(facts, stage_rides)
    gc: dict[int, list[Any]] = defaultdict(list)
    for standing in general_classification([r for rs in results.values() for r in rs]):
        gc[standing.stage].append(standing)
    climbs = [
        {
            "stage": int(c["stage"]),
            "climb_number": int(c["climb_number"]),
            "climb_name": c["climb_name"],
            "bib": int(c["bib"]),
            "time_s": float(c["time_s"]),
        }
        for c in _rows(sources / "truth" / "climb_times.csv")
        if int(c["bib"]) in seen
    ]
    route_km = {stage: float(s["route_length_km"]) for stage, s in index.items()}
    born = {int(a["bib"]): date.fromisoformat(a["birth_date"]) for a in athletes}
    young = {
        stage: {b for b in names if born[b] >= date(int(s["date"][:4]) - 25, 1, 1)}
        for stage, s in index.items()
    }
    return Truth(sorted(results), names, teams, results, dict(gc), climbs, route_km, young)


@dataclass
class Case:
    template: str
    text: str
    intent: str
    part: str
    """tune, held (held out, seen while tuning) or fresh (held out, never seen)."""
    slots: dict[str, Any] = field(default_factory=dict)


def _stage_in(case: Case, truth: Truth) -> int:
    """The stage a question names, else the last one (or the climb's)."""
    named = "{stage}" in case.template or "{climb}" in case.template
    return int(case.slots["stage"]) if named else truth.stages[-1]


def _count(text: str, default: int) -> int:
    found = re.search(r"\b(\d{1,2}|three|five|ten|trois|cinq|dix)\b", text.lower())
    if not found or (found.group(1).isdigit() and "top" not in text.lower()):
        return default
    value = found.group(1)
    return int(value) if value.isdigit() else COUNT_WORDS[value]


def cases(truth: Truth) -> list[Case]:
    """Every frozen question, its slots filled from the race (deterministically)."""
    groups = []
    for path in (QUESTIONS, FRESH):
        with path.open("rb") as f:
            groups += tomllib.load(f)["q"]
    surnames = Counter(name.split()[-1] for name in truth.names.values())
    climbs = sorted({(c["stage"], c["climb_number"], c["climb_name"]) for c in truth.climbs})
    teams = sorted({truth.teams[s.bib] for s in truth.gc[truth.stages[-1]]})
    found = []
    i = 0
    for group in groups:
        parts = [(part, group.get(key, [])) for part, key in
                 (("tune", "texts"), ("held", "held_out"), ("fresh", "fresh"))]  # fmt: skip
        for part, texts in parts:
            for template in texts:
                i += 1
                stage = truth.stages[i % len(truth.stages)]
                climb = climbs[i % len(climbs)]
                if "{climb}" in template:
                    stage = climb[0]
                riders = _riders_for(truth, group["intent"], stage, climb, surnames)
                bib = riders[(i * 5) % len(riders)]
                slots = {
                    "stage": stage,
                    "bib": bib,
                    "rider": truth.names[bib],
                    "surname": truth.names[bib].split()[-1],
                    "team": teams[i % len(teams)],
                    "climb": climb[2],
                    "climb_number": climb[1],
                }
                text = template.format(**slots)
                found.append(Case(template, text, group["intent"], part, slots))
    return found


def _riders_for(
    truth: Truth, intent: str, stage: int, climb: tuple[int, int, str], surnames: Counter[str]
) -> list[int]:
    """Riders with telemetry a question may name: one surname each, with data for the intent."""
    if intent == "rider_climb":
        pool = {c["bib"] for c in truth.climbs if (c["stage"], c["climb_number"]) == climb[:2]}
    elif intent == "rider_gc":
        pool = {s.bib for s in truth.gc[truth.stages[-1]]} & {s.bib for s in truth.gc[stage]}
    else:
        pool = {r.bib for r in truth.results[stage]}
    return sorted(b for b in pool if surnames[truth.names[b].split()[-1]] == 1)


def expected(case: Case, truth: Truth) -> Any:
    """The answer to `case` from the truth."""
    slots, text = case.slots, case.text
    stage = _stage_in(case, truth)
    results = sorted(
        (r for r in truth.results.get(stage, []) if r.rank is not None), key=lambda r: r.rank
    )
    gc = truth.gc.get(stage, [])
    name = truth.names
    climbs = [
        c
        for c in truth.climbs
        if c["stage"] == slots["stage"] and c["climb_number"] == slots["climb_number"]
    ]
    match case.intent:
        case "stage_winner":
            return name[results[0].bib]
        case "stage_top":
            return [name[r.bib] for r in results[: _count(text, 3)]]
        case "rider_stage_result":
            return next(r.rank for r in truth.results[stage] if r.bib == slots["bib"])
        case "gc_leader":
            return name[gc[0].bib]
        case "gc_top" | "gc_as_published":
            return [name[s.bib] for s in gc[: _count(text, 10)]]
        case "best_young_rider":
            best = next(s for s in gc if s.bib in truth.young[stage])
            return name[best.bib], best.gap_s
        case "rider_gc":
            return next(s.rank for s in gc if s.bib == slots["bib"])
        case "fastest_climb":
            best = min(climbs, key=lambda c: c["time_s"])
            return name[best["bib"]], best["time_s"]
        case "rider_climb":
            return next(c["time_s"] for c in climbs if c["bib"] == slots["bib"])
        case "team_stage_wins":
            wins = Counter(truth.teams[_winner(truth, s)] for s in truth.stages)
            return sorted(wins.items(), key=lambda w: (-w[1], w[0]))[:5]
        case "rider_stage_wins":
            return sum(1 for s in truth.stages if _winner(truth, s) == slots["bib"])
        case "stage_finishers":
            status = Counter(r.status for r in truth.results[stage])
            return (
                len(truth.results[stage]),
                status["finished"],
                status["abandoned"],
                status["outside_time_limit"],
            )
        case "lanterne_rouge":
            return name[gc[-1].bib]
        case "team_best_gc":
            return name[next(s.bib for s in gc if truth.teams[s.bib] == slots["team"])]
        case "stage_climbs":
            on = sorted(
                {(c["climb_number"], c["climb_name"]) for c in truth.climbs if c["stage"] == stage}
            )
            return [n for _, n in on]
        case "biggest_gap":
            times = sorted(r.official_time_s for r in results if r.status == "finished")
            return max((b - a for a, b in itertools.pairwise(times)), default=0)
        case "stage_speed":
            took = min(r.finish_time_s for r in results if r.finish_time_s is not None)
            return truth.route_km[stage] / (took / 3600)
    raise ValueError(f"no truth for intent {case.intent}")


def _winner(truth: Truth, stage: int) -> int:
    return next(r.bib for r in truth.results[stage] if r.rank == 1)


def got(intent: str, records: list[dict[str, Any]]) -> Any:
    """What the bot's rows say, in the shape of `expected`."""
    if not records:
        return None
    first = records[0]
    match intent:
        case "stage_winner":
            return first.get("winner_name")
        case "stage_top" | "gc_top" | "gc_as_published":
            return [r.get("rider_name") for r in records]
        case "rider_stage_result" | "rider_gc":
            return first.get("rank")
        case "gc_leader" | "lanterne_rouge" | "team_best_gc":
            return first.get("rider_name")
        case "fastest_climb":
            return first.get("rider_name"), first.get("time_s")
        case "best_young_rider":
            return first.get("rider_name"), first.get("gap_s")
        case "rider_climb":
            return first.get("time_s")
        case "team_stage_wins":
            return [(r.get("team"), r.get("wins")) for r in records]
        case "rider_stage_wins":
            return first.get("wins")
        case "stage_finishers":
            keys = ("starters", "finishers", "abandoned", "outside_time_limit")
            return tuple(first.get(k) for k in keys)
        case "stage_climbs":
            return [r.get("climb_name") for r in records]
        case "biggest_gap":
            return first.get("largest_gap_s")
        case "stage_speed":
            return first.get("avg_speed_kmh")
    return None


def right(intent: str, want: Any, have: Any) -> bool:
    if have is None:
        return False
    match intent:
        case "fastest_climb":
            return bool(have[0] == want[0] and abs(float(have[1]) - want[1]) <= CLIMB_TOLERANCE_S)
        case "rider_climb":
            return abs(float(have) - want) <= CLIMB_TOLERANCE_S
        case "best_young_rider":  # a gap sums every stage's times, each within the tolerance
            return bool(have[0] == want[0] and abs(float(have[1]) - want[1]) <= GAP_TOLERANCE_S)
        case "biggest_gap":
            return abs(float(have) - want) <= FINISH_TOLERANCE_S
        case "stage_speed":
            return abs(float(have) - want) <= SPEED_TOLERANCE_KMH
    return bool(have == want)


def in_text(want: Any, text: str) -> bool:
    """Model mode: the expected names and numbers all appear in the answer's text."""
    parts = want if isinstance(want, list | tuple) else [want]
    flat: list[Any] = []
    for p in parts:
        flat += list(p) if isinstance(p, tuple) else [p]
    return all(str(round(p)) in text if isinstance(p, float) else str(p) in text for p in flat)


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def evaluate(
    ctx: Any, all_cases: list[Case], truth: Truth, ask: Callable[..., Any], offline: bool
) -> dict[str, Any]:
    from lakehouse.bot.offline import found_names, ranked_intents

    per_intent: dict[str, dict[str, list[bool]]] = defaultdict(lambda: {k: [] for k in PARTS})
    hits: dict[str, list[bool]] = {k: [] for k in PARTS}
    latency: list[float] = []
    wrong: list[dict[str, Any]] = []
    for case in all_cases:
        top = ranked_intents(ctx, case.text, found_names(ctx, case.text))[:3]
        hits[case.part].append(case.intent in [h.document.intent for h in top])
        started = time.perf_counter()
        answer = ask(ctx, case.text, offline=offline)
        latency.append(time.perf_counter() - started)
        want = expected(case, truth)
        if answer.mode == "offline":
            records = [dict(zip(answer.columns, r, strict=True)) for r in answer.rows]
            ok = answer.intent == case.intent and right(
                case.intent, want, got(case.intent, records)
            )
        else:
            ok = in_text(want, answer.answer)
        per_intent[case.intent][case.part].append(ok)
        if not ok:
            wrong.append({"q": case.text, "part": case.part, "intent": answer.intent,
                          "want": want, "answer": answer.answer[:200]})  # fmt: skip
    scored = {k: [ok for r in per_intent.values() for ok in r[k]] for k in PARTS}
    every = [ok for k in PARTS for ok in scored[k]]
    return {
        "questions": len(all_cases),
        "intents": len(per_intent),
        "accuracy": {k: sum(v) / len(v) for k, v in scored.items() if v},
        "counted": {k: f"{sum(v)}/{len(v)}" for k, v in scored.items()},
        "accuracy_all": sum(every) / len(every),
        "per_intent": {
            name: {k: f"{sum(v)}/{len(v)}" for k, v in r.items()}
            for name, r in sorted(per_intent.items())
        },
        "retrieval_hit_at_3": {k: sum(v) / len(v) for k, v in hits.items() if v},
        "latency_p50_s": p(latency, 0.5),
        "latency_p95_s": p(latency, 0.95),
        "wrong": wrong,
    }


def refusal_rate() -> tuple[int, int]:
    sys.path.insert(0, str(ATTACKS))
    from attacks import ATTACKS as CORPUS  # the tests' attack corpus

    from lakehouse.bot.guard import RefusedQuery, guard
    from lakehouse.bot.tables import allowed_tables

    refused = 0
    for attack in CORPUS:
        try:
            guard(attack.sql, allowed_tables())
        except RefusedQuery:
            refused += 1
    return refused, len(CORPUS)


def build(settings: Any, url: str, seed: int) -> None:
    from benchkit import land_and_model

    from racesim.simulate import run_simulation

    print(f"simulating the tiny race (seed {seed}), landing and modelling it ...", flush=True)
    run_simulation("tiny", seed, settings.sources_dir, url, schema=SCHEMA)
    land_and_model(settings, url, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated race")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--reuse", action="store_true", help="the PELOTON_* settings' lakehouse and Trino, as is"
    )
    args = parser.parse_args()

    from lakehouse.bot.ask import ask
    from lakehouse.bot.context import open_context
    from lakehouse.bot.indexing import build_index
    from lakehouse.settings import Settings
    from lakehouse.trino.client import init_views
    from lakehouse.trino.server import TrinoServer

    if args.reuse:
        settings = Settings()
        figures = run(settings, args.seed, ask, open_context, build_index)
    else:
        with (
            tempfile.TemporaryDirectory(prefix="peloton-bench-bot-", dir="/var/tmp") as work,
            source_database() as url,
        ):
            settings = Settings(
                home=Path(work),
                source={"url": url, "schema_name": SCHEMA},
                catalog={"kind": "sql", "name": f"bench_bot_{args.seed}"},
                trino={"port": free_port(), "heap": "1536M", "query_max_memory": "768MB"},
            )
            build(settings, url, args.seed)
            server = TrinoServer(settings)
            server.start()
            try:
                init_views(settings)
                figures = run(settings, args.seed, ask, open_context, build_index)
            finally:
                server.stop()
    refused, attacks = refusal_rate()
    figures["guard_refused"] = f"{refused}/{attacks}"
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")


def run(
    settings: Any, seed: int, ask: Callable[..., Any], open_context: Any, build_index: Any
) -> dict[str, Any]:
    """Index, then ask every question offline (and with the model when one is configured)."""
    from lakehouse.catalog import open_catalog

    print("indexing ...", flush=True)
    print(build_index(open_catalog(settings), settings.llm))
    ctx = open_context(settings)
    truth = read_truth(settings.sources_dir)
    all_cases = cases(truth)
    ask(ctx, f"who won stage {truth.stages[0]}?")  # warm-up: Trino's first query
    figures: dict[str, Any] = {"seed": seed, "stages": truth.stages}
    figures["offline"] = evaluate(ctx, all_cases, truth, ask, offline=True)
    if settings.llm.base_url:
        figures["model"] = evaluate(ctx, all_cases, truth, ask, offline=False)
    return figures


def report(figures: dict[str, Any]) -> None:
    for mode in ("offline", "model"):
        f = figures.get(mode)
        if not f:
            continue
        print(f"\n{mode} mode: {f['questions']} questions over {f['intents']} intents, "
              f"stages {figures['stages']} (seed {figures['seed']})")  # fmt: skip
        print(f"{'intent':<20}" + "".join(f"{label:>16}" for label in PARTS.values()))
        for name, r in f["per_intent"].items():
            print(f"{name:<20}" + "".join(f"{r[k]:>16}" for k in PARTS))
        accuracy = ", ".join(
            f"{PARTS[k]} {v:.1%} ({f['counted'][k]})" for k, v in f["accuracy"].items()
        )
        print(f"execution accuracy: {accuracy}, all {f['accuracy_all']:.1%} (target >= 95 %)")
        hit = ", ".join(f"{PARTS[k]} {v:.1%}" for k, v in f["retrieval_hit_at_3"].items())
        print(f"retrieval hit@3: {hit}")
        print(
            f"latency per answer: p50 {f['latency_p50_s']:.3f} s, p95 "
            f"{f['latency_p95_s']:.3f} s (target p95 <= 1 s)"
        )
        for w in f["wrong"]:
            if w["part"] == "tune":  # the held-out parts' failures are not shown: not to tune on
                print(f"  wrong: {w}")
    print(f"attack corpus refused by the guard: {figures['guard_refused']}")


if __name__ == "__main__":
    main()
