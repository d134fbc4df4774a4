"""Shared by the bot's tests: the PELOTON_* environment that rebuilds a Settings elsewhere."""

from dataclasses import asdict
from typing import Any

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

    walk("PELOTON_", asdict(settings))
    return found
