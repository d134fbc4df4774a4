"""`peloton doctor`: which parts are configured and reachable, and how to fix the others."""

from __future__ import annotations

import typer

from lakehouse.cli.app import app, console, new_table


@app.command()
def doctor(
    json_output: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    strict: bool = typer.Option(False, help="Exit non-zero when any check fails."),
) -> None:
    """Report every part (database, catalog, storage, Java, Trino, Superset) with fixes."""
    from lakehouse.doctor import as_json, run_checks
    from lakehouse.settings import get_settings

    checks = run_checks(get_settings())
    if json_output:
        print(as_json(checks))
    else:
        table = new_table(title="Peloton doctor")
        for column in ("part", "status", "detail", "fix"):
            table.add_column(column, overflow="fold")
        for c in checks:
            status = "[green]ok[/]" if c.ok else "[red]not ok[/]"
            table.add_row(c.part, status, c.detail, c.fix)
        console.print(table)
    if strict and not all(c.ok for c in checks):
        raise typer.Exit(code=1)
