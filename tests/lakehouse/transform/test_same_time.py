"""The same-time rule's groups, and how the truth comparison judges them."""

from lakehouse.transform.results import same_time_heads
from lakehouse.transform.truth import same_time_decisions


def test_same_time_heads_chain_through_a_bunch_and_break_on_a_gap() -> None:
    timed = [(100.0, 1), (100.6, 2), (101.4, 3), (102.4, 4), (102.9, 5)]
    assert same_time_heads(timed, time_trial=False) == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4}
    assert same_time_heads(timed, time_trial=True) == {b: b for _, b in timed}


def test_same_time_decisions_accept_either_way_only_near_the_threshold() -> None:
    true_times = {1: 100.0, 2: 100.95, 3: 102.5, 4: 103.2}  # gaps 0.95, 1.55, 0.70
    truth = {
        (1, bib): {"finished_at": "x", "status": "finished", "finish_time_s": str(s)}
        for bib, s in true_times.items()
    }

    def ours(**shift: float) -> list[dict[str, object]]:
        return [
            {"stage": 1, "bib": b, "finish_time_s": s + shift.get(f"b{b}", 0.0)}
            for b, s in true_times.items()
        ]

    assert same_time_decisions(set(), truth, ours()) == ([], 0, 3)
    # bib 2 measured 0.1 s late: 1.05 s behind, a decision within 0.15 s of the threshold
    assert same_time_decisions(set(), truth, ours(b2=0.1)) == ([], 1, 3)
    # bib 4 measured 0.4 s late: 1.1 s behind where truth has 0.7 s: a wrong decision
    wrong, close, _ = same_time_decisions(set(), truth, ours(b4=0.4))
    assert [w["bib"] for w in wrong] == [4] and close == 0
    assert same_time_decisions({1}, truth, ours(b4=0.4)) == ([], 0, 0)  # a time trial
