"""Stage tags: the snapshot of each mart as a stage was published (`stage-NN`), kept for good.

A stage published again (late data, a correction) moves its tag to the new snapshot; the
snapshot it pointed to stays reachable under the next free `stage-NN-vK` (v1 the first
version published). Expiry never removes a tagged snapshot (lakehouse.upkeep.expiry).
"""

from __future__ import annotations

import re

from pyiceberg.table import Table
from pyiceberg.table.refs import SnapshotRefType
from pyiceberg.table.update import (
    AssertRefSnapshotId,
    SetSnapshotRefUpdate,
    TableRequirement,
    TableUpdate,
)

STAGE_TAG = re.compile(r"^stage-(\d+)(?:-v(\d+))?$")


def stage_tag(stage: int) -> str:
    """The tag of a stage's published marts."""
    return f"stage-{stage:02d}"


def _set_tag(name: str, snapshot_id: int) -> SetSnapshotRefUpdate:
    return SetSnapshotRefUpdate(
        ref_name=name,
        type=SnapshotRefType.TAG,
        snapshot_id=snapshot_id,
        max_ref_age_ms=None,
        max_snapshot_age_ms=None,
        min_snapshots_to_keep=None,
    )


def tag_updates(
    table: Table, tag: str, snapshot_id: int
) -> tuple[tuple[TableUpdate, ...], tuple[TableRequirement, ...]]:
    """Point `tag` at `snapshot_id`, the snapshot it pointed to kept as `<tag>-vK`; nothing when
    it points there already."""
    refs = table.refs()
    current = refs.get(tag)
    if current is not None and current.snapshot_id == snapshot_id:
        return (), ()
    updates: list[TableUpdate] = []
    if current is not None:
        version = 1
        while f"{tag}-v{version}" in refs:
            version += 1
        updates.append(_set_tag(f"{tag}-v{version}", current.snapshot_id))
    updates.append(_set_tag(tag, snapshot_id))
    requirement = AssertRefSnapshotId(
        ref=tag, snapshot_id=current.snapshot_id if current is not None else None
    )
    return tuple(updates), (requirement,)


def stage_tags(table: Table) -> dict[str, int]:
    """The table's stage tags (versions included) and the snapshot each points to."""
    return {
        name: ref.snapshot_id
        for name, ref in table.refs().items()
        if ref.snapshot_ref_type == SnapshotRefType.TAG and STAGE_TAG.match(name)
    }
