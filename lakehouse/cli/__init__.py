"""The `peloton` command line: `peloton --help` lists the verbs."""

from __future__ import annotations

import sys

# The command modules import only typer, rich and light modules; each command imports what it
# needs when it runs, so that `peloton --help` and the quick commands start fast. The order of
# these imports is the order of `peloton --help`.
# isort: off
from lakehouse.cli import run, sim, demo, doctor, check, gif, postgres, superset, trino  # noqa: F401

# isort: on
from lakehouse.cli.app import app, err_console
from lakehouse.errors import PelotonError


def main() -> None:
    """Entry point: run the app, turning known errors into a one-line message and exit code 1."""
    try:
        app()
    except PelotonError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
