"""Erasure of an athlete: their rows removed from every table now, and from history after a window.

For each table that can name a rider (lakehouse.lake.athlete_rows):

1. the data files that hold the athlete's rows, in any snapshot, are found ("dirty" files);
2. every branch (main first) whose head references one gets a commit that rewrites those files
   without the rows: the current state has no trace of the athlete from then on;
3. a tag whose snapshot is older than the window and references one is moved to a new
   snapshot, the tagged one rewritten the same way (through a short-lived branch);
4. snapshots older than the window that reference one are expired;
5. the files only expired snapshots referenced (the dirty data files, manifests, manifest
   lists) are deleted from storage.

History younger than the window is left as it was (an analyst can still undo a mistake); the
report says how many snapshots still hold the rows and from when they are due. Running the same
erasure again after that date removes them: every step above is idempotent.

Commits keep the ingestion state (`peloton.landed`, every part's latest summary) so that the
expiry of the commits that wrote it does not make the next run land every day again.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog import Catalog
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.io.pyarrow import ArrowScan, _dataframe_to_data_files
from pyiceberg.manifest import DataFile
from pyiceberg.table import Table
from pyiceberg.table.refs import MAIN_BRANCH, SnapshotRefType
from pyiceberg.table.snapshots import Snapshot

from lakehouse.lake.athlete_rows import (
    ATHLETE_COLUMNS,
    Athlete,
    carries_athletes,
    erase,
    holds_athlete,
    key_columns,
)
from lakehouse.lake.commits import LANDED_KEY, landed_summaries
from lakehouse.lake.readers import file_tasks
from lakehouse.lake.snapshot_files import FileIndex, delete_all, unreferenced

ERASURE_KEY = "peloton.erasure"
"""In an erasure's commits: what they removed (never who)."""
ERASURE_BRANCH_PREFIX = "erasure-"


@dataclass
class TableErasure:
    """What the erasure did to one table (or would do, in a dry run)."""

    table: str
    rows_removed: int = 0
    """Rows of the current state (main) removed or emptied."""
    refs_rewritten: list[str] = field(default_factory=list)
    """Tags and branches moved to a snapshot without the rows (main not counted)."""
    snapshots_expired: int = 0
    data_files_deleted: int = 0
    metadata_files_deleted: int = 0
    """Manifests and manifest lists (not counted in a dry run)."""
    held_snapshots: int = 0
    """Snapshots younger than the window that still hold the rows."""
    held_until: datetime | None = None
    """When the youngest of those is older than the window: the erasure is then run again."""


@dataclass
class ErasureReport:
    athlete: Athlete
    window: timedelta
    dry_run: bool
    tables: list[TableErasure] = field(default_factory=list)

    @property
    def rows_removed(self) -> int:
        return sum(t.rows_removed for t in self.tables)


def _tables(catalog: Catalog) -> list[str]:
    return sorted(
        ".".join(identifier)
        for namespace in catalog.list_namespaces()
        for identifier in catalog.list_tables(namespace)
    )


def _file_rows(table: Table, path: str, wanted: tuple[str, ...]) -> pa.Table | None:
    """The `wanted` columns the data file has, read; None when it has none of them."""
    with table.io.new_input(path).open() as stream:
        parquet = pq.ParquetFile(stream)
        present = [n for n in wanted if n in parquet.schema_arrow.names]
        return parquet.read(columns=present) if present else None


def resolve_athlete(catalog: Catalog, athlete_id: int | None, bib: int | None) -> Athlete:
    """The athlete's ids and bibs: what is given, and what tables that pair the two (the start
    list, the marts) say the other is, in any snapshot (an earlier erasure may have removed
    them from the current state)."""
    ids = {athlete_id} if athlete_id is not None else set()
    bibs = {bib} if bib is not None else set()
    for name in _tables(catalog):
        table = catalog.load_table(name)
        names = table.schema().column_names
        id_column = next((c for c in ATHLETE_COLUMNS if c in names), None)
        if id_column is None or "bib" not in names:
            continue
        index = FileIndex(table)
        paths = set().union(*(index.of(s).data for s in table.snapshots()))
        for path in sorted(paths):
            rows = _file_rows(table, path, (id_column, "bib"))
            if rows is None or id_column not in rows.column_names:
                continue
            for row in rows.to_pylist():
                if row[id_column] in ids or row["bib"] in bibs:
                    if row[id_column] is not None:
                        ids.add(row[id_column])
                    if row["bib"] is not None:
                        bibs.add(row["bib"])
    return Athlete(frozenset(ids), frozenset(bibs))


