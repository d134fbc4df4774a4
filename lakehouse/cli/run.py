"""`peloton run` and `peloton tables`: the pipeline on Prefect, and what it landed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from lakehouse.cli.app import app, console, new_table

if TYPE_CHECKING:
    from lakehouse.ingest.steps import IngestSummary
    from lakehouse.pipeline.night import Night
    from lakehouse.transform.marts import MartsResult
    from lakehouse.transform.staging import StagedResult


@app.command()
def run(
    ingest_only: bool = typer.Option(False, help="Only land the sources (raw layer)."),
    days: list[str] | None = typer.Option(None, "--day", help="Stage day YYYY-MM-DD (repeat)."),
    stages: list[int] | None = typer.Option(
        None, "--stage", help="Stage number (repeat): its files and its day's telemetry."
    ),
    full_refresh: bool = typer.Option(False, help="Reprocess everything, changed or not."),
) -> None:
    """Run the pipeline (the `nightly` flow) on Prefect (ephemeral local API unless
    PREFECT_API_URL is set): ingestion, transform, dashboards' cache, GIF exports, bot index.

    The run holds the lakehouse from start to end: another run at the same time is refused,
    with the holder named, before anything starts. A failed step skips what needs it; the
    command exits 1 when a step failed, after printing what ran.
    """
    from lakehouse.errors import PelotonError
    from lakehouse.ingest.selection import select
    from lakehouse.lake.lock import lakehouse_lock
    from lakehouse.orchestration import configure_prefect
    from lakehouse.settings import get_settings

    settings = get_settings()
    select(settings, days, stages)  # an unknown stage or a bad day: refused now
    with lakehouse_lock(settings, "run"):
        configure_prefect(settings)
        from flows.nightly import INGESTION, nightly

        state = nightly(
            days=days,
            stages=stages,
            full_refresh=full_refresh,
            steps=list(INGESTION) if ingest_only else None,
            return_state=True,
        )
    from lakehouse.pipeline.night import Night

    night = state.result(raise_on_failure=False)
    if not isinstance(night, Night):
        raise PelotonError(f"the pipeline failed: {state.message or night}")
    _print_ingestion(night.ingestion())
    if (done := night.transform()) is not None:
        _print_transforms(*done)
    _print_steps(night)
    if night.failed:
        raise PelotonError(f"the pipeline failed: {state.message}")


def _print_steps(night: Night) -> None:
    table = new_table(title="Pipeline")
    for column in ("step", "state", "seconds", "detail"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for o in night.outcomes:
        table.add_row(
            o.name, o.status.value, f"{o.seconds:.1f}", o.detail.splitlines()[0] if o.detail else ""
        )
    console.print(table)


def _print_ingestion(summary: IngestSummary) -> None:
    table = new_table(title="Ingestion")
    for column in ("source", "part", "read", "landed", "quarantined", "note"):
        table.add_column(
            column, justify="right" if column in ("read", "landed", "quarantined") else "left"
        )
    for row in summary.rows():
        landed = "unchanged" if row["skipped"] else f"{row['landed']:,}"
        table.add_row(
            str(row["source"]),
            str(row["part"]),
            f"{row['read']:,}",
            landed,
            f"{row['quarantined']:,}",
            str(row["note"]),
        )
    console.print(table)


def _print_transforms(staged: list[StagedResult], marts: MartsResult) -> None:
    view = new_table(title="Transforms")
    for column in ("table", "day", "rows", "note"):
        view.add_column(column, justify="right" if column == "rows" else "left")
    for s in staged:
        note = "unchanged" if s.skipped else f"{s.duplicates:,} duplicates removed"
        view.add_row("staging.telemetry", str(s.day), f"{s.rows:,}", note)
    recomputed = ", ".join(str(d) for d in marts.days) or "none (unchanged)"
    view.add_row("marts.stage_results", "all", f"{marts.results:,}", f"recomputed: {recomputed}")
    rebuilt = "marts.general_classification" in marts.published
    note = "rebuilt" if rebuilt else "unchanged"
    view.add_row("marts.general_classification", "all", f"{marts.standings:,}", note)
    console.print(view)


def _print_tables(tables: list[dict[str, Any]]) -> None:
    view = new_table(title="Lakehouse tables")
    for column in ("table", "rows", "partitions", "snapshots", "last commit"):
        view.add_column(column, justify="right" if column in ("rows", "snapshots") else "left")
    for t in tables:
        parts = ", ".join(f"{p['value']}: {p['rows']:,}" for p in t["partitions"]) or "-"
        view.add_row(
            t["name"], f"{t['rows']:,}", parts, str(t["snapshots"]), str(t["last_commit_at"] or "-")
        )
    console.print(view)


@app.command()
def tables(
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
    history: str | None = typer.Option(
        None, "--history", help="Show one table's snapshots, tags and summaries (layer.name)."
    ),
) -> None:
    """Every lakehouse table with rows, partitions, snapshots, last commit and location."""
    from lakehouse.catalog import open_catalog
    from lakehouse.inventory import list_lakehouse
    from lakehouse.settings import get_settings

    if history is not None:
        from lakehouse.cli.history import show_history

        show_history(open_catalog(get_settings()), history, json_output)
        return
    found = list_lakehouse(open_catalog(get_settings()))
    if json_output:
        print(json.dumps(found, indent=2))
    else:
        _print_tables(found)
