"""Documents made from the data: a summary per stage, a profile per rider and per team."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pyiceberg.catalog import Catalog

from lakehouse.bot.corpus import Document
from lakehouse.lake.definition import TableDef
from lakehouse.lake.mart_tables import (
    CLIMB_EFFORTS,
    GENERAL_CLASSIFICATION,
    MOUNTAINS_CLASSIFICATION,
    POINTS_CLASSIFICATION,
    STAGE_RESULTS,
    STAGE_SUMMARY,
)
from lakehouse.lake.readers import read_all


def _rows(catalog: Catalog, table: TableDef) -> list[dict[str, Any]]:
    return read_all(catalog, table).to_pylist()


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "no time"
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def data_documents(catalog: Catalog) -> list[Document]:
    """A summary per stage and a profile per rider and per team, from the published marts."""
    summary = sorted(_rows(catalog, STAGE_SUMMARY), key=lambda r: r["stage"])
    results = _rows(catalog, STAGE_RESULTS)
    gc = _rows(catalog, GENERAL_CLASSIFICATION)
    climbs = _rows(catalog, CLIMB_EFFORTS)
    leaders = {
        name: {r["stage"]: r for r in _rows(catalog, table) if r["rank"] == 1}
        for name, table in (
            ("yellow", GENERAL_CLASSIFICATION),
            ("green", POINTS_CLASSIFICATION),
            ("polka-dot", MOUNTAINS_CLASSIFICATION),
        )
    }
    docs = [_stage_document(s, results, climbs, leaders) for s in summary]
    last_gc = {r["bib"]: r for r in gc if r["stage"] == max((g["stage"] for g in gc), default=0)}
    riders: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        riders[r["bib"]].append(r)
    wins: dict[int, list[int]] = defaultdict(list)
    for s in summary:
        if s["winner_bib"] is not None:
            wins[s["winner_bib"]].append(s["stage"])
    for bib, rows in sorted(riders.items()):
        docs.append(_rider_document(bib, rows, wins.get(bib, []), last_gc.get(bib)))
    teams: dict[str, set[str]] = defaultdict(set)
    for r in results:
        teams[r["team"]].add(r["rider_name"])
    for team, names in sorted(teams.items()):
        won = [s["stage"] for s in summary if s["winner_team"] == team]
        best = min((g for g in last_gc.values() if g["team"] == team), key=lambda g: g["rank"])
        text = (
            f"{team}: riders with telemetry {', '.join(sorted(names))}. Stage wins: "
            f"{', '.join(map(str, won)) or 'none'}. Best overall: {best['rider_name']}, "
            f"{best['rank']} after stage {best['stage']}."
        )
        docs.append(Document(f"team:{team}", "team", f"Team {team}", text))
    return docs


def _stage_document(
    s: dict[str, Any],
    results: list[dict[str, Any]],
    climbs: list[dict[str, Any]],
    leaders: dict[str, dict[int, dict[str, Any]]],
) -> Document:
    stage = s["stage"]
    top = sorted(
        (r for r in results if r["stage"] == stage and r["rank"] is not None),
        key=lambda r: r["rank"],
    )[:3]
    names = sorted(
        {(c["climb_number"], c["climb_name"], c["category"]) for c in climbs if c["stage"] == stage}
    )
    lines = [
        f"Stage {stage} ({s['stage_date']}): won by {s['winner_name'] or 'nobody'} "
        f"({s['winner_team'] or '-'}) in {_clock(s['winner_time_s'])}.",
        "First three: "
        + "; ".join(f"{r['rank']}. {r['rider_name']} +{r['gap_s']} s" for r in top)
        + ".",
        f"{s['finishers']} of {s['starters']} finished, {s['abandoned']} abandoned, "
        f"{s['outside_time_limit']} outside the time limit.",
        "Climbs: " + (", ".join(f"{n} ({c})" for _, n, c in names) or "none") + ".",
    ]
    for jersey, by_stage in leaders.items():
        leader = by_stage.get(stage)
        if leader:
            lines.append(f"{jersey} jersey after the stage: {leader['rider_name']}.")
    return Document(f"stage:{stage}", "stage", f"Stage {stage} summary", " ".join(lines))


def _rider_document(
    bib: int, rows: list[dict[str, Any]], wins: list[int], gc: dict[str, Any] | None
) -> Document:
    first = rows[0]
    placed = [r for r in rows if r["rank"] is not None]
    best = min(placed, key=lambda r: r["rank"]) if placed else None
    parts = [f"{first['rider_name']} (bib {bib}, {first['team']})."]
    parts.append(f"Stage wins: {', '.join(map(str, sorted(wins))) or 'none'}.")
    if best:
        parts.append(f"Best stage result: {best['rank']} on stage {best['stage']}.")
    if gc:
        parts.append(f"Overall after stage {gc['stage']}: {gc['rank']}, +{gc['gap_s']} s.")
    return Document(f"rider:{bib}", "rider", f"Rider {first['rider_name']}", " ".join(parts))
