"""The data dictionary, generated from the table definitions.

Run `python -m lakehouse.tables.dictionary > docs/data-dictionary.md` after changing a table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lakehouse.tables.marts import MART_TABLES
from lakehouse.tables.raw import RAW_TABLES, TableDef
from lakehouse.tables.staging import STAGING_TABLES

HEADER = """# Data dictionary

Generated from the table definitions in `lakehouse/tables/` by
`python -m lakehouse.tables.dictionary > docs/data-dictionary.md`; a test fails when this file
and the definitions disagree. Every table also carries the lineage columns `_loaded_at`,
`_source` and `_batch_id`.
"""


def table_markdown(definition: TableDef, checks: list[str] | None = None) -> str:
    lines = [f"## `{definition.name}`", "", definition.doc + "."]
    if definition.partition_by:
        lines.append(f"Partitioned by `{definition.partition_by}` (identity).")
    if checks:
        lines.append("Checks (`peloton check`): " + "; ".join(checks) + ".")
    lines += ["", "| column | type | required | meaning |", "|---|---|---|---|"]
    for field in definition.schema().fields:
        lines.append(
            f"| `{field.name}` | {field.field_type} | {'yes' if field.required else 'no'} "
            f"| {field.doc or ''} |"
        )
    return "\n".join(lines) + "\n"


def render() -> str:
    from lakehouse.transform.checks import described_checks

    checks = described_checks()
    tables = (*RAW_TABLES, *STAGING_TABLES, *MART_TABLES)
    return HEADER + "".join("\n" + table_markdown(t, checks.get(t.name)) for t in tables)


def main() -> None:
    sys.stdout.write(render())


DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"

if __name__ == "__main__":
    main()
