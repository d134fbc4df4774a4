"""The tables the bot may read (the marts and the views) and their columns."""

from __future__ import annotations

from lakehouse.bot.guard import Allowed
from lakehouse.lake.mart_tables import MART_TABLES
from lakehouse.settings import Settings
from lakehouse.trino.client import run_sql

BOT_USER = "bot"
"""The Trino user the bot queries as: it reads the marts and the views, nothing else."""
SCHEMAS = ("marts", "views")
HIDDEN = ("marts.bot_documents",)
"""Tables in those schemas that are not for answering questions (the bot's own index)."""

ICEBERG_TO_SQL = {
    "int": "integer",
    "long": "bigint",
    "double": "double",
    "float": "real",
    "string": "varchar",
    "date": "date",
    "timestamptz": "timestamp(6) with time zone",
    "timestamp": "timestamp(6)",
    "boolean": "boolean",
}


def mart_columns() -> Allowed:
    """The marts' columns from their definitions: what the bot reads when Trino cannot say."""
    return {
        t.name: {name: ICEBERG_TO_SQL.get(str(typ), "varchar") for name, typ, _, _ in t.columns}
        for t in MART_TABLES
    }


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
        name = f"{schema}.{table}"
        if name not in HIDDEN and not column.startswith("_"):
            found.setdefault(name, {})[column] = kind
    return found
