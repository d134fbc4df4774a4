"""Offline answers over the real Trino and the tiny race, checked against the marts."""

from dataclasses import replace

import pytest
from attacks import INJECTED_QUESTION, PLANTED_NAME

from lakehouse.bot.answer import TELEMETRY_NOTE
from lakehouse.bot.ask import BadQuestion, ask
from lakehouse.bot.context import Context
from lakehouse.bot.entities import Directory, Entity, aliases_of
from lakehouse.bot.tables import BOT_USER
from lakehouse.errors import PelotonError
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration


def _one(lake: Settings, sql: str) -> list[object]:
    return run_sql(lake, sql, BOT_USER).rows[0]


def test_who_won_a_stage_in_english_and_french(bot: Context, lake: Settings) -> None:
    stage = bot.stages[-1]
    (winner,) = _one(lake, f"SELECT winner_name FROM marts.stage_summary WHERE stage = {stage}")
    for question in (f"who won stage {stage}?", f"qui a gagné la {stage}e étape ?"):
        answer = ask(bot, question)
        assert answer.known and answer.intent == "stage_winner" and answer.mode == "offline"
        assert str(winner) in answer.answer and TELEMETRY_NOTE in answer.answer
        assert answer.sql and answer.sql[0].startswith("SELECT") and answer.rows[0][0] == winner
        assert "card:marts.stage_summary" in answer.sources


def test_the_gc_after_a_stage_lists_the_leaders_in_order(bot: Context, lake: Settings) -> None:
    stage = bot.stages[0]
    leaders = run_sql(
        lake,
        "SELECT rider_name FROM marts.general_classification "
        f"WHERE stage = {stage} ORDER BY rank LIMIT 5",
        BOT_USER,
    ).rows
    answer = ask(bot, f"top 5 overall after stage {stage}")
    assert answer.intent == "gc_top"
    lines = answer.answer.splitlines()
    assert [line.split(". ", 1)[1].split(" (")[0] for line in lines[1:6]] == [
        name for (name,) in leaders
    ]


def test_the_gc_as_published_is_taken_only_when_asked_in_those_words(bot: Context) -> None:
    """Time travel is read from a stage's tag only when the question asks for what was
    published; the standings after a stage, asked plainly, are today's marts."""
    stage = bot.stages[-1]
    for question in (
        f"Show the overall standings after stage {stage}",
        f"Quel est le classement général après l'étape {stage} ?",
    ):
        assert ask(bot, question).intent == "gc_top", question
    for question in (
        f"the GC as published after stage {stage}",
        f"le classement général publié après l'étape {stage}",
    ):
        assert ask(bot, question).intent == "gc_as_published", question


def test_a_rider_by_a_fuzzy_name_without_accents_or_with_a_typo(
    bot: Context, lake: Settings
) -> None:
    stage = bot.stages[-1]
    (name,) = _one(
        lake,
        f"SELECT rider_name FROM marts.general_classification WHERE stage = {stage} AND rank = 3",
    )
    surname = str(name).split()[-1]
    typo = surname[:-1] + surname[-1] * 2  # one letter doubled
    for question in (
        f"how far behind the yellow jersey is {surname.upper()}?",
        f"à combien du maillot jaune est {typo}",
    ):
        answer = ask(bot, question)
        assert answer.intent == "rider_gc" and answer.known, answer.answer
        assert f"{name} is 3rd" in answer.answer


def test_the_fastest_up_a_climb(bot: Context, lake: Settings) -> None:
    stage, number, climb, rider = _one(
        lake,
        "SELECT stage, climb_number, climb_name, rider_name FROM marts.climb_efforts "
        "WHERE rank = 1 ORDER BY stage DESC, climb_number DESC LIMIT 1",
    )
    answer = ask(bot, f"who was fastest up the {str(climb).lower()}?")
    assert answer.intent == "fastest_climb"
    assert f"{rider}" in answer.answer and f"stage {stage}" in answer.answer
    assert f"climb_number = {number}" in answer.sql[0]


def test_which_team_has_the_most_stage_wins(bot: Context, lake: Settings) -> None:
    team, wins = _one(
        lake,
        "SELECT winner_team, count(*) AS wins FROM marts.stage_summary "
        "GROUP BY winner_team ORDER BY wins DESC, winner_team LIMIT 1",
    )
    answer = ask(bot, "which team has the most stage wins?")
    assert answer.answer.splitlines()[1] == f"{team}: {wins}"


