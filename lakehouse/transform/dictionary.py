"""The data dictionary, generated from the table definitions and the checks that guard them.

Run `python -m lakehouse.transform.dictionary > docs/data-dictionary.md` after changing a table.
"""

from __future__ import annotations

import sys

from lakehouse.lake.definition import TableDef
from lakehouse.lake.gif_tables import GIF_EXPORTS
from lakehouse.lake.mart_tables import MART_TABLES, STAGE_RESULTS
from lakehouse.lake.raw_tables import RAW_TABLES
from lakehouse.lake.staging_tables import STAGING_TABLES, STAGING_TELEMETRY
from lakehouse.transform.checks import KEYS
from lakehouse.transform.truth import TRUTH_CHECKS

HEADER = """# Data dictionary

Generated from the table definitions in `lakehouse/lake/` by
`python -m lakehouse.transform.dictionary > docs/data-dictionary.md`; a test fails when this file
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


def described_checks() -> dict[str, list[str]]:
    """What `peloton check` asserts on each table, for the data dictionary."""
    found: dict[str, list[str]] = {}
    for name, key in KEYS.items():
        found.setdefault(name, []).append(
            f"unique key ({', '.join(key)}) with no null in it; riders and stages known to staging"
        )
    found[STAGE_RESULTS.name].append("a result or status for every rider-stage of staging")
    found.setdefault(STAGING_TELEMETRY.name, []).append(
        "per day, raw rows = staging rows + duplicates removed"
    )
    for name, text in TRUTH_CHECKS.items():
        found.setdefault(name, []).append(f"with --truth: {text}")
    return found


def render() -> str:
    checks = described_checks()
    tables = (*RAW_TABLES, *STAGING_TABLES, *MART_TABLES, GIF_EXPORTS)
    return HEADER + "".join("\n" + table_markdown(t, checks.get(t.name)) for t in tables)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