def _dirty_files(table: Table, index: FileIndex, athlete: Athlete) -> set[str]:
    """The data files, of any snapshot, that hold a row of the athlete or naming them."""
    wanted = key_columns(table.schema().column_names)
    paths = set().union(*(index.of(s).data for s in table.snapshots()))
    dirty = set()
    for path in sorted(paths):
        rows = _file_rows(table, path, wanted)
        if rows is not None and holds_athlete(rows, athlete):
            dirty.add(path)
    return dirty


def _properties(table: Table, ref: str) -> dict[str, str]:
    return {
        ERASURE_KEY: "rows of one athlete removed or emptied",
        LANDED_KEY: json.dumps(landed_summaries(table, ref), sort_keys=True),
    }


def _rewrite(table: Table, ref: str, athlete: Athlete, dirty: set[str], dry_run: bool) -> int:
    """Rewrite the dirty files of `ref`'s head without the athlete's rows, in one commit on
    `ref`; how many rows were removed or emptied."""
    snapshot_id = table.refs()[ref].snapshot_id
    tasks = [task for task in file_tasks(table, snapshot_id) if task.file.file_path in dirty]
    if not tasks:
        return 0
    changed = 0
    write_uuid, counter = uuid.uuid4(), itertools.count(0)
    replaced: list[tuple[DataFile, list[DataFile]]] = []
    try:
        for task in tasks:
            rows = ArrowScan(table.metadata, table.io, table.schema(), AlwaysTrue()).to_table(
                [task]
            )
            kept, count = erase(rows, athlete)
            changed += count
            if dry_run:
                continue
            new = (
                list(_dataframe_to_data_files(table.metadata, kept, table.io, write_uuid, counter))
                if kept.num_rows
                else []
            )
            replaced.append((task.file, new))
        if not dry_run:
            with table.transaction() as txn:
                properties = _properties(table, ref)
                update = txn.update_snapshot(snapshot_properties=properties, branch=ref)
                with update.overwrite() as overwrite:
                    for old, new in replaced:
                        overwrite.delete_data_file(old)
                        for data_file in new:
                            overwrite.append_data_file(data_file)
    except BaseException:
        delete_all(table, (f.file_path for _, new in replaced for f in new))
        raise
    return changed


def _rewrite_tag(
    table: Table, tag: str, athlete: Athlete, dirty: set[str], done: dict[int, int]
) -> None:
    """Move `tag` to a new snapshot: its snapshot without the athlete's rows (the one already
    written for a branch at the same snapshot, if any: `done` maps old to rewritten ids)."""
    ref = table.refs()[tag]
    rewritten = done.get(ref.snapshot_id)
    if rewritten is not None:
        table.manage_snapshots().create_tag(
            rewritten, tag, max_ref_age_ms=ref.max_ref_age_ms
        ).commit()
        return
    branch = f"{ERASURE_BRANCH_PREFIX}{uuid.uuid4().hex[:12]}"
    table.manage_snapshots().create_branch(ref.snapshot_id, branch).commit()
    try:
        _rewrite(table, branch, athlete, dirty, dry_run=False)
        table.refresh()
        rewritten = table.refs()[branch].snapshot_id
        table.manage_snapshots().create_tag(
            rewritten, tag, max_ref_age_ms=ref.max_ref_age_ms
        ).remove_branch(branch).commit()
        done[ref.snapshot_id] = rewritten
    finally:
        table.refresh()
        if branch in table.refs():
            table.manage_snapshots().remove_branch(branch).commit()


def _held(snapshots: list[Snapshot], window: timedelta) -> tuple[int, datetime | None]:
    if not snapshots:
        return 0, None
    youngest = max(s.timestamp_ms for s in snapshots)
    return len(snapshots), datetime.fromtimestamp(youngest / 1000, UTC) + window