def test_an_unknown_rider_is_named_and_nothing_is_made_up(bot: Context) -> None:
    answer = ask(bot, "how far behind the yellow jersey is Merckx?")
    assert not answer.known and answer.sql == []
    assert "No rider named 'Merckx' among the riders with telemetry" in answer.answer


def test_a_near_name_is_suggested(bot: Context) -> None:
    rider = bot.directory.of_kind("rider")[0].name
    first, last = rider.split()[0], rider.split()[-1]
    answer = ask(bot, f"where is {first} {last}mann overall?")
    assert not answer.known and f"did you mean {rider}" in answer.answer, answer.answer


def test_a_stage_not_raced_yet(bot: Context) -> None:
    missing = next(n for n in range(1, 30) if n not in bot.stages)
    answer = ask(bot, f"who won stage {missing}?")
    assert not answer.known and answer.sql == []
    assert f"Stage {missing} has no results" in answer.answer
    assert ", ".join(map(str, bot.stages)) in answer.answer


def test_it_says_plainly_when_it_does_not_know(bot: Context) -> None:
    answer = ask(bot, "what will the weather be in Paris tomorrow?")
    assert not answer.known and answer.answer.startswith("I don't know") and answer.sql == []


def test_a_term_is_explained_from_the_glossary(bot: Context) -> None:
    answer = ask(bot, "qu'est-ce que la lanterne rouge ?")
    assert answer.intent == "glossary" and "last rider" in answer.answer
    assert answer.sources == ["glossary:lanterne-rouge"]


def test_instructions_in_the_question_are_not_obeyed(bot: Context, lake: Settings) -> None:
    before = _one(lake, "SELECT count(*) FROM marts.stage_results")
    stage = bot.stages[0]
    answer = ask(bot, INJECTED_QUESTION.replace("stage 1?", f"stage {stage}?"))
    assert answer.intent == "stage_winner" and answer.known
    assert all(sql.startswith("SELECT") for sql in answer.sql)
    assert _one(lake, "SELECT count(*) FROM marts.stage_results") == before


def test_a_name_planted_in_the_data_reaches_sql_as_a_value(bot: Context) -> None:
    planted = Entity(
        "team", PLANTED_NAME, {"team": PLANTED_NAME, "team_name": PLANTED_NAME},
        aliases_of("team", PLANTED_NAME),
    )  # fmt: skip
    ctx = Context(
        bot.settings, bot.index, Directory([*bot.directory.entities, planted]), bot.allowed
    )
    answer = ask(ctx, "who is the best placed rider of Robert drop table marts stage results?")
    assert answer.intent == "team_best_gc"
    assert "team = 'Robert''); DROP TABLE marts.stage_results; --'" in answer.sql[0]
    assert not answer.known and answer.rows == []


def test_an_empty_question_is_refused(bot: Context) -> None:
    with pytest.raises(BadQuestion, match="empty"):
        ask(bot, "   ")


def test_trino_down_says_how_to_start_it(bot: Context) -> None:
    down = replace(bot.settings, trino=replace(bot.settings.trino, port=9))
    ctx = Context(down, bot.index, bot.directory, bot.allowed)
    with pytest.raises(PelotonError, match="peloton trino start"):
        ask(ctx, f"who won stage {bot.stages[0]}?")


def test_a_surname_two_riders_share_is_answered_with_a_note(bot: Context) -> None:
    by_surname: dict[str, list[str]] = {}
    for rider in bot.directory.of_kind("rider"):
        by_surname.setdefault(rider.name.split()[-1], []).append(rider.name)
    surname, names = next((s, n) for s, n in sorted(by_surname.items()) if len(n) > 1)
    answer = ask(bot, f"where is {surname} overall?")
    assert answer.intent == "rider_gc" and answer.known
    taken = next(n for n in names if answer.answer.startswith(n))
    others = [n for n in names if n != taken]
    assert f"may also be {' or '.join(others)}" in answer.answer
    full = ask(bot, f"where is {taken} overall?")
    assert "may also be" not in full.answer
