"""Model mode: the real `openai` client against the stand-in OpenAI-compatible server
(tests/openai_server.py) playing scripted tool calls, over the session's Trino."""

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from openai_server import KEY, SLOW_S, StandIn, openai_stand_in

from lakehouse.bot.answer import TELEMETRY_NOTE
from lakehouse.bot.ask import ask
from lakehouse.bot.context import Context
from lakehouse.bot.tables import BOT_USER
from lakehouse.settings import LLMSettings, Settings
from lakehouse.trino.client import run_sql

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    with openai_stand_in() as server:
        yield server


def _with_model(bot: Context, server: StandIn, model: str, **llm: object) -> Context:
    values = {"base_url": server.url, "api_key": KEY, "chat_model": model, **llm}
    settings = replace(bot.settings, llm=LLMSettings(**values))
    return Context(settings, bot.index, bot.directory, bot.allowed)


def _last_winner(lake: Settings) -> tuple[int, str]:
    stage, name = run_sql(
        lake,
        "SELECT stage, winner_name FROM marts.stage_summary ORDER BY stage DESC LIMIT 1",
        BOT_USER,
    ).rows[0]
    return stage, name


def test_the_model_answers_from_the_rows_it_queried(
    bot: Context, stand_in: StandIn, lake: Settings
) -> None:
    stage, winner = _last_winner(lake)
    answer = ask(_with_model(bot, stand_in, "honest"), "who won the last stage?")
    assert answer.mode == "model" and not answer.fallback
    bib = next(e.keys["bib"] for e in bot.directory.of_kind("rider") if e.name == winner)
    assert answer.answer.startswith(f"{winner} (bib {bib}) won stage {stage}.")
    assert TELEMETRY_NOTE in answer.answer
    assert answer.sql == [
        "SELECT stage, winner_name FROM marts.stage_summary ORDER BY stage LIMIT 200"
    ]
    assert answer.rows[-1] == [stage, winner]
    assert "card:marts.stage_summary" in answer.sources
    request = stand_in.chats("honest")[0]
    assert request["temperature"] == 0
    assert {t["function"]["name"] for t in request["tools"]} == {
        "search_docs",
        "find_entity",
        "run_sql",
    }
    assert "marts.stage_summary" in request["messages"][0]["content"]
    last = stand_in.chats("honest")[-1]["messages"]
    calls = [c["function"]["name"] for m in last for c in m.get("tool_calls", [])]
    assert calls == ["search_docs", "run_sql", "find_entity"]
    found = json.loads([m for m in last if m["role"] == "tool"][-1]["content"])
    assert (winner, bib) in [(m["name"], m["keys"]["bib"]) for m in found["matches"]]


def test_bad_tool_arguments_go_back_to_the_model_as_errors(
    bot: Context, stand_in: StandIn, lake: Settings
) -> None:
    stage, winner = _last_winner(lake)
    answer = ask(_with_model(bot, stand_in, "bad-arguments"), "who won the last stage?")
    assert answer.mode == "model" and not answer.fallback, answer.fallback
    assert answer.answer.startswith(f"{winner} won stage {stage}.")
    assert len(answer.queries) == 1 and answer.queries[0]["rows"][-1] == [stage, winner]
    replies = [
        json.loads(m["content"])
        for m in stand_in.chats("bad-arguments")[-1]["messages"]
        if m["role"] == "tool"
    ][:9]
    errors = [r.get("error", "") for r in replies]
    assert "'k' must be an integer" in errors[0]
    assert replies[1]["documents"]  # k null: the default
    assert "'query' must be a non-empty string" in errors[2]
    assert "'kind' must be a non-empty string" in errors[3]
    assert "'name' must be a non-empty string" in errors[4]
    assert "'sql' must be a non-empty string" in errors[5]
    assert "not valid JSON" in errors[6] and "a JSON object" in errors[7]
    assert "no tool 'drop_everything'" in errors[8]


