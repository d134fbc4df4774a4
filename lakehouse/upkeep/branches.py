"""Audit branches of dead runs: removed once the run's last write is older than the window.

A run writes on `audit-<batch id>` on every staging and mart table and removes it when it
publishes (lakehouse.lake.branches). A branch left behind is a killed or rejected run's: kept
to be inspected for the safety window after the run's last write on any table (a branch that
holds no write of its own on one table takes its age from the others), then removed. Upkeep
does this holding the run lock, so no run in flight owns a branch it finds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pyiceberg.table import Table

from lakehouse.lake.branches import is_audit_branch
from lakehouse.lake.commits import retry_commit


def last_writes(tables: Sequence[Table]) -> dict[str, datetime]:
    """Each audit branch's latest head snapshot time over the tables, by branch name."""
    found: dict[str, datetime] = {}
    for table in tables:
        for name, ref in table.refs().items():
            snapshot = table.snapshot_by_id(ref.snapshot_id)
            if not is_audit_branch(name) or snapshot is None:
                continue
            at = datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC)
            found[name] = max(found.get(name, at), at)
    return found


def dead(tables: Sequence[Table], window: timedelta, now: datetime) -> list[str]:
    """The audit branches whose last write is older than the window."""
    return sorted(name for name, at in last_writes(tables).items() if at < now - window)


def remove(table: Table, branches: Sequence[str]) -> list[str]:
    """Remove those of `branches` the table has: their names."""

    def attempt() -> list[str]:
        present = [b for b in branches if b in table.refs()]
        if not present:
            return []
        manage = table.manage_snapshots()
        for branch in present:
            manage = manage.remove_branch(branch)
        manage.commit()
        return present

    table.refresh()
    return retry_commit(table, attempt)
