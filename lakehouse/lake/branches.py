"""Write-audit-publish on Iceberg branches: a run's own branch, published all at once.

A run writes on its own branch (`audit-<batch id>`), which starts from the published state
(main) of each table it writes. Readers of main see nothing of it. The checks read the branch;
the snapshot ids they checked are then published: every table's main moves to exactly that
snapshot, and the run's branch is removed, in one transaction over the SQL catalog's rows
(lakehouse.lake.atomic), so a reader sees all of the run's tables or none of them. If a check
fails, nothing is published: the branch stays, to be inspected, until the next run.

Only one run writes at a time (lakehouse.lake.lock): any other audit branch a run finds is a
dead run's, and is removed when the run opens its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pyiceberg.catalog import Catalog
from pyiceberg.table import Table
from pyiceberg.table.refs import MAIN_BRANCH, SnapshotRefType
from pyiceberg.table.update import (
    AssertRefSnapshotId,
    RemoveSnapshotRefUpdate,
    SetSnapshotRefUpdate,
    TableRequirement,
    TableUpdate,
)

from lakehouse.errors import PelotonError
from lakehouse.lake.atomic import commit_together
from lakehouse.lake.tags import tag_updates

AUDIT_PREFIX = "audit-"


def run_branch(batch_id: str) -> str:
    """The branch a run writes on before it is checked and published."""
    return f"{AUDIT_PREFIX}{batch_id}"


def is_audit_branch(ref: str) -> bool:
    """A run's audit branch (or the single `audit` branch of earlier versions)."""
    return ref.startswith(AUDIT_PREFIX) or ref == "audit"


def open_audit(table: Table, branch: str) -> None:
    """Start `branch` from what is published (main), removing dead runs' audit branches."""
    if table.current_snapshot() is None:
        # a branch needs a snapshot to start from: an empty commit on main
        table.append(table.schema().as_arrow().empty_table())
    head_id = table.current_snapshot()
    assert head_id is not None
    refs = table.refs()
    if branch in refs:
        return
    manage = table.manage_snapshots()
    for stale in (name for name in refs if is_audit_branch(name)):
        manage = manage.remove_branch(stale)
    manage.create_branch(head_id.snapshot_id, branch).commit()


def head(table: Table, ref: str) -> int | None:
    found = table.refresh().refs().get(ref)
    return found.snapshot_id if found else None


def heads(tables: Iterable[Table], ref: str) -> dict[str, int]:
    """Each table's snapshot id at `ref` (the snapshot a check reads), by table name."""
    found = {}
    for table in tables:
        snapshot = head(table, ref)
        if snapshot is not None:
            found[".".join(table.name())] = snapshot
    return found


def _ancestors(table: Table, snapshot_id: int) -> set[int]:
    found = set()
    snapshot = table.snapshot_by_id(snapshot_id)
    while snapshot is not None:
        found.add(snapshot.snapshot_id)
        parent = snapshot.parent_snapshot_id
        snapshot = table.snapshot_by_id(parent) if parent is not None else None
    return found


def _publish_updates(
    table: Table, checked: int, branch: str
) -> tuple[tuple[TableUpdate, ...], tuple[TableRequirement, ...]]:
    """Main to the checked snapshot (a fast-forward) and the run's branch removed."""
    name = ".".join(table.name())
    at_branch = head(table, branch)  # refreshes the table
    current = table.current_snapshot()
    main = current.snapshot_id if current is not None else None
    if at_branch != checked:
        raise PelotonError(f"{name}: {branch} moved after it was checked; run again")
    if main is not None and main not in _ancestors(table, checked):
        raise PelotonError(f"{name}: main moved since the audit started; run again")
    updates: tuple[TableUpdate, ...] = (
        SetSnapshotRefUpdate(
            ref_name=MAIN_BRANCH,
            type=SnapshotRefType.BRANCH,
            snapshot_id=checked,
            max_ref_age_ms=None,
            max_snapshot_age_ms=None,
            min_snapshots_to_keep=None,
        ),
        RemoveSnapshotRefUpdate(ref_name=branch),
    )
    return updates, (AssertRefSnapshotId(ref=MAIN_BRANCH, snapshot_id=main),)


def publish(
    catalog: Catalog,
    tables: Iterable[Table],
    checked: Mapping[str, int],
    branch: str,
    tags: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Move each table's main to the snapshot that was checked and remove `branch`, for every
    table at once; the names of the tables whose main moved.

    `tags` names, by table, the tags (lakehouse.lake.tags) set on the published snapshot in
    the same commit."""
    changes = []
    moved = []
    for table in tables:
        name = ".".join(table.name())
        if name not in checked:
            continue
        updates, requirements = _publish_updates(table, checked[name], branch)
        for tag in (tags or {}).get(name, ()):
            tagged, required = tag_updates(table, tag, checked[name])
            updates, requirements = updates + tagged, requirements + required
        current = table.current_snapshot()
        if current is None or current.snapshot_id != checked[name]:
            moved.append(name)
        changes.append((table, updates, requirements))
    commit_together(catalog, changes)
    return moved
