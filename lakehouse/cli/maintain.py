"""`peloton maintain`: table upkeep (compaction, expiry, orphan files) with a report per table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from lakehouse.cli.app import app, console, new_table

if TYPE_CHECKING:
    from lakehouse.upkeep.report import TableReport


def _size(n: int) -> str:
    """Bytes in the largest unit that keeps the number under 1024."""
    size, unit = float(n), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{size:,.0f} B" if unit == "B" else f"{size:,.1f} {unit}"


def _print(reports: list[TableReport], dry_run: bool) -> None:
    title = "Upkeep (dry run: nothing changed)" if dry_run else "Upkeep"
    view = new_table(title=title)
    for column in ("table", "data files", "data", "snapshots", "metadata", "stored files"):
        view.add_column(column, justify="left" if column == "table" else "right")
    for r in reports:
        b, a = r.before, r.after or r.before
        view.add_row(
            r.table,
            f"{b.data_files} -> {a.data_files}",
            f"{_size(b.data_bytes)} -> {_size(a.data_bytes)}",
            f"{b.snapshots} -> {a.snapshots}",
            f"{_size(b.metadata_bytes)} -> {_size(a.metadata_bytes)}",
            f"{b.stored_files} -> {a.stored_files}",
        )
    console.print(view)
    for r in reports:
        console.print(f"[bold]{r.table}[/]: " + "; ".join(f"{k}: {v}" for k, v in r.steps.items()))


@app.command()
def maintain(
    table: list[str] = typer.Option(
        [], "--table", help="Only this table (layer.name); repeat for more. Default: every table."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say what would be done; change nothing."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Table upkeep: compact small files, expire old snapshots (stage tags and incremental
    state kept), remove dead runs' branches and orphan files, refresh Trino's statistics."""
    from lakehouse.settings import get_settings
    from lakehouse.upkeep.maintain import Options, maintain

    options = Options(tables=tuple(table), dry_run=dry_run)
    if json_output:
        reports = maintain(get_settings(), options)
        print(json.dumps([r.as_dict() for r in reports], indent=2))
        return
    with console.status("upkeep") as status:
        reports = maintain(get_settings(), options, lambda line: status.update(line))
    _print(reports, dry_run)
