"""What the lakehouse holds: every table with rows, partitions, snapshots, last commit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

LAYERS = ("raw", "staging", "marts")


def _partitions(table: Table) -> list[dict[str, Any]]:
    if not table.spec().fields or table.current_snapshot() is None:
        return []
    stats = table.inspect.partitions()
    out = []
    for row in stats.to_pylist():
        values = row["partition"]
        value = ", ".join(str(v) for v in values.values()) if isinstance(values, dict) else values
        out.append({"value": str(value), "rows": int(row["record_count"])})
    return sorted(out, key=lambda p: p["value"])


def describe(table: Table, name: str) -> dict[str, Any]:
    snapshot = table.current_snapshot()
    rows = 0
    if snapshot is not None and snapshot.summary is not None:
        rows = int(snapshot.summary.get("total-records") or 0)
    return {
        "name": name,
        "rows": rows,
        "partitions": _partitions(table),
        "snapshots": len(table.snapshots()),
        "last_commit_at": (
            datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC).isoformat()
            if snapshot is not None
            else None
        ),
        "location": table.location(),
    }


def list_lakehouse(catalog: Catalog) -> list[dict[str, Any]]:
    """Every table of the raw, staging and marts layers, by name."""
    out = []
    for layer in LAYERS:
        try:
            identifiers = catalog.list_tables(layer)
        except Exception:  # a layer that does not exist yet holds no table
            continue
        for identifier in sorted(identifiers):
            name = ".".join(identifier)
            out.append(describe(catalog.load_table(name), name))
    return out
