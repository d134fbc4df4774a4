"""Orphan files: files under a table's location that no snapshot or metadata references.

They are what a killed write leaves (data files written, never committed) and what expiry
frees. One is deleted only when it is older than the safety window: a write in flight (its
data files are written before its commit) and a reader still planning on an expired snapshot
are younger than that. The files are listed first, then the table's metadata is read again: a
file committed between the two is referenced.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyiceberg.table import Table

from lakehouse.upkeep.storage import StoredFile, normalized, stored_files


def referenced(table: Table) -> set[str]:
    """Every file the table's metadata reaches: metadata files of its log, statistics, the
    manifest lists and manifests of every snapshot, and their data and delete files."""
    table.refresh()
    metadata = table.metadata
    found = {table.metadata_location, *(entry.metadata_file for entry in metadata.metadata_log)}
    found |= {s.statistics_path for s in metadata.statistics}
    found |= {s.statistics_path for s in metadata.partition_statistics}
    manifests = {}
    for snapshot in metadata.snapshots:
        found.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(table.io):
            manifests[manifest.manifest_path] = manifest
    for path, manifest in manifests.items():
        found.add(path)
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            found.add(entry.data_file.file_path)
    return {normalized(location) for location in found}


@dataclass(frozen=True)
class Orphans:
    old: list[StoredFile]
    """Older than the window: deleted."""
    young: list[StoredFile]
    """Within the window: kept for now."""


def find(table: Table, window: timedelta, now: datetime) -> Orphans:
    listed = stored_files(table)  # before the metadata: see the module's docstring
    known = referenced(table)
    unknown = [f for f in listed if normalized(f.location) not in known]
    cutoff = now - window
    old = [f for f in unknown if f.modified is not None and f.modified < cutoff]
    return Orphans(old, [f for f in unknown if f not in old])


def remove(table: Table, files: list[StoredFile]) -> int:
    removed = 0
    for stored in files:
        with contextlib.suppress(FileNotFoundError):
            table.io.delete(stored.location)
            removed += 1
    return removed