def forget_in_table(
    table: Table, athlete: Athlete, window: timedelta, now: datetime, dry_run: bool = False
) -> TableErasure:
    """Erase the athlete from one table (the steps in this module's docstring)."""
    result = TableErasure(".".join(table.name()))
    index = FileIndex(table)
    dirty = _dirty_files(table, index, athlete)
    if not dirty:
        return result
    cutoff_ms = int((now - window).timestamp() * 1000)
    snapshots = {s.snapshot_id: s for s in table.snapshots()}
    tainted = {i for i, s in snapshots.items() if index.of(s).data & dirty}
    refs = table.refs()
    rewritten = [
        name
        for name, ref in sorted(refs.items(), key=lambda item: item[0] != MAIN_BRANCH)
        if ref.snapshot_id in tainted
        and (
            ref.snapshot_ref_type == SnapshotRefType.BRANCH
            or snapshots[ref.snapshot_id].timestamp_ms < cutoff_ms
        )
    ]
    # snapshot -> its rewrite without the athlete (an erasure's commit on it, of this run or an
    # earlier one): a tag at the snapshot moves there, its files are not written twice
    done = {
        s.parent_snapshot_id: i
        for i, s in sorted(snapshots.items(), key=lambda item: item[1].timestamp_ms)
        if s.parent_snapshot_id is not None
        and i not in tainted
        and s.summary is not None
        and ERASURE_KEY in s.summary.additional_properties
    }
    for name in sorted(
        rewritten, key=lambda n: refs[n].snapshot_ref_type != SnapshotRefType.BRANCH
    ):
        if refs[name].snapshot_ref_type == SnapshotRefType.BRANCH:
            count = _rewrite(table, name, athlete, dirty, dry_run)
            table.refresh()
            if name == MAIN_BRANCH:
                result.rows_removed = count
            if not dry_run:
                done.setdefault(refs[name].snapshot_id, table.refs()[name].snapshot_id)
        elif not dry_run:
            _rewrite_tag(table, name, athlete, dirty, done)
    result.refs_rewritten = sorted(name for name in rewritten if name != MAIN_BRANCH)

    if dry_run:  # the refs rewritten will no longer hold their snapshots
        protected = {r.snapshot_id for n, r in refs.items() if n not in rewritten}
    else:
        protected = {r.snapshot_id for r in table.refs().values()}
    expired = [
        snapshots[i]
        for i in sorted(tainted)
        if snapshots[i].timestamp_ms < cutoff_ms and i not in protected
    ]
    expired_ids = {s.snapshot_id for s in expired}
    result.snapshots_expired = len(expired)
    data = set().union(*(index.of(s).data for s in expired))
    if dry_run:
        kept = [s for i, s in snapshots.items() if i not in expired_ids]
        heads = (index.of(snapshots[refs[n].snapshot_id]).data for n in rewritten)
        carried = set().union(*heads) - dirty  # the rewritten snapshots keep these
        gone = unreferenced(index, expired, kept) - carried
        result.data_files_deleted = len(gone & data)
    else:
        if expired:
            table.maintenance.expire_snapshots().by_ids(sorted(expired_ids)).commit()
            table.refresh()
        gone = unreferenced(index, expired, table.snapshots())
        result.data_files_deleted = delete_all(table, gone & data)
        result.metadata_files_deleted = delete_all(table, gone - data)
    held = [snapshots[i] for i in tainted if i not in expired_ids]
    result.held_snapshots, result.held_until = _held(held, window)
    return result


def forget_athlete(
    catalog: Catalog,
    athlete: Athlete,
    window: timedelta,
    dry_run: bool = False,
    on_table: Callable[[str, int, int], None] | None = None,
    now: datetime | None = None,
) -> ErasureReport:
    """Erase the athlete from every table that can name a rider; `on_table(name, i, n)` is
    called before each table."""
    report = ErasureReport(athlete, window, dry_run)
    moment = now or datetime.now(UTC)
    names = [n for n in _tables(catalog) if carries_athletes(catalog.load_table(n).schema())]
    for i, name in enumerate(names):
        if on_table is not None:
            on_table(name, i, len(names))
        table = catalog.load_table(name)
        report.tables.append(forget_in_table(table, athlete, window, moment, dry_run))
    return report
