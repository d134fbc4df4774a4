"""What the bot answers: the text, the SQL it ran, the rows it used, its sources and mode."""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from typing import Any

TELEMETRY_NOTE = "Among the riders with telemetry, not the official result."
MISSING = "-"


@dataclass
class Answer:
    """An answer as `peloton ask --json` and `POST /api/ask` give it."""

    question: str
    answer: str
    """The answer's text."""
    mode: str
    """offline or model (or offline after a model failure: `fallback` says why)."""
    known: bool = True
    """False when the bot says it does not know (or cannot answer as asked)."""
    sql: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    """The rows the answer was made from (in model mode, the last query's)."""
    queries: list[dict[str, Any]] = field(default_factory=list)
    """Every query that ran: its sql, columns and rows."""
    sources: list[str] = field(default_factory=list)
    intent: str = ""
    fallback: str = ""
    time: float = 0.0
    """Seconds taken to answer."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _gap(seconds: float) -> str:
    s = round(seconds)
    sign = "-" if s < 0 else "+"
    s = abs(s)
    if s >= 3600:
        return f"{sign}{_clock(s)}"
    return f"{sign}{s // 60}:{s % 60:02d}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class AnswerFormatter(string.Formatter):
    """`str.format` with race formats: `time`, `gap`, `ordinal`, `int`, `list`; None as `-`."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "list":
            return f": {value}" if value else ""
        if value is None:
            return MISSING
        if format_spec == "time":
            return _clock(float(value))
        if format_spec == "gap":
            return _gap(float(value))
        if format_spec == "ordinal":
            return _ordinal(int(value))
        if format_spec == "int":
            return f"{round(float(value)):,}"
        return super().format_field(value, format_spec)


FORMATTER = AnswerFormatter()


def render(template: str, values: dict[str, Any]) -> str:
    return FORMATTER.format(template, **values)
