"""The documents made from the marts' rows, without a server: what changed after each stage, and
a team none of whose riders is in the last general classification."""

from datetime import date
from typing import Any

from lakehouse.bot.race_documents import documents_from_rows

RIDERS = {1: ("Ann Alpha", "Red"), 2: ("Bea Beta", "Red"), 3: ("Cid Gamma", "Blue"),
          4: ("Dan Delta", "Gone")}  # fmt: skip


def _stage(stage: int, winner: int) -> dict[str, Any]:
    name, team = RIDERS[winner]
    return {"stage": stage, "stage_date": date(2023, 7, stage), "winner_bib": winner,
            "winner_name": name, "winner_team": team, "winner_time_s": 15000.0, "starters": 4,
            "finishers": 3, "abandoned": 1, "outside_time_limit": 0}  # fmt: skip


def _row(stage: int, bib: int, rank: int | None) -> dict[str, Any]:
    name, team = RIDERS[bib]
    return {"stage": stage, "bib": bib, "rider_name": name, "team": team, "rank": rank,
            "gap_s": 0 if rank == 1 else 10}  # fmt: skip


def _documents() -> dict[str, str]:
    summary = [_stage(2, 3), _stage(1, 1)]
    # Gone's only rider abandoned on stage 1: in no general classification
    results = [_row(1, 1, 1), _row(1, 2, 2), _row(1, 3, 3), _row(1, 4, None)]
    results += [_row(2, 3, 1), _row(2, 2, 2), _row(2, 1, 3)]
    gc = [_row(1, 1, 1), _row(1, 2, 2), _row(1, 3, 3)]
    gc += [_row(2, 3, 1), _row(2, 1, 2), _row(2, 2, 3)]
    leaders = {
        "green": {1: _row(1, 2, 1), 2: _row(2, 2, 1)},
        "polka-dot": {2: _row(2, 1, 1)},
    }
    docs = documents_from_rows(summary, results, gc, [], leaders)
    return {d.doc_id: d.text for d in docs}


def test_a_stage_summary_says_who_took_each_jersey_from_whom_and_the_gc_moves() -> None:
    docs = _documents()
    first, second = docs["stage:1"], docs["stage:2"]
    assert "Ann Alpha took the first yellow jersey." in first
    assert "Bea Beta took the first green jersey." in first
    assert "polka-dot" not in first and "Biggest moves" not in first
    assert "Cid Gamma took the yellow jersey from Ann Alpha." in second
    assert "Bea Beta kept the green jersey." in second
    assert "Ann Alpha took the first polka-dot jersey." in second
    assert (
        "Biggest moves in the general classification: Cid Gamma up 2 (3 to 1), "
        "Ann Alpha down 1 (1 to 2), Bea Beta down 1 (2 to 3)." in second
    )


def test_a_team_with_no_rider_in_the_last_classification_gets_its_profile() -> None:
    docs = _documents()
    assert (
        "None of its riders with telemetry is in the last general classification"
        in (docs["team:Gone"])
    )
    assert "Best overall: Cid Gamma, 1 after stage 2." in docs["team:Blue"]
