"""The bot over the session's Trino (`lake`): its context, and the environment of a `peloton`
child process that points at the same lakehouse."""

from typing import Any

import pytest

from lakehouse.bot.context import Context, open_context
from lakehouse.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """PELOTON_* variables that rebuild `settings` (secrets included) in a child process."""
    found: dict[str, str] = {}

    def walk(prefix: str, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key.upper()}__", value)
            elif value is not None:
                secret = getattr(value, "get_secret_value", None)
                found[f"{prefix}{key.upper()}"] = str(secret() if secret else value)

    walk("PELOTON_", settings.model_dump())
    return found


@pytest.fixture(scope="session")
def bot(lake: Settings) -> Context:
    """The bot's context over the tiny race, with the index of `llm/` (no flow run)."""
    return open_context(lake)
