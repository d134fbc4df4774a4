"""`peloton check`: the quality checks on the marts, and with --truth the ground truth."""

from __future__ import annotations

import json

import typer

from lakehouse.cli.app import app, console, err_console, new_table
from lakehouse.errors import PelotonError


@app.command()
def check(
    truth: bool = typer.Option(False, "--truth", help="Also compare with the simulator's truth."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Run the quality checks on the marts; exit 1 if one fails or a figure is out of bounds."""
    from lakehouse.catalog import open_catalog
    from lakehouse.settings import get_settings
    from lakehouse.transform.checks import (
        Check,
        Figure,
        structural_checks,
        summary,
        telemetry_coverage,
    )
    from lakehouse.transform.truth import truth_checks

    settings = get_settings()
    catalog = open_catalog(settings)
    checks: list[Check] = structural_checks(catalog)
    figures: list[Figure] = [telemetry_coverage(catalog)]  # whom every result is among
    if truth:
        try:
            more, measured = truth_checks(catalog, settings.sources_dir / "truth")
        except FileNotFoundError as exc:
            raise PelotonError(str(exc)) from None
        checks += more
        figures += measured
    result = summary(checks, figures)
    if json_output:
        print(json.dumps(result, default=str))  # its shape: docs/transforms.md#checks
    else:
        view = new_table(title="Checks")
        for column in ("table", "check", "result", "detail"):
            view.add_column(column)
        for c in checks:
            mark = "[green]ok[/]" if c.ok else "[red]FAILED[/]"
            view.add_row(c.table, c.name, mark, c.detail)
        console.print(view)
        for c in (c for c in checks if not c.ok):
            err_console.print(f"{c.table}: {c.name}: examples {c.examples}")
        for f in figures:  # the figures last
            bound = f"{'within' if f.ok else 'OUTSIDE'} {f.limit:g} {f.unit}"
            note = f"; {f.note}" if f.note else ""
            console.print(
                f"{f.name}: {f.value:.3f} {f.unit} ({bound if f.bounded else 'reported'}{note})"
            )
            for example in f.examples:
                console.print(f"    {example}", markup=False)
    if not result["ok"]:
        raise typer.Exit(code=1)
