"""`peloton catalog register`: the tables registered again from the warehouse's metadata files."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer

from lakehouse.cli.app import app, console, err_console, new_table, sub_app

catalog_app = sub_app("The Iceberg catalog: register the warehouse's tables again.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("register")
def register(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be registered only."),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Point a table the catalog has at another metadata file to the latest one found.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Register every table of the warehouse in the catalog, at its latest metadata file.

    For a catalog database that was lost or rebuilt: the warehouse holds every table's
    metadata (snapshots, tags, branches). Exit 1 if a table cannot be registered.
    """
    from lakehouse.catalog import open_catalog, warehouse_location
    from lakehouse.lake.lock import run_lock
    from lakehouse.lake.recovery import register_tables
    from lakehouse.settings import get_settings

    settings = get_settings()
    catalog = open_catalog(settings)
    warehouse = warehouse_location(settings)
    with (
        run_lock(catalog, settings.home_dir, "catalog register"),
        console.status(f"Reading the metadata files under {warehouse}"),
    ):
        report = register_tables(catalog, warehouse, dry_run=dry_run, replace=replace)
    if json_output:
        print(json.dumps(asdict(report) | {"ok": report.ok}))
    else:
        view = new_table(title="Dry run: nothing registered" if dry_run else "Tables registered")
        for column in ("table", "result", "metadata file", "version", "snapshots", "tags", "note"):
            view.add_column(column)
        for r in report.registrations:
            t = r.table
            view.add_row(
                t.identifier,
                r.status,
                t.metadata_location.rsplit("/", 1)[-1],
                str(t.version),
                str(t.snapshots),
                ", ".join(t.tags),
                r.detail,
                style="red" if r.status == "refused" else None,
            )
        console.print(view)
        for r in report.registrations:
            for passed in r.table.passed_over:
                err_console.print(
                    f"{r.table.identifier}: passed over {passed.location}: {passed.problem}",
                    markup=False,
                )
        if report.views:
            err_console.print(
                f"{len(report.views)} views found, not registered: `peloton trino init` "
                "creates them again",
                markup=False,
            )
        for problem in report.problems:
            err_console.print(f"[red]cannot register[/] {problem}")
        if not report.registrations and not report.problems:
            err_console.print(f"no table metadata found under {warehouse}", markup=False)
    if not report.ok:
        raise typer.Exit(code=1)
