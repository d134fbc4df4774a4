"""A table's history: its snapshots, newest first, with their time, summary and refs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pyiceberg.table import Table

from lakehouse.lake.commits import LANDED_KEY


def history(table: Table) -> list[dict[str, Any]]:
    """Every snapshot the table keeps, newest first: id, parent, time, operation, the branches
    and tags that point to it, and its summary (the state carried forward shown by size)."""
    refs: dict[int, list[str]] = {}
    for name, ref in sorted(table.refs().items()):
        refs.setdefault(ref.snapshot_id, []).append(name)
    rows = []
    for snapshot in sorted(table.snapshots(), key=lambda s: s.timestamp_ms, reverse=True):
        summary = dict(snapshot.summary.additional_properties) if snapshot.summary else {}
        if LANDED_KEY in summary:
            summary[LANDED_KEY] = f"<state of {summary[LANDED_KEY].count('peloton.part')} parts>"
        rows.append(
            {
                "snapshot_id": snapshot.snapshot_id,
                "parent_id": snapshot.parent_snapshot_id,
                "committed_at": datetime.fromtimestamp(
                    snapshot.timestamp_ms / 1000, UTC
                ).isoformat(),
                "operation": snapshot.summary.operation.value if snapshot.summary else None,
                "refs": refs.get(snapshot.snapshot_id, []),
                "summary": summary,
            }
        )
    return rows
