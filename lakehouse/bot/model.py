"""Model mode: an OpenAI-compatible chat model with tools (search_docs, find_entity, run_sql),
temperature 0 and a few rounds at most; every query goes through the guard as `bot`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lakehouse.assets import part_dir
from lakehouse.bot.answer import TELEMETRY_NOTE, Answer
from lakehouse.bot.context import Context
from lakehouse.bot.entities import KINDS, MATCH
from lakehouse.bot.guard import RefusedQuery, UnknownColumn
from lakehouse.bot.numbers import stage_number
from lakehouse.bot.queries import Rows, run_guarded
from lakehouse.bot.tool_args import BadArguments, parse_arguments
from lakehouse.errors import PelotonError

MODE = "model"
ROWS_TO_MODEL = 50
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "search_docs",
            "description": "Search table cards, the glossary, example questions and summaries "
            "of stages, riders and teams.",
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "what to look for"},
                    "k": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 8,
                        "description": "how many documents (1-8, default 4)",
                    },
                },
                "required": ["query"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "find_entity",
            "description": "Find riders, teams, stages or climbs by approximate name; returns "
            "their keys for SQL.",
            "parameters": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "name": {"type": "string"},
                },
                "required": ["kind", "name"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "run_sql",
            "description": "Run one read-only Trino SELECT over the marts and views. A mart "
            "as it was published after stage N: `FROM marts.<table> FOR VERSION AS OF "
            "'stage-NN'` (two digits, e.g. 'stage-07'; an earlier publication of a stage "
            "published again: 'stage-NN-v1', ...); no other time travel.",
            "parameters": {
                "type": "object",
                "properties": {"sql": {"type": "string"}},
                "required": ["sql"],
            },
        },
    },
]


class ModelFailure(PelotonError):
    """The model could not give an answer (timeout, garbage, too many rounds, ...)."""


@dataclass
class Session:
    """One question's tool calls: the queries that ran and what the guard refused."""

    ctx: Context
    ran: list[Rows] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    unknown_columns: int = 0

    def call(self, name: object, arguments: object) -> dict[str, Any]:
        """A tool's result, or an error for the model when the call does not fit the tool."""
        try:
            args = parse_arguments(str(name), arguments)
        except BadArguments as exc:
            return {"error": str(exc)}
        if name == "search_docs":
            return self.search_docs(args["query"], args["k"])
        if name == "find_entity":
            return self.find_entity(args["kind"], args["name"])
        return self.run_sql(args["sql"])

    def search_docs(self, query: str, k: int) -> dict[str, Any]:
        hits = self.ctx.index.search(query, k)
        self.sources += [h.document.doc_id for h in hits]
        return {
            "documents": [
                {"id": h.document.doc_id, "title": h.document.title, "text": h.document.text}
                for h in hits
            ]
        }

    def find_entity(self, kind: str, name: str) -> dict[str, Any]:
        if kind == "stage":
            number = stage_number(name) or (int(name) if name.strip().isdigit() else None)
            name = f"stage {number}" if number else name
        found = self.ctx.directory.find(name, kind, least=MATCH - 20)
        if not found:
            return {"matches": [], "did_you_mean": self.ctx.directory.suggest(name, kind)}
        return {
            "matches": [
                {"name": m.entity.name, "keys": m.entity.keys, "score": round(m.score)}
                for m in found[:5]
            ]
        }

    def run_sql(self, sql: str) -> dict[str, Any]:
        try:
            rows = run_guarded(self.ctx.settings, sql, self.ctx.allowed)
        except UnknownColumn as exc:
            self.unknown_columns += 1
            if self.unknown_columns > 1:
                raise ModelFailure(
                    f"the model named a column that does not exist twice: {exc}"
                ) from None
            return {"error": str(exc)}
        except RefusedQuery as exc:
            self.refused.append(f"{sql!r}: {exc}")
            return {"error": f"refused: {exc}"}
        except PelotonError as exc:
            return {"error": str(exc)}
        self.ran.append(rows)
        return {"sql": rows.sql, "columns": rows.columns, "rows": rows.rows[:ROWS_TO_MODEL]}


def system_prompt(ctx: Context) -> str:
    text = (part_dir("llm") / "prompts" / "system.md").read_text(encoding="utf-8")
    return text.replace("{tables}", ", ".join(sorted(ctx.allowed)))


def answer_with_model(ctx: Context, question: str) -> Answer:
    """The model's answer; ModelFailure when it times out, answers garbage, never stops, or
    anything unexpected happens on the way (the offline mode then answers)."""
    try:
        return _converse(ctx, question)
    except ModelFailure:
        raise
    except Exception as exc:  # the model's output is untrusted: no crash reaches the user
        raise ModelFailure(f"the model mode failed: {type(exc).__name__}: {exc}") from None


def _converse(ctx: Context, question: str) -> Answer:
    from openai import OpenAI, OpenAIError

    llm = ctx.settings.llm
    key = llm.api_key.get_secret_value() if llm.api_key else "none"
    client = OpenAI(base_url=llm.base_url, api_key=key, timeout=llm.timeout_s, max_retries=0)
    session = Session(ctx)
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(ctx)},
        {"role": "user", "content": question},
    ]
    for _ in range(llm.max_rounds):
        try:
            reply = client.chat.completions.create(
                model=llm.chat_model,
                messages=messages,  # type: ignore[arg-type]
                tools=TOOLS,  # type: ignore[arg-type]
                temperature=0,
            )
            message = reply.choices[0].message
        except OpenAIError as exc:
            raise ModelFailure(f"the model endpoint failed: {type(exc).__name__}: {exc}") from None
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise ModelFailure(f"the model endpoint answered garbage: {exc}") from None
        calls = message.tool_calls or []
        if not calls:
            if not message.content or not message.content.strip():
                raise ModelFailure("the model answered nothing")
            return _answer(question, message.content.strip(), session)
        messages.append(message.model_dump(exclude_none=True))
        for call in calls:
            function = getattr(call, "function", None)
            if function is None:
                raise ModelFailure(f"the model made a call that is not a function: {call!r}")
            result = session.call(function.name, function.arguments)
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": json.dumps(result, default=str),
                }
            )
    raise ModelFailure(f"the model did not answer within {llm.max_rounds} rounds")


def _answer(question: str, text: str, session: Session) -> Answer:
    last = session.ran[-1] if session.ran else None
    tables = {t for rows in session.ran for t in rows.tables}
    if any(t.startswith("marts.") for t in tables) and TELEMETRY_NOTE not in text:
        text += f"\n{TELEMETRY_NOTE}"
    return Answer(
        question,
        text,
        MODE,
        sql=[rows.sql for rows in session.ran],
        columns=last.columns if last else [],
        rows=last.rows if last else [],
        queries=[{"sql": r.sql, "columns": r.columns, "rows": r.rows} for r in session.ran],
        sources=list(dict.fromkeys(session.sources + [f"card:{t}" for t in sorted(tables)])),
    )
