"""Snapshot expiry by age and count, without losing incremental state or tagged history.

A snapshot is expired when it is older than the age limit and not among the newest snapshots
kept on main, unless a ref points to it (a branch head or a tag: stage tags are kept for good).

Ingestion and the transforms read their incremental state (each part's fingerprint) from the
summaries of main's history, back to the latest commit that carries the whole state forward
(lakehouse.lake.commits.landed_summaries). So every snapshot from main's head back to that
commit is kept; when keeping them would keep more than the limits allow, a commit that carries
the state forward (and holds the same data: it adds no file) is made first, checked against
main like any commit, and the history before it can go.

Expiry removes snapshots from the metadata only. The files that only they referenced are left
to the orphan step, which deletes them once older than the safety window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pyiceberg.table import Table, TableProperties
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.lake.commits import LANDED_KEY, carried_state, landed_summaries, retry_commit
from lakehouse.upkeep.compaction import UPKEEP_KEY


@dataclass(frozen=True)
class Retention:
    max_age: timedelta
    kept: int
    """The newest snapshots of main kept whatever their age."""


def _main_lineage(table: Table) -> list[int]:
    """main's snapshots, newest first."""
    ref = table.refs().get(MAIN_BRANCH)
    found = []
    snapshot = table.snapshot_by_id(ref.snapshot_id) if ref else None
    while snapshot is not None:
        found.append(snapshot.snapshot_id)
        parent = snapshot.parent_snapshot_id
        snapshot = table.snapshot_by_id(parent) if parent is not None else None
    return found


def _state_lineage(table: Table, lineage: list[int]) -> list[int]:
    """main's snapshots back to (and with) the latest that carries the state forward; all of
    them when none does but one wrote a part's state."""
    for index, snapshot_id in enumerate(lineage):
        snapshot = table.snapshot_by_id(snapshot_id)
        summary = snapshot.summary.additional_properties if snapshot and snapshot.summary else {}
        if LANDED_KEY in summary:
            return lineage[: index + 1]
    return lineage


def _wanted(table: Table, retention: Retention, now: datetime) -> set[int]:
    """What the retention keeps before the state is considered: refs, newest, young."""
    oldest = (now - retention.max_age).timestamp() * 1000
    protected = {ref.snapshot_id for ref in table.refs().values()}
    newest = set(_main_lineage(table)[: retention.kept])
    young = {s.snapshot_id for s in table.snapshots() if s.timestamp_ms >= oldest}
    return protected | newest | young


def expirable(table: Table, retention: Retention, now: datetime) -> tuple[list[int], bool]:
    """The snapshots to expire, and whether a commit carrying the state forward must come
    first (without it, expiry would have to keep main's history back to its state)."""
    table.refresh()
    lineage = _main_lineage(table)
    state = _state_lineage(table, lineage)
    wanted = _wanted(table, retention, now)
    beyond = [s for s in state if s not in wanted]
    has_state = bool(landed_summaries(table))
    checkpoint = bool(beyond) and has_state
    keep = wanted | set(state) if has_state and not checkpoint else wanted
    doomed = [s.snapshot_id for s in table.snapshots() if s.snapshot_id not in keep]
    return doomed, checkpoint


def carry_state_forward(table: Table) -> None:
    """A commit on main that adds no file and carries the incremental state forward."""
    properties = carried_state(table) | {UPKEEP_KEY: "state"}
    with table.transaction() as txn:
        txn.update_snapshot(snapshot_properties=properties).fast_append().commit()


def expire(table: Table, retention: Retention, now: datetime | None = None) -> int:
    """Expire what the retention allows (carrying the state forward first where needed): the
    number of snapshots expired."""
    now = now or datetime.now(UTC)

    def attempt() -> int:
        doomed, checkpoint = expirable(table, retention, now)
        if checkpoint:
            carry_state_forward(table)
            doomed, _ = expirable(table, retention, now)
        if doomed:
            table.maintenance.expire_snapshots().by_ids(doomed).commit()
        return len(doomed)

    return retry_commit(table, attempt)


def limit_metadata_log(table: Table, versions: int) -> bool:
    """Keep `versions` earlier metadata files in the table's log (Iceberg's
    `write.metadata.previous-versions-max`, applied from the table's next commit on): the
    files that fall off the log are orphans. Whether the property had to be set."""
    key = TableProperties.METADATA_PREVIOUS_VERSIONS_MAX
    if table.properties.get(key) == str(versions):
        return False
    with table.transaction() as txn:
        txn.set_properties({key: str(versions)})
    return True
