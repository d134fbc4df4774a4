"""A model's tool arguments, checked without a server: every bad one is a message, never a
crash."""

import pytest

from lakehouse.bot.tool_args import DEFAULT_K, BadArguments, parse_arguments


@pytest.mark.parametrize(
    ("tool", "raw", "expected"),
    [
        ("search_docs", '{"query": "gc", "k": 3}', {"query": "gc", "k": 3}),
        ("search_docs", '{"query": "gc", "k": null}', {"query": "gc", "k": DEFAULT_K}),
        ("search_docs", '{"query": "gc", "k": 50}', {"query": "gc", "k": 8}),
        ("search_docs", '{"query": "gc", "k": 2.0}', {"query": "gc", "k": 2}),
        ("find_entity", '{"kind": "rider", "name": "pogi"}', {"kind": "rider", "name": "pogi"}),
        ("run_sql", '{"sql": "SELECT 1"}', {"sql": "SELECT 1"}),
    ],
)
def test_arguments_that_fit(tool: str, raw: str, expected: dict[str, object]) -> None:
    assert parse_arguments(tool, raw) == expected


@pytest.mark.parametrize(
    ("tool", "raw", "message"),
    [
        ("search_docs", '{"query": "gc", "k": "many"}', "'k' must be an integer"),
        ("search_docs", '{"query": "gc", "k": 2.5}', "'k' must be an integer"),
        ("search_docs", '{"query": "gc", "k": Infinity}', "'k' must be an integer"),
        ("search_docs", '{"query": "gc", "k": NaN}', "'k' must be an integer"),
        ("search_docs", '{"query": "gc", "k": true}', "'k' must be an integer"),
        ("search_docs", '{"k": 3}', "'query' must be a non-empty string"),
        ("find_entity", '{"kind": "horse", "name": "x"}', "'kind' must be one of"),
        ("find_entity", '{"kind": "rider", "name": {"a": 1}}', "'name' must be"),
        ("run_sql", '{"sql": ["SELECT 1"]}', "'sql' must be a non-empty string"),
        ("run_sql", '{"sql": "SELECT', "not valid JSON"),
        ("run_sql", "[1, 2]", "a JSON object"),
        ("run_sql", "[" * 100_000, "not valid JSON"),
        ("drop", "{}", "no tool 'drop'"),
    ],
)
def test_arguments_that_do_not_fit_are_a_message(tool: str, raw: str, message: str) -> None:
    with pytest.raises(BadArguments, match=message):
        parse_arguments(tool, raw)
