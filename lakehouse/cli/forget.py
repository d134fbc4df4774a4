"""`peloton forget`: erase an athlete's rows from every layer, and from history after a window."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import typer

from lakehouse.cli.app import app, console, err_console, new_table, real_console

if TYPE_CHECKING:
    from rich.table import Table

    from lakehouse.lake.athlete_rows import Athlete
    from lakehouse.lake.erasure import ErasureReport


@app.command()
def forget(
    athlete: int | None = typer.Option(None, "--athlete", help="Strava athlete id to erase."),
    bib: int | None = typer.Option(None, "--bib", help="Race number to erase (no Strava id)."),
    window_days: float | None = typer.Option(
        None,
        "--window-days",
        help="History younger than this keeps the rows (PELOTON_PRIVACY__ERASURE_WINDOW_DAYS).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be erased only."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Erase an athlete's rows (telemetry, start list, results) from raw, staging and marts.

    History older than the window (snapshots, tags) is rewritten or expired and the files that
    held the rows are deleted. The systems of record (the telemetry database, the athletes
    sheet) are not touched: remove the athlete there too, or the next landing of a changed day
    brings the rows back (docs/privacy.md).
    """
    from datetime import timedelta

    from rich.progress import Progress

    from lakehouse.catalog import open_catalog
    from lakehouse.errors import PelotonError
    from lakehouse.lake.erasure import forget_athlete, resolve_athlete
    from lakehouse.lake.lock import run_lock
    from lakehouse.settings import get_settings

    if athlete is None and bib is None:
        raise PelotonError("name the athlete to erase: --athlete STRAVA_ID or --bib NUMBER")
    settings = get_settings()
    days = settings.privacy.erasure_window_days if window_days is None else window_days
    if days < 0:
        raise PelotonError(f"--window-days is {days:g}; expected 0 or more days")
    window = timedelta(days=days)
    catalog = open_catalog(settings)
    what = "forget (dry run)" if dry_run else "forget"
    with run_lock(catalog, settings.home_dir, what):
        who = resolve_athlete(catalog, athlete, bib)
        with Progress(console=real_console(err_console), transient=True) as progress:
            task = progress.add_task(f"Erasing {who}", total=None)

            def on_table(name: str, i: int, n: int) -> None:
                progress.update(task, description=f"{name}", completed=i, total=n)

            report = forget_athlete(catalog, who, window, dry_run=dry_run, on_table=on_table)
    if json_output:
        tables = [asdict(t) for t in report.tables]
        athlete_json = {"athlete_ids": sorted(who.athlete_ids), "bibs": sorted(who.bibs)}
        summary = {"athlete": athlete_json, "window_days": days, "dry_run": dry_run}
        print(json.dumps(summary | {"tables": tables}, default=str))
        return
    console.print(_report_table(report, who, days, dry_run=dry_run))
    if not report.rows_removed and not any(t.held_snapshots for t in report.tables):
        err_console.print(f"no rows of {who} in the current state", markup=False)
    if any(t.held_snapshots for t in report.tables):
        err_console.print(
            "History younger than the window still holds the rows: run the same command again "
            "after the dates shown.",
            markup=False,
        )
    err_console.print(
        "The systems of record (telemetry database, athletes sheet) are not changed: erase the "
        "athlete there too.",
        markup=False,
    )


def _report_table(report: ErasureReport, who: Athlete, days: float, *, dry_run: bool) -> Table:
    """The erasure report, a row a table."""
    title = f"{'Dry run: would erase' if dry_run else 'Erased'} {who} (window {days:g} days)"
    view = new_table(title=title)
    columns = ("table", "rows removed", "tags/branches rewritten", "snapshots expired")
    for column in (*columns, "files deleted", "still held"):
        view.add_column(column)
    for t in report.tables:
        files = str(t.data_files_deleted)
        if not dry_run:
            files += f" (+{t.metadata_files_deleted} metadata)"
        held = f"{t.held_snapshots} until {t.held_until:%Y-%m-%d}" if t.held_until else ""
        view.add_row(
            t.table,
            str(t.rows_removed),
            ", ".join(t.refs_rewritten),
            str(t.snapshots_expired),
            files,
            held,
        )
    return view
