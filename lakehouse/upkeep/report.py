"""What a table holds before and after upkeep: files, bytes, snapshots, metadata size."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from pyiceberg.table import Table

from lakehouse.lake.readers import file_tasks
from lakehouse.upkeep.storage import stored_files


@dataclass(frozen=True)
class Figures:
    data_files: int
    """Data files of main's current snapshot."""
    data_bytes: int
    max_files_per_partition: int
    snapshots: int
    stored_files: int
    """Every file under the table's location, referenced or not."""
    stored_bytes: int
    metadata_files: int
    """Files under the table's metadata folder (metadata JSON, manifest lists, manifests,
    statistics)."""
    metadata_bytes: int


def measure(table: Table) -> Figures:
    table.refresh()
    files = [task.file for task in file_tasks(table)]
    per_partition = Counter((f.spec_id, str(f.partition)) for f in files)
    stored = stored_files(table)
    metadata_root = table.location().rstrip("/") + "/metadata/"
    metadata = [f for f in stored if f.location.startswith(metadata_root)]
    return Figures(
        data_files=len(files),
        data_bytes=sum(f.file_size_in_bytes for f in files),
        max_files_per_partition=max(per_partition.values(), default=0),
        snapshots=len(table.snapshots()),
        stored_files=len(stored),
        stored_bytes=sum(f.size for f in stored),
        metadata_files=len(metadata),
        metadata_bytes=sum(f.size for f in metadata),
    )


@dataclass
class TableReport:
    """One table's upkeep: its figures before and after, and what each step did."""

    table: str
    before: Figures
    after: Figures | None = None
    steps: dict[str, str] = field(default_factory=dict)
    """Step name -> what it did (or would do, in a dry run), or why it was skipped."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "before": asdict(self.before),
            "after": asdict(self.after) if self.after else None,
            "steps": dict(self.steps),
        }
