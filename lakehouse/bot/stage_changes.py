"""What changed in the classifications after a stage: who took each jersey from whom, and the
biggest moves in the general classification (for the stage summaries of the index)."""

from __future__ import annotations

from typing import Any

Rows = list[dict[str, Any]]
JERSEYS = ("yellow", "green", "polka-dot")
MOVES = 3
"""How many of the biggest gains and losses in the general classification a summary names."""


def jersey_change(jersey: str, now: dict[str, Any] | None, before: dict[str, Any] | None) -> str:
    """One sentence on a jersey after a stage, from its holders after this stage and before."""
    if now is None:
        return ""
    if before is None:
        return f"{now['rider_name']} took the first {jersey} jersey."
    if before["bib"] == now["bib"]:
        return f"{now['rider_name']} kept the {jersey} jersey."
    return f"{now['rider_name']} took the {jersey} jersey from {before['rider_name']}."


def gc_moves(now: Rows, before: Rows) -> str:
    """The biggest gains and losses of places in the general classification, or ''."""
    earlier = {r["bib"]: r["rank"] for r in before}
    moves = [(earlier[r["bib"]] - r["rank"], r) for r in now if r["bib"] in earlier]
    ups = sorted((m for m in moves if m[0] > 0), key=lambda m: (-m[0], m[1]["rank"]))[:MOVES]
    downs = sorted((m for m in moves if m[0] < 0), key=lambda m: (m[0], m[1]["rank"]))[:MOVES]
    parts = [
        f"{r['rider_name']} {'up' if d > 0 else 'down'} {abs(d)} "
        f"({earlier[r['bib']]} to {r['rank']})"
        for d, r in ups + downs
    ]
    return f"Biggest moves in the general classification: {', '.join(parts)}." if parts else ""


def classification_changes(
    stage: int,
    previous: int | None,
    leaders: dict[str, dict[int, dict[str, Any]]],
    gc_by_stage: dict[int, Rows],
) -> list[str]:
    """The sentences on what changed in the classifications after `stage` (since `previous`,
    the stage raced before it, None for the first)."""
    lines = []
    for jersey in JERSEYS:
        by_stage = leaders.get(jersey, {})
        before = by_stage.get(previous) if previous is not None else None
        lines.append(jersey_change(jersey, by_stage.get(stage), before))
    if previous is not None:
        lines.append(gc_moves(gc_by_stage.get(stage, []), gc_by_stage.get(previous, [])))
    return [line for line in lines if line]