def test_the_rows_of_every_query_the_model_ran_come_with_their_sql(
    bot: Context, stand_in: StandIn
) -> None:
    answer = ask(_with_model(bot, stand_in, "two-queries"), "who won, and how many stages?")
    assert answer.mode == "model" and [q["sql"] for q in answer.queries] == answer.sql
    assert [q["columns"] for q in answer.queries] == [["stage", "winner_name"], ["n"]]
    assert sorted(r[0] for r in answer.queries[0]["rows"]) == bot.stages
    assert answer.queries[1]["rows"] == [[len(bot.stages)]]


def test_a_made_up_column_goes_back_to_the_model_once(
    bot: Context, stand_in: StandIn, lake: Settings
) -> None:
    stage, winner = _last_winner(lake)
    answer = ask(_with_model(bot, stand_in, "invents-a-column"), "who won the last stage?")
    assert answer.mode == "model" and answer.answer.startswith(f"{winner} won stage {stage}.")
    assert len(answer.sql) == 1  # the refused query never ran


def test_a_model_that_keeps_inventing_columns_is_dropped_for_offline(
    bot: Context, stand_in: StandIn
) -> None:
    stage = bot.stages[0]
    answer = ask(_with_model(bot, stand_in, "invents-columns"), f"who won stage {stage}?")
    assert answer.mode == "offline" and answer.intent == "stage_winner" and answer.known
    assert "does not exist twice" in answer.fallback
    assert len(stand_in.chats("invents-columns")) == 2


def test_a_model_that_tries_to_write_is_refused_and_nothing_changes(
    bot: Context, stand_in: StandIn, lake: Settings
) -> None:
    before = run_sql(lake, "SELECT count(*) FROM marts.stage_results", BOT_USER).rows
    answer = ask(_with_model(bot, stand_in, "tries-to-write"), "drop the results table")
    assert answer.mode == "model" and answer.sql == []
    assert answer.answer.startswith("I cannot change the data")
    tool_replies = [
        m["content"]
        for m in stand_in.chats("tries-to-write")[-1]["messages"]
        if m["role"] == "tool"
    ]
    assert len(tool_replies) == 2 and all("refused" in r for r in tool_replies)
    assert run_sql(lake, "SELECT count(*) FROM marts.stage_results", BOT_USER).rows == before


def test_a_model_that_never_stops_is_stopped_after_the_rounds(
    bot: Context, stand_in: StandIn
) -> None:
    stage = bot.stages[0]
    answer = ask(_with_model(bot, stand_in, "never-stops", max_rounds=3), f"who won stage {stage}?")
    assert answer.mode == "offline" and answer.known
    assert "within 3 rounds" in answer.fallback
    assert len(stand_in.chats("never-stops")) == 3


@pytest.mark.parametrize(
    ("model", "why"),
    [("garbage", "ModelFailure|garbage|APIResponseValidationError|failed"), ("slow", "Timeout")],
)
def test_garbage_or_a_timeout_falls_back_to_offline(
    bot: Context, stand_in: StandIn, model: str, why: str
) -> None:
    import re

    stage = bot.stages[0]
    ctx = _with_model(bot, stand_in, model, timeout_s=SLOW_S / 5)
    answer = ask(ctx, f"who won stage {stage}?")
    assert answer.mode == "offline" and answer.known and answer.intent == "stage_winner"
    assert re.search(why, answer.fallback), answer.fallback
    assert KEY not in answer.fallback


def test_a_wrong_key_falls_back_without_printing_it(bot: Context, stand_in: StandIn) -> None:
    ctx = _with_model(bot, stand_in, "honest", api_key="sk-wrong-key")
    answer = ask(ctx, f"who won stage {bot.stages[0]}?")
    assert answer.mode == "offline" and "401" in answer.fallback
    assert "sk-wrong-key" not in answer.fallback
