"""Compaction: the small data files of a partition rewritten into files of a target size.

A partition is rewritten when it holds `min_files` or more files smaller than the target. The
rows are read from those files and written again, bin-packed to the target size, and one commit
swaps them: the rows do not change, and readers see the old files or the new ones. The commit
carries the table's incremental state forward (lakehouse.lake.commits.carried_state). It is
checked against main: when another writer committed first, the partition is planned again on
the new state. Partitions with delete files (written by an engine's row-level delete) are left
to that engine's own compaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from pyiceberg.exceptions import CommitFailedException
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.io.pyarrow import ArrowScan, _dataframe_to_data_files
from pyiceberg.manifest import DataFile
from pyiceberg.table import FileScanTask, Table, TableProperties

from lakehouse.lake.commits import carried_state, retry_commit
from lakehouse.lake.datafiles import delete_files
from lakehouse.lake.readers import file_tasks

UPKEEP_KEY = "peloton.upkeep"
"""In upkeep's commits: which step wrote them."""


@dataclass(frozen=True)
class Rewrite:
    """One partition's small files, to be rewritten together."""

    partition: str
    tasks: tuple[FileScanTask, ...]

    @property
    def files(self) -> int:
        return len(self.tasks)

    @property
    def bytes(self) -> int:
        return sum(t.file.file_size_in_bytes for t in self.tasks)


def plan(table: Table, target_bytes: int, min_files: int) -> list[Rewrite]:
    """The partitions of main's current snapshot that hold `min_files` small files or more."""
    table.refresh()
    if table.current_snapshot() is None:
        return []
    small: dict[tuple[int, str], list[FileScanTask]] = defaultdict(list)
    with_deletes: set[tuple[int, str]] = set()
    for task in file_tasks(table):
        spec = table.specs()[task.file.spec_id]
        key = (task.file.spec_id, spec.partition_to_path(task.file.partition, table.schema()))
        if task.delete_files:
            with_deletes.add(key)
        if task.file.file_size_in_bytes < target_bytes:
            small[key].append(task)
    return [
        Rewrite(partition, tuple(tasks))
        for (spec, partition), tasks in sorted(small.items(), key=lambda kv: kv[0])
        if len(tasks) >= min_files and (spec, partition) not in with_deletes
    ]


def _write(table: Table, rewrite: Rewrite, target_bytes: int) -> list[DataFile]:
    """The partition's rows, read from its small files and written again to target size."""
    scan = ArrowScan(table.metadata, table.io, table.schema(), AlwaysTrue())
    rows = scan.to_table(rewrite.tasks)
    properties = dict(table.metadata.properties)
    properties[TableProperties.WRITE_TARGET_FILE_SIZE_BYTES] = str(target_bytes)
    metadata = table.metadata.model_copy(update={"properties": properties})
    return list(_dataframe_to_data_files(metadata, rows, table.io, uuid.uuid4()))


def _commit(table: Table, rewrite: Rewrite, new: list[DataFile]) -> None:
    properties = carried_state(table) | {UPKEEP_KEY: "compaction"}
    with (
        table.transaction() as txn,
        txn.update_snapshot(snapshot_properties=properties).overwrite() as swap,
    ):
        for task in rewrite.tasks:
            swap.delete_data_file(task.file)
        for data_file in new:
            swap.append_data_file(data_file)


def compact(
    table: Table,
    target_bytes: int,
    min_files: int,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[int, int]:
    """Rewrite every partition that needs it: (files before, files after) over them."""
    before = after = 0
    for partition in [r.partition for r in plan(table, target_bytes, min_files)]:
        done = retry_commit(table, partial(_rewrite, table, partition, target_bytes, min_files))
        if done is not None:
            progress(f"{partition}: {done[0]} files -> {done[1]}")
            before, after = before + done[0], after + done[1]
    return before, after


def _rewrite(
    table: Table, partition: str, target_bytes: int, min_files: int
) -> tuple[int, int] | None:
    """Rewrite one partition as planned on the table's current state: (files before, files
    after), or None when it no longer needs it (another writer replaced it meanwhile). The
    new files are deleted when the commit fails."""
    rewrite = next(
        (r for r in plan(table, target_bytes, min_files) if r.partition == partition), None
    )
    if rewrite is None:
        return None
    new = _write(table, rewrite, target_bytes)
    try:
        _commit(table, rewrite, new)
    except CommitFailedException:
        delete_files(table, new)
        raise
    return rewrite.files, len(new)
