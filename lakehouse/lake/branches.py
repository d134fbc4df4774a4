"""Write-audit-publish on Iceberg branches: open an audit branch, publish its checked head.

The marts are written on each table's `audit` branch, which starts from the published state
(main). Readers, who read main, see nothing of it. The checks then read the audit branch. If
every check passes, each table's main is fast-forwarded to its audit head. If one fails,
nothing is published: readers keep the previous good version, and the error names the failed
checks with example rows.

Each table is published atomically, and the tables one after the other right after the checks.
Iceberg's SQL catalog has no commit spanning several tables. A crash between two of them
leaves some tables published; the next run publishes the rest, since their audit heads are
already checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyiceberg.table import Table

from lakehouse.errors import PelotonError

AUDIT = "audit"


def open_audit(table: Table) -> None:
    """Start the table's audit branch from what is published (main)."""
    if table.current_snapshot() is None:
        # a branch needs a snapshot to start from: an empty commit on main
        table.append(table.schema().as_arrow().empty_table())
    head = table.current_snapshot()
    assert head is not None
    refs = table.refs()
    if AUDIT in refs and refs[AUDIT].snapshot_id == head.snapshot_id:
        return
    manage = table.manage_snapshots()
    if AUDIT in refs:
        manage = manage.remove_branch(AUDIT)
    manage.create_branch(head.snapshot_id, AUDIT).commit()


def head(table: Table, ref: str) -> int | None:
    found = table.refresh().refs().get(ref)
    return found.snapshot_id if found else None


def publish(tables: Iterable[Table]) -> list[str]:
    """Fast-forward each table's main to its audit head; the names of the tables that moved."""
    moved = []
    for table in tables:
        audit = head(table, AUDIT)
        current = table.current_snapshot()
        if audit is None or (current is not None and current.snapshot_id == audit):
            continue
        ancestors = set()
        snapshot = table.snapshot_by_id(audit)
        while snapshot is not None:
            ancestors.add(snapshot.snapshot_id)
            parent = snapshot.parent_snapshot_id
            snapshot = table.snapshot_by_id(parent) if parent is not None else None
        if current is not None and current.snapshot_id not in ancestors:
            raise PelotonError(
                f"{'.'.join(table.name())}: main moved since the audit started; run again"
            )
        table.manage_snapshots().set_current_snapshot(snapshot_id=audit).commit()
        moved.append(".".join(table.name()))
    return moved
