"""Offline answers: the nearest intent by retrieval, its slots filled from the question, its SQL
template run through the guard, and its answer template; plainly "I don't know" otherwise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from lakehouse.bot.answer import TELEMETRY_NOTE, Answer, render
from lakehouse.bot.context import Context
from lakehouse.bot.entities import Match
from lakehouse.bot.intents import LATEST, Intent, intent_named, load_intents
from lakehouse.bot.numbers import count, stage_number
from lakehouse.bot.queries import Rows, run_guarded
from lakehouse.bot.search import Hit
from lakehouse.bot.text import tokens
from lakehouse.lake.tags import stage_tag

MODE = "offline"
LEAST_COSINE = 0.4
"""An intent whose nearest phrasing is less similar than this to the question is not taken
(unrelated questions score below 0.2 with the packaged model, the race's above 0.45)."""
DEFINITION_COSINE = 0.3
"""Least similarity of a glossary entry to a "what is ..." question (entries are long)."""
DEFINITION_WORDS = 4
"""A "what is ..." question defines a term when what follows is this short and names no stage."""
MISSING_SLOT = 0.6
"""Score factor of an intent that needs a rider, team or climb the question does not name."""
UNUSED_NAME = 0.6
"""Score factor of an intent that takes no rider, team, climb or count the question names."""
MAX_N = 50
NO_NAME = "that name"
NAMED = ("rider", "team", "climb")
DEFINITION = re.compile(
    r"^\s*(what\s+is|what's|what\s+are|what\s+does|define|meaning\s+of|qu'est[- ]ce\s+qu[e']|"
    r"c'est\s+quoi|que\s+veut\s+dire|que\s+signifie)",
    re.IGNORECASE,
)
NOT_NAMES = {
    "tour", "france", "gc", "vam", "stage", "yellow", "green", "who", "what", "which", "how",
    "where", "qui", "quel", "quelle", "quels", "combien", "le", "la", "les", "ignore",
}  # fmt: skip
CAPITALIZED = re.compile(
    r"\b[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+(?:van|de|der|den|du|le|la)?\s*[A-ZÀ-ÖØ-Þ][\w'’-]+)*"
)


@dataclass(frozen=True)
class Choice:
    intent: Intent
    hit: Hit
    score: float


class Unanswerable(Exception):
    """A question the offline mode understood but cannot answer as asked (the text says why)."""


def _dont_know(ctx: Context, question: str) -> Answer:
    names = ", ".join(i.description.rstrip(".").lower() for i in load_intents()[:6])
    return Answer(
        question,
        "I don't know: I did not recognise that question. I answer questions on the race's "
        f"results, classifications, climbs and riders, such as: {names}.",
        MODE,
        known=False,
    )


def found_names(ctx: Context, question: str) -> dict[str, Match | None]:
    """The rider, team and climb a question names, if any."""
    return {
        "rider": ctx.directory.best(question, "rider"),
        "team": ctx.directory.best(question, "team"),
        "climb": _climb(ctx, question),
    }


def ranked_intents(ctx: Context, question: str, found: dict[str, Match | None]) -> list[Hit]:
    """The nearest phrasing of each intent, nearest first (retrieval before slot fitting)."""
    best: dict[str, Hit] = {}
    for hit in ctx.index.search(mask_names(question, found), k=12, kinds=("example",)):
        best.setdefault(hit.document.intent, hit)
    return list(best.values())


def choose_intent(ctx: Context, question: str, found: dict[str, Match | None]) -> Choice | None:
    """The intent of the nearest phrasings, preferring one whose slots fit the names found.

    An intent that needs a name the question does not give is less likely, unless the question
    holds a name-like word the race does not know: then it is taken, and says so.
    """
    unknown_name = asked_name(question) != NO_NAME
    choices = []
    asks_count = count(question) is not None
    words = tokens(question)
    for hit in ranked_intents(ctx, question, found):
        intent = intent_named(hit.document.intent)
        if intent.cues and not any(w.startswith(intent.cues) for w in words):
            continue  # asked without the words that make it this intent
        score = hit.score
        if asks_count and "n" not in intent.slots:
            score *= UNUSED_NAME  # "top 10": a list
        for kind in NAMED:
            if kind in intent.slots and found[kind] is None and not unknown_name:
                score *= MISSING_SLOT
            if found[kind] is not None and kind not in intent.slots:
                score *= UNUSED_NAME
        choices.append(Choice(intent, hit, score))
    if not choices:
        return None
    top = max(choices, key=lambda c: c.score)
    return top if top.hit.cosine >= LEAST_COSINE else None  # its own phrasing near enough


def mask_names(question: str, found: dict[str, Match | None]) -> str:
    """The question, folded, its names replaced by their kind (`rider`, `team`, `climb`), as
    the examples are written: so that a name does not pull towards another phrasing. A name
    the race does not know is replaced by `rider`, so that the answer can say it is unknown."""
    text = " ".join(tokens(question))
    for kind, match in found.items():
        if match is not None and match.words:
            text = re.sub(rf"\b{re.escape(match.words)}\b", kind, text, count=1)
    unknown = asked_name(question)
    if all(m is None for m in found.values()) and unknown != NO_NAME:
        # a name the race does not know is most likely a rider's
        text = re.sub(rf"\b{re.escape(' '.join(tokens(unknown)))}\b", "rider", text, count=1)
    return text


def asked_name(question: str) -> str:
    """The words of a question that look like a name (capitalized, not a known word)."""
    first = question.strip().split(" ", 1)[0]
    for found in CAPITALIZED.finditer(question):
        words = [w for w in found.group(0).split() if w.lower() not in NOT_NAMES and w != first]
        if words:
            return " ".join(words)
    return NO_NAME


def _stage(ctx: Context, intent: Intent, question: str, climb: Match | None) -> int:
    stages = ctx.stages
    if not stages:
        raise Unanswerable("No stage has results yet: run the pipeline (`peloton run`).")
    asked = stage_number(question)
    if asked is None and climb is not None:
        return int(climb.entity.keys["stage"])
    if (asked is None and intent.stage_default == LATEST) or asked == 0:
        return stages[-1]
    if asked is None:
        raise Unanswerable(f"Which stage? Stages with results: {_span(stages)}.")
    if asked not in stages:
        raise Unanswerable(
            f"Stage {asked} has no results: it has not been raced yet or is not in the data. "
            f"Stages with results: {_span(stages)}."
        )
    return asked


def _span(stages: list[int]) -> str:
    return ", ".join(map(str, stages))


def _missing(ctx: Context, kind: str, question: str) -> Unanswerable:
    name = asked_name(question)
    near = ctx.directory.suggest(name, kind) if name != NO_NAME else []
    what = {"rider": "rider", "team": "team", "climb": "climb"}[kind]
    among = " among the riders with telemetry" if kind == "rider" else ""
    hint = f"; did you mean {' or '.join(near)}?" if near else "."
    return Unanswerable(f"No {what} named {name!r}{among}{hint}")


def _climb(ctx: Context, question: str) -> Match | None:
    found = ctx.directory.find(question, "climb")
    if not found:
        return None
    asked = stage_number(question)
    same_stage = [m for m in found if m.entity.keys["stage"] == asked]
    if same_stage:
        return same_stage[0]
    top = found[0].score
    return max((m for m in found if m.score == top), key=lambda m: m.entity.keys["stage"])


def fill_slots(
    ctx: Context, intent: Intent, question: str, found: dict[str, Match | None]
) -> dict[str, Any]:
    """The values of the intent's slots, from the question and the intent's defaults."""
    values: dict[str, Any] = {}
    for kind in NAMED:
        if kind in intent.slots:
            match = found[kind]
            if match is None:
                raise _missing(ctx, kind, question)
            values.update(match.entity.keys)
    if "stage" in intent.slots or "climb" in intent.slots:
        values["stage"] = _stage(ctx, intent, question, found["climb"])
    if "tag" in intent.slots:  # the marts as published after the stage
        values["tag"] = stage_tag(values["stage"])
    if "n" in intent.slots:
        values["n"] = max(1, min(MAX_N, count(question) or intent.n_default))
    return values


def _also(ctx: Context, found: dict[str, Match | None], intent: Intent) -> str:
    """A note when the rider named matches others as well (a surname two riders share)."""
    match = found["rider"]
    if match is None or "rider" not in intent.slots:
        return ""
    others = [
        m.entity.name
        for m in ctx.directory.find(match.words, "rider")
        if m.score == match.score and m.words == match.words and m.entity != match.entity
    ]
    if not others:
        return ""
    return f"\n('{match.words}' may also be {' or '.join(others)}: name them in full.)"


def literal(value: Any) -> str:
    """A value as a Trino SQL literal: numbers as they are, text quoted (quotes doubled)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return exp.Literal.string(str(value)).sql(dialect="trino")
    return str(value)


def answer_offline(ctx: Context, question: str) -> Answer:
    """The offline answer to `question` (never raises for a question it cannot answer)."""
    definition = DEFINITION.match(question)
    term = tokens(question[definition.end() :]) if definition else []
    if definition and len(term) <= DEFINITION_WORDS and stage_number(question) is None:
        hits = ctx.index.search(question, k=1, kinds=("glossary",))
        if hits and hits[0].cosine >= DEFINITION_COSINE:
            doc = hits[0].document
            return Answer(question, doc.text, MODE, sources=[doc.doc_id], intent="glossary")
    found = found_names(ctx, question)
    choice = choose_intent(ctx, question, found)
    if choice is None:
        return _dont_know(ctx, question)
    intent = choice.intent
    try:
        values = fill_slots(ctx, intent, question, found)
    except Unanswerable as exc:
        return Answer(question, str(exc), MODE, known=False, intent=intent.name)
    sql = intent.sql.format(**{k: literal(v) for k, v in values.items()})
    rows = run_guarded(ctx.settings, sql, ctx.allowed)
    sources = [choice.hit.document.doc_id, *(f"card:{t}" for t in rows.tables)]
    records = rows.records()
    if not records or (intent.answer and all(v is None for v in records[0].values())):
        text = f"No data answers that yet ({intent.description.rstrip('.').lower()})."
        return _from_rows(question, text, False, rows, sources, intent.name)
    if intent.row:
        lines = [render(intent.header, {**values, "n": len(records)})]
        lines += [render(intent.row, {**values, **r}) for r in records]
        text = "\n".join(lines)
    else:
        text = render(intent.answer, {**values, **records[0]})
    text += _also(ctx, found, intent)
    if not intent.official:
        text += f"\n{TELEMETRY_NOTE}"
    return _from_rows(question, text, True, rows, sources, intent.name)


def _from_rows(
    question: str, text: str, known: bool, rows: Rows, sources: list[str], intent: str
) -> Answer:
    return Answer(
        question,
        text,
        MODE,
        known,
        sql=[rows.sql],
        columns=rows.columns,
        rows=rows.rows,
        queries=[{"sql": rows.sql, "columns": rows.columns, "rows": rows.rows}],
        sources=sources,
        intent=intent,
    )
