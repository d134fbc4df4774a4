"""The files each snapshot of a table references, and those no snapshot references any more."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyiceberg.table import Table
from pyiceberg.table.snapshots import Snapshot


@dataclass(frozen=True)
class SnapshotFiles:
    """A snapshot's manifest list and manifests (metadata), and its live data and delete files."""

    metadata: frozenset[str]
    data: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.metadata | self.data


@dataclass
class FileIndex:
    """The files of a table's snapshots, each manifest read once however many snapshots share it."""

    table: Table
    _manifests: dict[str, frozenset[str]] = field(default_factory=dict)
    _snapshots: dict[int, SnapshotFiles] = field(default_factory=dict)

    def of(self, snapshot: Snapshot) -> SnapshotFiles:
        found = self._snapshots.get(snapshot.snapshot_id)
        if found is None:
            io = self.table.io
            manifests = snapshot.manifests(io)
            data: set[str] = set()
            for manifest in manifests:
                files = self._manifests.get(manifest.manifest_path)
                if files is None:
                    entries = manifest.fetch_manifest_entry(io, discard_deleted=True)
                    files = frozenset(e.data_file.file_path for e in entries)
                    self._manifests[manifest.manifest_path] = files
                data |= files
            metadata = {snapshot.manifest_list, *(m.manifest_path for m in manifests)}
            found = SnapshotFiles(frozenset(metadata), frozenset(data))
            self._snapshots[snapshot.snapshot_id] = found
        return found

    def referenced(self, snapshots: Iterable[Snapshot]) -> set[str]:
        """Every file the snapshots reference."""
        found: set[str] = set()
        for snapshot in snapshots:
            found |= self.of(snapshot).all
        return found


def unreferenced(index: FileIndex, gone: Iterable[Snapshot], kept: Iterable[Snapshot]) -> set[str]:
    """The files of the `gone` snapshots that none of the `kept` ones references."""
    return index.referenced(gone) - index.referenced(kept)


def delete_all(table: Table, paths: Iterable[str]) -> int:
    """Delete the files (those already gone are not counted); how many were deleted."""
    deleted = 0
    for path in sorted(paths):
        with contextlib.suppress(FileNotFoundError):
            if table.io.new_input(path).exists():
                table.io.delete(path)
                deleted += 1
    return deleted
