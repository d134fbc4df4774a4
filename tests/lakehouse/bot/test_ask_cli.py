"""`peloton ask` as a user runs it, in a child process over the session's Trino."""

import json

import pytest
from bot_helpers import settings_env
from cli_helpers import peloton

from lakehouse.settings import Settings

pytestmark = pytest.mark.integration


def test_ask_prints_the_answer_with_its_sql_and_json(lake: Settings) -> None:
    env = settings_env(lake)
    done = peloton("ask", "qui porte le maillot jaune ?", "--json", env=env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) >= {"answer", "sql", "rows", "sources", "mode", "time", "queries"}
    assert answer["mode"] == "offline" and answer["intent"] == "gc_leader"
    assert answer["rows"][0][0] in answer["answer"]
    assert "text" not in answer and "seconds" not in answer
    assert answer["queries"] == [
        {"sql": answer["sql"][0], "columns": answer["columns"], "rows": answer["rows"]}
    ]
    assert answer["sql"][0].startswith("SELECT rider_name, team, total_time_s")

    text = peloton("ask", "what will the weather be tomorrow?", env=env)
    assert text.returncode == 2 and text.stdout.startswith("I don't know")
    assert "Traceback" not in text.stderr


def test_ask_refuses_an_empty_question_and_names_trino_when_it_is_down(lake: Settings) -> None:
    env = settings_env(lake)
    empty = peloton("ask", " ", env=env)
    assert empty.returncode == 1 and "the question is empty" in empty.stderr
    down = peloton("ask", "who won stage 1?", env={**env, "PELOTON_TRINO__PORT": "9"})
    assert down.returncode == 1 and "peloton trino start" in down.stderr
    assert "Traceback" not in down.stderr


def test_the_help_of_ask_and_bot_serve() -> None:
    ask = peloton("ask", "--help", env={})
    assert ask.returncode == 0 and "--offline" in ask.stdout and "--json" in ask.stdout
    serve = peloton("bot", "serve", "--help", env={})
    assert serve.returncode == 0 and "--port" in serve.stdout and "loopback" in serve.stdout
