"""Configuration templates with `{{name}}` variables (Trino's files, Superset's assets)."""

from __future__ import annotations

import re

from lakehouse.errors import ConfigurationError

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render(text: str, values: dict[str, str], origin: str) -> str:
    """The template with its variables filled; lines whose variables are all empty are dropped.

    A variable without a value is an error naming `origin` (the template's file).
    """
    lines = []
    for line in text.splitlines():
        names = VARIABLE.findall(line)
        unknown = [n for n in names if n not in values]
        if unknown:
            raise ConfigurationError(f"{origin}: no value for {{{{{unknown[0]}}}}}")
        if names and all(not values[n] for n in names):
            continue
        lines.append(VARIABLE.sub(lambda m: values[m.group(1)], line))
    return "\n".join(lines) + "\n"
