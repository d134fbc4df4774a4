"""`peloton ask "who won stage 17?"`: the race bot's answer, with its SQL, rows and sources."""

from __future__ import annotations

import json

import typer

from lakehouse.cli.app import app, console, err_console


@app.command()
def ask(
    question: str = typer.Argument(..., help="A question about the race, in English or French."),
    offline: bool = typer.Option(
        False, "--offline", help="Answer offline (retrieval and templates) even with an endpoint."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print JSON: answer, sql, rows, sources, mode, time."
    ),
) -> None:
    """Answer a question about the race from the lakehouse (Trino must be running)."""
    from lakehouse.bot.ask import BadQuestion
    from lakehouse.bot.ask import ask as answer_question
    from lakehouse.bot.context import open_context
    from lakehouse.settings import get_settings

    if not question.strip():
        raise BadQuestion("the question is empty: ask about the race, e.g. 'who won stage 17?'")
    with err_console.status("opening the bot's index and the race's names"):
        ctx = open_context(get_settings())
    answer = answer_question(ctx, question, offline=offline)
    if json_output:
        print(json.dumps(answer.as_dict(), default=str, ensure_ascii=False))
    else:
        console.print(answer.answer, highlight=False, markup=False)
        if answer.fallback:
            err_console.print(f"(model failed, answered offline: {answer.fallback})", markup=False)
        for sql in answer.sql:
            console.print(f"SQL: {sql}", style="dim", highlight=False, markup=False)
        console.print(
            f"[{answer.mode}, {answer.time:.2f} s, sources: {', '.join(answer.sources) or '-'}]",
            style="dim",
            highlight=False,
            markup=False,
        )
    if not answer.known:
        raise typer.Exit(code=2)
