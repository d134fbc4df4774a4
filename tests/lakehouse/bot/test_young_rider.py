"""The best young rider (white jersey), offline, over the session's Trino: from the view of the
young riders, in English and French."""

import pytest

from lakehouse.bot.ask import ask
from lakehouse.bot.context import Context
from lakehouse.bot.tables import BOT_USER
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration


def _best_young(lake: Settings, stage: int) -> list[object]:
    return run_sql(
        lake,
        "SELECT rider_name, team, rank, gap_s FROM views.young_riders_classification "
        f"WHERE stage = {stage} AND young_rank = 1",
        BOT_USER,
    ).rows[0]


@pytest.mark.parametrize(
    "question",
    [
        "how far behind the yellow jersey is the best young rider?",
        "who wears the white jersey?",
        "à combien du maillot jaune est le meilleur jeune ?",
        "qui porte le maillot blanc ?",
    ],
)
def test_the_best_young_rider_and_the_gap_to_the_yellow_jersey(
    bot: Context, lake: Settings, question: str
) -> None:
    stage = bot.stages[-1]
    name, team, rank, gap = _best_young(lake, stage)
    answer = ask(bot, question, offline=True)
    assert answer.intent == "best_young_rider" and answer.known, answer.answer
    assert answer.rows == [[name, team, rank, gap]]
    assert answer.answer.startswith(f"{name} ({team}) is the best young rider after stage {stage}")
    assert "behind the yellow jersey" in answer.answer


def test_the_best_young_rider_after_a_given_stage(bot: Context, lake: Settings) -> None:
    stage = bot.stages[0]
    answer = ask(bot, f"who was the best young rider after stage {stage}?", offline=True)
    assert answer.intent == "best_young_rider"
    assert answer.rows == [_best_young(lake, stage)]
