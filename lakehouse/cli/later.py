"""Verbs whose work arrives with later issues; each says which one and exits non-zero."""

from __future__ import annotations

import typer

from lakehouse.cli.app import app, err_console


def _not_yet(verb: str, issue: str) -> None:
    err_console.print(f"`peloton {verb}` is not available yet: it arrives with {issue}.")
    raise typer.Exit(code=2)


@app.command()
def check() -> None:
    """Run the data quality checks on the marts, optionally against ground truth (issue #4)."""
    _not_yet("check", "issue #4 (transforms)")
