"""A model's tool arguments checked against each tool's parameters: whatever the model sends,
a bad argument becomes an error message to send back to it, never an exception."""

from __future__ import annotations

import json
import math
from typing import Any

from lakehouse.bot.entities import KINDS

SEARCH_K = (1, 8)
"""How many documents search_docs returns: at least, at most."""
DEFAULT_K = 4


class BadArguments(ValueError):
    """A tool call's arguments do not fit the tool: the message tells the model what to send."""


def _text(args: dict[str, Any], name: str, required: bool = True) -> str:
    value = args.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadArguments(f"{name!r} must be a non-empty string, not {json.dumps(value)}")
    return value


def _k(args: dict[str, Any]) -> int:
    value = args.get("k")
    if value is None:
        return DEFAULT_K
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value != int(value)
    ):
        raise BadArguments(f"'k' must be an integer from 1 to 8, not {json.dumps(value)}")
    return max(SEARCH_K[0], min(SEARCH_K[1], int(value)))


def parse_arguments(tool: str, raw: object) -> dict[str, Any]:
    """The arguments of a call to `tool`, checked and typed; BadArguments otherwise."""
    if raw is None or raw == "":
        args: object = {}
    elif isinstance(raw, str):
        try:
            args = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            raise BadArguments("the arguments are not valid JSON") from None
    else:
        raise BadArguments("the arguments must be a JSON object in a string")
    if not isinstance(args, dict):
        raise BadArguments("the arguments must be a JSON object")
    if tool == "search_docs":
        return {"query": _text(args, "query"), "k": _k(args)}
    if tool == "find_entity":
        kind = _text(args, "kind")
        if kind not in KINDS:
            raise BadArguments(f"'kind' must be one of {list(KINDS)}, not {json.dumps(kind)}")
        return {"kind": kind, "name": _text(args, "name")}
    if tool == "run_sql":
        return {"sql": _text(args, "sql")}
    raise BadArguments(f"no tool {tool!r}: search_docs, find_entity, run_sql")
