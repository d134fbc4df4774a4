"""The `peloton` command line: `peloton --help` lists the verbs."""

from __future__ import annotations

import sys

from lakehouse.cli import (  # noqa: F401  (registers commands)
    demo,
    doctor,
    postgres,
    run,
    sim,
    superset,
    trino,
)
from lakehouse.cli.app import app, err_console
from lakehouse.errors import PelotonError


def main() -> None:
    """Entry point: run the app, turning known errors into a one-line message and exit code 1."""
    try:
        app()
    except PelotonError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
