"""The offline intents of `llm/intents.toml`: slots, SQL and answer templates, phrasings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lakehouse.assets import part_dir
from lakehouse.errors import ConfigurationError

SLOTS = ("stage", "rider", "team", "climb", "n", "tag")
LATEST = "latest"


@dataclass(frozen=True)
class Intent:
    name: str
    description: str
    slots: tuple[str, ...]
    sql: str
    examples: tuple[str, ...]
    answer: str = ""
    header: str = ""
    row: str = ""
    official: bool = True
    """False: the answer is a result among the riders with telemetry, and says so."""
    stage_default: str | None = None
    n_default: int = 3
    cues: tuple[str, ...] = ()
    """Word starts (folded) of which a question must hold one for this intent to be taken:
    an intent that answers differently from a nearer one only when asked in those words
    (time travel: "as published")."""


def _intent(raw: dict[str, Any]) -> Intent:
    unknown = set(raw.get("slots", [])) - set(SLOTS)
    if unknown:
        raise ConfigurationError(f"intent {raw.get('name')!r}: unknown slots {sorted(unknown)}")
    if not raw.get("answer") and not raw.get("row"):
        raise ConfigurationError(f"intent {raw.get('name')!r}: needs `answer` or `row`")
    return Intent(
        name=raw["name"],
        description=raw["description"],
        slots=tuple(raw.get("slots", [])),
        sql=raw["sql"].strip(),
        examples=tuple(raw["examples"]),
        answer=raw.get("answer", ""),
        header=raw.get("header", ""),
        row=raw.get("row", ""),
        official=raw.get("official", True),
        stage_default=raw.get("stage"),
        n_default=int(raw.get("n", 3)),
        cues=tuple(raw.get("cues", [])),
    )


@lru_cache(maxsize=1)
def load_intents() -> tuple[Intent, ...]:
    """The intents of `llm/intents.toml`, checked."""
    with (part_dir("llm") / "intents.toml").open("rb") as f:
        return tuple(_intent(raw) for raw in tomllib.load(f)["intent"])


def intent_named(name: str) -> Intent:
    for intent in load_intents():
        if intent.name == name:
            return intent
    raise ConfigurationError(f"no intent {name!r}: {[i.name for i in load_intents()]}")
