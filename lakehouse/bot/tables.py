"""The tables the bot may read (the marts and the views) and their columns, known without Trino:
the marts' from their definitions, the views' from the SELECT of each `trino/views/*.sql`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from lakehouse.bot.guard import DIALECT, Allowed
from lakehouse.lake.definition import TableDef
from lakehouse.lake.gif_tables import GIF_EXPORTS
from lakehouse.lake.mart_tables import MART_TABLES
from lakehouse.trino.client import view_files

BOT_USER = "bot"
"""The Trino user the bot queries as: it reads the marts and the views, nothing else."""
SCHEMAS = ("marts", "views")
BOT_MARTS: tuple[TableDef, ...] = (*MART_TABLES, GIF_EXPORTS)
"""Every table of the `marts` schema (the bot's own index is in `bot`, which it cannot read)."""
VIEW_TYPE = "unknown"
"""A view column's type: the guard needs its name only."""

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
    """The marts' columns from their definitions."""
    return {
        t.name: {name: ICEBERG_TO_SQL.get(str(typ), "varchar") for name, typ, _, _ in t.columns}
        for t in BOT_MARTS
    }


def view_name_and_columns(path: Path) -> tuple[str, list[str]]:
    """`views.<name>` and the output columns of the view a `trino/views/*.sql` file creates."""
    tree = sqlglot.parse_one(path.read_text(encoding="utf-8").strip().rstrip(";"), read=DIALECT)
    if not isinstance(tree, exp.Create) or not isinstance(tree.expression, exp.Query):
        raise ValueError(f"{path}: not a CREATE VIEW ... AS SELECT")
    table = tree.find(exp.Table)
    assert table is not None
    columns = tree.expression.named_selects
    if not columns or "*" in columns:
        raise ValueError(f"{path}: the view's columns must be named")
    return f"{table.db}.{table.name}", columns


def view_columns(folder: Path | None = None) -> Allowed:
    """The views' columns, from their SQL files."""
    found: Allowed = {}
    for path in view_files(folder):
        name, columns = view_name_and_columns(path)
        found[name] = {c: VIEW_TYPE for c in columns if not c.startswith("_")}
    return found


@lru_cache(maxsize=1)
def _allowed() -> Allowed:
    return {**mart_columns(), **view_columns()}


def allowed_tables() -> Allowed:
    """The allow-list of the guard: every mart and every view, with their columns."""
    return {name: dict(columns) for name, columns in _allowed().items()}
