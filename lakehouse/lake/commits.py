"""Commits to Iceberg tables: replace one partition (or a filtered part) atomically.

Every commit records in its snapshot summary which part it replaced (`peloton.part`), the
source fingerprint it landed (`peloton.fingerprint`) and the run (`peloton.batch_id`). The
incremental state lives in the table itself, committed with the data.

Upkeep (lakehouse.upkeep) rewrites files and expires old snapshots. Its commits carry that
state forward: the summaries of every part's latest commit (`peloton.landed`), so that the
state survives the expiry of the commits that wrote it, and the version of the data they hold
(`peloton.data-version`), so that a compaction is not taken for a change of the data.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TypeVar

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.manifest import DataFile
from pyiceberg.table import Table
from pyiceberg.table.refs import MAIN_BRANCH

from lakehouse.lake.datafiles import delete_files, write_partition
from lakehouse.lake.definition import TableDef

PART_KEY = "peloton.part"
FINGERPRINT_KEY = "peloton.fingerprint"
BATCH_KEY = "peloton.batch_id"
LANDED_KEY = "peloton.landed"
"""In upkeep's commits: every part's latest summary, as JSON (the state carried forward)."""
DATA_VERSION_KEY = "peloton.data-version"
"""In upkeep's commits: the id of the snapshot whose data they hold unchanged."""
COMMIT_RETRIES = 5
"""How many times a commit is tried when other writers keep committing first."""
T = TypeVar("T")


def ensure_table(catalog: Catalog, definition: TableDef) -> Table:
    return catalog.create_table_if_not_exists(
        definition.name,
        schema=definition.schema(),
        partition_spec=definition.partition_spec(),
        properties={"comment": definition.doc, "write.parquet.compression-codec": "zstd"},
    )


def landed_fingerprints(table: Table, ref: str = MAIN_BRANCH) -> dict[str, str]:
    """The source fingerprint of each part's latest commit on `ref` (main: what is published).

    Only the ref's own history counts: snapshots written on an unpublished branch are not
    landed until the branch is published.
    """
    return {part: s[FINGERPRINT_KEY] for part, s in landed_summaries(table, ref).items()}


def landed_summaries(table: Table, ref: str = MAIN_BRANCH) -> dict[str, dict[str, str]]:
    """The snapshot summary of each part's latest commit on `ref`.

    The ref's history is read back to the latest commit that carries the whole state forward
    (`peloton.landed`, written by upkeep), whose older snapshots may have been expired.
    """
    head = table.refs().get(ref)
    lineage_ids: list[int] = []
    current = table.snapshot_by_id(head.snapshot_id) if head else None
    while current is not None:
        lineage_ids.append(current.snapshot_id)
        if current.summary is not None and LANDED_KEY in current.summary.additional_properties:
            break
        parent = current.parent_snapshot_id
        current = table.snapshot_by_id(parent) if parent is not None else None
    found: dict[str, dict[str, str]] = {}
    for snapshot_id in reversed(lineage_ids):  # oldest first: the latest commit of a part wins
        snapshot = table.snapshot_by_id(snapshot_id)
        summary = snapshot.summary if snapshot else None
        if summary is None:
            continue
        carried = summary.additional_properties.get(LANDED_KEY)
        if carried is not None:
            found = json.loads(carried)
        part, fingerprint = summary.get(PART_KEY), summary.get(FINGERPRINT_KEY)
        if part and fingerprint:
            found[str(part)] = {str(k): str(v) for k, v in summary.additional_properties.items()}
    return found


def carried_state(table: Table, ref: str = MAIN_BRANCH) -> dict[str, str]:
    """The summary properties of a commit that holds `ref`'s data unchanged (upkeep's): every
    part's latest summary and the version of the data."""
    return {
        LANDED_KEY: json.dumps(landed_summaries(table, ref), sort_keys=True),
        DATA_VERSION_KEY: data_version(table, ref),
    }


def data_version(table: Table, ref: str = MAIN_BRANCH) -> str:
    """Which data `ref` holds: the id of its latest snapshot that changed the data ("none"
    without a snapshot); upkeep's commits, which rewrite files or add none, keep it."""
    head = table.refs().get(ref)
    snapshot = table.snapshot_by_id(head.snapshot_id) if head else None
    if snapshot is None:
        return "none"
    summary = snapshot.summary.additional_properties if snapshot.summary else {}
    return str(summary.get(DATA_VERSION_KEY, snapshot.snapshot_id))


