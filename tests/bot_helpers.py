"""Shared by the bot's tests: the PELOTON_* environment that rebuilds a Settings elsewhere."""

from dataclasses import asdict
from typing import Any

from lakehouse.bot.guard import Allowed
from lakehouse.bot.tables import BOT_USER, SCHEMAS
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql


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


def readable_columns(settings: Settings) -> Allowed:
    """The tables and columns Trino shows the `bot` user in the marts and views."""
    result = run_sql(
        settings,
        "SELECT table_schema, table_name, column_name, data_type "
        "FROM information_schema.columns "
        f"WHERE table_schema IN ({', '.join(repr(s) for s in SCHEMAS)}) "
        "ORDER BY table_schema, table_name, ordinal_position",
        user=BOT_USER,
    )
    found: Allowed = {}
    for schema, table, column, kind in result.rows:
        if not column.startswith("_"):
            found.setdefault(f"{schema}.{table}", {})[column] = kind
    return found
