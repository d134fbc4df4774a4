"""Answering a question: model mode when an endpoint is configured, offline otherwise, and
offline as the fallback when the model fails."""

from __future__ import annotations

import time

from lakehouse.bot.answer import Answer
from lakehouse.bot.context import Context
from lakehouse.bot.model import ModelFailure, answer_with_model
from lakehouse.bot.offline import answer_offline
from lakehouse.errors import PelotonError

EXAMPLE = "who won stage 17?"
MAX_QUESTION = 1000


class BadQuestion(PelotonError):
    """A question the bot cannot take (empty, too long)."""


def ask(ctx: Context, question: str, offline: bool = False) -> Answer:
    """The answer to `question`, timed."""
    question = question.strip()
    if not question:
        raise BadQuestion(f"the question is empty: ask about the race, e.g. {EXAMPLE!r}")
    if len(question) > MAX_QUESTION:
        raise BadQuestion(f"the question is {len(question)} characters; at most {MAX_QUESTION}")
    start = time.perf_counter()
    if offline or ctx.settings.llm.base_url is None:
        answer = answer_offline(ctx, question)
    else:
        try:
            answer = answer_with_model(ctx, question)
        except ModelFailure as exc:
            answer = answer_offline(ctx, question)
            answer.fallback = str(exc)
    answer.time = round(time.perf_counter() - start, 4)
    return answer
