"""Documents made from the data: a summary per stage (with what changed in the
classifications), a profile per rider and per team."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pyiceberg.catalog import Catalog

from lakehouse.bot.corpus import Document
from lakehouse.bot.stage_changes import Rows, classification_changes
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


def _rows(catalog: Catalog, table: TableDef) -> Rows:
    return read_all(catalog, table).to_pylist()


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "no time"
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def data_documents(catalog: Catalog) -> list[Document]:
    """A summary per stage and a profile per rider and per team, from the published marts."""
    leaders = {
        name: {r["stage"]: r for r in _rows(catalog, table) if r["rank"] == 1}
        for name, table in (
            ("green", POINTS_CLASSIFICATION),
            ("polka-dot", MOUNTAINS_CLASSIFICATION),
        )
    }
    return documents_from_rows(
        _rows(catalog, STAGE_SUMMARY),
        _rows(catalog, STAGE_RESULTS),
        _rows(catalog, GENERAL_CLASSIFICATION),
        _rows(catalog, CLIMB_EFFORTS),
        leaders,
    )


def documents_from_rows(
    summary: Rows,
    results: Rows,
    gc: Rows,
    climbs: Rows,
    leaders: dict[str, dict[int, dict[str, Any]]],
) -> list[Document]:
    """The documents of `data_documents` from the marts' rows; `leaders` holds the leaders of
    the classifications other than the general one, per stage."""
    summary = sorted(summary, key=lambda r: r["stage"])
    gc_by_stage: dict[int, Rows] = defaultdict(list)
    for r in gc:
        gc_by_stage[r["stage"]].append(r)
    leaders = {
        "yellow": {s: r for s, rows in gc_by_stage.items() for r in rows if r["rank"] == 1},
        **leaders,
    }
    raced = [s["stage"] for s in summary]
    docs = [
        _stage_document(
            s,
            results,
            climbs,
            classification_changes(s["stage"], _before(raced, s["stage"]), leaders, gc_by_stage),
        )
        for s in summary
    ]
    last_gc = {r["bib"]: r for r in gc_by_stage.get(max(gc_by_stage, default=0), [])}
    docs += _rider_documents(summary, results, last_gc)
    docs += _team_documents(summary, results, last_gc)
    return docs


def _before(raced: list[int], stage: int) -> int | None:
    earlier = [s for s in raced if s < stage]
    return earlier[-1] if earlier else None


def _rider_documents(summary: Rows, results: Rows, last_gc: dict[int, Any]) -> list[Document]:
    riders: dict[int, Rows] = defaultdict(list)
    for r in results:
        riders[r["bib"]].append(r)
    wins: dict[int, list[int]] = defaultdict(list)
    for s in summary:
        if s["winner_bib"] is not None:
            wins[s["winner_bib"]].append(s["stage"])
    return [
        _rider_document(bib, rows, wins.get(bib, []), last_gc.get(bib))
        for bib, rows in sorted(riders.items())
    ]


def _team_documents(summary: Rows, results: Rows, last_gc: dict[int, Any]) -> list[Document]:
    teams: dict[str, set[str]] = defaultdict(set)
    for r in results:
        teams[r["team"]].add(r["rider_name"])
    docs = []
    for team, names in sorted(teams.items()):
        won = [s["stage"] for s in summary if s["winner_team"] == team]
        in_gc = [g for g in last_gc.values() if g["team"] == team]
        best = min(in_gc, key=lambda g: g["rank"], default=None)
        overall = (
            f"Best overall: {best['rider_name']}, {best['rank']} after stage {best['stage']}."
            if best
            else "None of its riders with telemetry is in the last general classification."
        )
        text = (
            f"{team}: riders with telemetry {', '.join(sorted(names))}. Stage wins: "
            f"{', '.join(map(str, won)) or 'none'}. {overall}"
        )
        docs.append(Document(f"team:{team}", "team", f"Team {team}", text))
    return docs


def _stage_document(s: dict[str, Any], results: Rows, climbs: Rows, changes: list[str]) -> Document:
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
    if changes:  # the stage named again: a long summary still matches its number
        lines.append(f"After stage {stage}: " + " ".join(changes))
    return Document(f"stage:{stage}", "stage", f"Stage {stage} summary", " ".join(lines))


def _rider_document(bib: int, rows: Rows, wins: list[int], gc: dict[str, Any] | None) -> Document:
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