def lineage(n: int, source: str, batch_id: str, loaded_at: datetime) -> list[pa.Array]:
    """The _loaded_at, _source and _batch_id columns for n rows."""
    return [
        pa.repeat(pa.scalar(loaded_at, pa.timestamp("us", tz="UTC")), n),
        pa.repeat(pa.scalar(source, pa.string()), n),
        pa.repeat(pa.scalar(batch_id, pa.string()), n),
    ]


def now() -> datetime:
    return datetime.now(UTC)


def retry_commit(table: Table, commit: Callable[[], T], attempts: int = COMMIT_RETRIES) -> T:
    """Run `commit` (it reads the table's state and commits on it); when another writer
    committed first (CommitFailedException), refresh the table and run it again, at most
    `attempts` times in all: the last conflict is raised. `commit`'s result is returned."""
    for _ in range(attempts - 1):
        try:
            return commit()
        except CommitFailedException:
            table.refresh()
    return commit()


def _quiet(commit: Callable[[], None]) -> Callable[[], None]:
    """`commit`, without the warning of a delete that matches nothing (a part landed for the
    first time has nothing to delete: not worth a warning)."""

    def run() -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Delete operation did not match any records")
            commit()

    return run


def replace(
    table: Table,
    data: pa.Table,
    where: str,
    part: str,
    fingerprint: str,
    batch_id: str,
    branch: str = MAIN_BRANCH,
) -> None:
    """Delete the rows matching `where` and append `data`, in one commit (retried on conflict),
    on `branch` (main by default)."""
    properties = {PART_KEY: part, FINGERPRINT_KEY: fingerprint, BATCH_KEY: batch_id}
    retry_commit(
        table,
        _quiet(
            lambda: table.overwrite(
                data, overwrite_filter=where, snapshot_properties=properties, branch=branch
            )
        ),
    )


def replace_with_files(
    table: Table,
    files: list[DataFile],
    where: str,
    part: str,
    fingerprint: str,
    batch_id: str,
    extra: dict[str, str] | None = None,
    branch: str = MAIN_BRANCH,
) -> None:
    """Delete the rows matching `where` and register the written `files`, in one commit, on
    `branch`.

    The files are already in storage (lakehouse.lake.datafiles); a conflict with another
    writer only redoes the metadata, on the table's new state. `extra` goes into the snapshot
    summary too (keys `peloton.*`).
    """
    properties = {PART_KEY: part, FINGERPRINT_KEY: fingerprint, BATCH_KEY: batch_id}
    properties |= extra or {}

    def commit() -> None:
        with table.transaction() as txn:
            txn.delete(delete_filter=where, snapshot_properties=properties, branch=branch)
            update = txn.update_snapshot(snapshot_properties=properties, branch=branch)
            with update.fast_append() as append:
                for data_file in files:
                    append.append_data_file(data_file)

    retry_commit(table, _quiet(commit))


def replace_partition(
    table: Table,
    batches: Iterable[pa.RecordBatch],
    day: date,
    dictionary: Sequence[str],
    fingerprint: Callable[[], str],
    batch_id: str,
    extra: dict[str, str] | None = None,
    branch: str = MAIN_BRANCH,
    before_commit: Callable[[], None] | None = None,
) -> list[DataFile]:
    """Stream `batches` into the day's new files, then swap the day's partition in one commit
    (on `branch`, main by default).

    `fingerprint` is called once every batch is written (it may describe what was read), after
    `before_commit` (what must be committed before the day is: its quarantine, so that a kill
    between the two leaves the day unlanded, to be landed again with both).
    When the commit certainly failed, the new files are deleted; on CommitStateUnknown they
    are kept, since the commit may have landed.
    """
    files = write_partition(table, batches, day, dictionary)
    part = day.isoformat()
    try:
        if before_commit is not None:
            before_commit()
        replace_with_files(
            table, files, f"stage_date == '{part}'", part, fingerprint(), batch_id, extra, branch
        )
    except (CommitFailedException, ValidationException):
        delete_files(table, files)
        raise
    return files
