"""One upkeep run over the lakehouse's tables, step by step, with a report per table.

Per table, in order: compaction, expiry, dead runs' audit branches, statistics (Trino's
ANALYZE), orphan files. Which steps hold the run lock (lakehouse.lake.lock):

- on the tables that runs publish from an audit branch (staging, marts), every step that
  commits (compaction, expiry, branches, statistics) holds it, table by table: a run publishes
  only if main did not move since it started, so upkeep must not move main during a run;
- on the raw tables, nothing: their writers commit on main with optimistic concurrency and
  retry on conflict, as upkeep's commits do, so neither loses the other's work;
- the orphan step commits nothing and never needs it: it deletes only files older than the
  safety window, which no write in flight has.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from lakehouse.catalog import open_catalog
from lakehouse.errors import PelotonError, UnavailableError
from lakehouse.inventory import LAYERS
from lakehouse.lake.lock import run_lock
from lakehouse.settings import Settings
from lakehouse.upkeep import branches, compaction, expiry, orphans, statistics
from lakehouse.upkeep.report import TableReport, measure

PUBLISHED_LAYERS = ("staging", "marts")
"""Layers whose tables a run publishes from its audit branch."""
MB = 1024 * 1024


@dataclass(frozen=True)
class Options:
    tables: Sequence[str] = ()
    """Only these tables (`layer.name`); every table when empty."""
    dry_run: bool = False
    """Report what each step would do, change nothing."""
    now: datetime | None = None


def table_names(catalog: Catalog) -> list[str]:
    names = []
    for layer in LAYERS:
        with contextlib.suppress(Exception):  # a layer that does not exist yet has no table
            names += sorted(".".join(i) for i in catalog.list_tables(layer))
    return names


def _chosen(catalog: Catalog, wanted: Sequence[str]) -> list[str]:
    every = table_names(catalog)
    unknown = [name for name in wanted if name not in every]
    if unknown:
        raise PelotonError(
            f"no table {', '.join(unknown)} in the lakehouse; tables: {', '.join(every) or 'none'}"
        )
    return list(wanted) or every


class Upkeep:
    """The steps on one table, with the settings' retention and windows."""

    def __init__(self, settings: Settings, catalog: Catalog, options: Options) -> None:
        self.settings, self.catalog, self.options = settings, catalog, options
        self.now = options.now or datetime.now(UTC)
        up = settings.upkeep
        self.target = up.target_file_mb * MB
        self.retention = expiry.Retention(timedelta(hours=up.snapshot_max_age_h), up.snapshots_kept)
        self.window = timedelta(hours=up.orphan_window_h)
        self.no_statistics = statistics.skipped_because(settings)
        published = [
            catalog.load_table(n)
            for n in table_names(catalog)
            if n.split(".")[0] in PUBLISHED_LAYERS
        ]
        self.dead_branches = branches.dead(published, self.window, self.now)

    @contextlib.contextmanager
    def guard(self, name: str) -> Iterator[None]:
        """The run lock, for a table that runs publish from an audit branch."""
        if self.options.dry_run or name.split(".")[0] not in PUBLISHED_LAYERS:
            yield
            return
        home, wait = self.settings.home_dir, self.settings.upkeep.lock_wait_s
        with run_lock(self.catalog, home, f"upkeep of {name}", wait):
            yield

    def run(self, name: str, say: Callable[[str], None]) -> TableReport:
        table = self.catalog.load_table(name)
        report = TableReport(name, measure(table))
        with self.guard(name):
            report.steps["compaction"] = self.compact(table, say)
            report.steps["expiry"] = self.expire(table)
            report.steps["branches"] = self.branches(table)
            report.steps["statistics"] = self.analyze(name)
        report.steps["orphans"] = self.orphans(table)
        report.after = measure(table)
        return report

    def compact(self, table: Table, say: Callable[[str], None]) -> str:
        up = self.settings.upkeep
        if self.options.dry_run:
            planned = compaction.plan(table, self.target, up.min_files)
            files = sum(r.files for r in planned)
            return f"would rewrite {files} files in {len(planned)} partitions"
        before, after = compaction.compact(table, self.target, up.min_files, say)
        return f"{before} files -> {after}" if before else "nothing to compact"

    def expire(self, table: Table) -> str:
        if self.options.dry_run:
            doomed, checkpoint = expiry.expirable(table, self.retention, self.now)
            first = " (after a commit carrying the state forward)" if checkpoint else ""
            return f"would expire {len(doomed)} snapshots{first}"
        versions = self.settings.upkeep.metadata_versions_kept
        limited = expiry.limit_metadata_log(table, versions)
        log = f"; metadata log limited to {versions} versions" if limited else ""
        return f"{expiry.expire(table, self.retention, self.now)} snapshots expired{log}"

    def branches(self, table: Table) -> str:
        present = [b for b in self.dead_branches if b in table.refs()]
        if self.options.dry_run:
            return f"would remove {len(present)} dead runs' branches"
        removed = branches.remove(table, present) if present else []
        return f"removed {', '.join(removed)}" if removed else "no dead run's branch"

    def analyze(self, name: str) -> str:
        if self.no_statistics:
            return f"skipped: {self.no_statistics}"
        if self.options.dry_run:
            return "would analyze"
        try:
            statistics.analyze(self.settings, name)
        except UnavailableError as exc:  # statistics only speed up planning: the rest goes on
            self.no_statistics = f"Trino stopped answering: {exc}"
            return f"skipped: {self.no_statistics}"
        return "analyzed"

    def orphans(self, table: Table) -> str:
        found = orphans.find(table, self.window, self.now)
        young = f"; {len(found.young)} within the safety window kept" if found.young else ""
        if self.options.dry_run:
            return f"would remove {len(found.old)} orphan files{young}"
        return f"{orphans.remove(table, found.old)} orphan files removed{young}"


def maintain(
    settings: Settings,
    options: Options | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> list[TableReport]:
    """Upkeep of the chosen tables (every table by default), a report for each."""
    options = options or Options()
    catalog = open_catalog(settings)
    names = _chosen(catalog, options.tables)
    upkeep = Upkeep(settings, catalog, options)
    reports = []
    for name in names:
        say(f"{name}: upkeep")
        reports.append(upkeep.run(name, _prefixed(say, name)))
    return reports


def _prefixed(say: Callable[[str], None], name: str) -> Callable[[str], None]:
    return lambda line: say(f"{name}: {line}")
