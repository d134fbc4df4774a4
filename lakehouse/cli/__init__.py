"""The `peloton` command line: `peloton --help` lists the verbs."""

from __future__ import annotations

import os
import sys

# The command modules import only typer, rich and light modules; each command imports what it
# needs when it runs, so that `peloton --help` and the quick commands start fast. The order of
# these imports is the order of `peloton --help`.
# isort: off
from lakehouse.cli import run, sim, demo, doctor, check, gif, ask, bot, postgres, superset, trino  # noqa: F401
from lakehouse.cli import race  # noqa: F401

# isort: on
import typer

from lakehouse.cli.app import app
from lakehouse.cli.failures import DEBUG_VARIABLE, explain


def main() -> None:
    """Entry point: run the app; a failure is one line saying what to do, and exit code 1."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        # plain text (click's colours), not rich: a quick command that fails stays quick
        typer.secho("error: ", fg="red", bold=True, err=True, nl=False)
        typer.echo(explain(exc), err=True)
        sys.exit(1)
