"""`peloton trino start|stop|status|init|sql`: the embedded Trino and queries to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer

from lakehouse.cli.app import (
    app,
    console,
    print_pairs,
    print_rows,
    real_console,
    sub_app,
)

if TYPE_CHECKING:
    from lakehouse.artifacts import Progress

trino_app = sub_app("The Trino query engine over the lakehouse.")
app.add_typer(trino_app, name="trino")


@contextmanager
def download_progress() -> Iterator[tuple[Progress, Callable[[], None]]]:
    """A transient bar for Trino's download, then its unpacking: the two callbacks of
    `TrinoServer.start`."""
    from rich.progress import BarColumn, DownloadColumn, TextColumn, TransferSpeedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=real_console(console),
        transient=True,
    ) as bar:
        task = bar.add_task("downloading Trino", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        def unpacking() -> None:
            bar.update(task, description="unpacking Trino")

        yield progress, unpacking


@trino_app.command()
def start() -> None:
    """Install Trino once (Maven Central, checksums verified), configure it, start it, wait."""
    from lakehouse.settings import get_settings
    from lakehouse.trino.server import TrinoServer

    server = TrinoServer(get_settings())
    with download_progress() as (progress, unpacking):
        info = server.start(progress=progress, on_unpack=unpacking, log=console.print)
    console.print(
        f"Trino {info.version} answers at {info.url}; configuration {info.etc_dir}, log {info.log}",
        highlight=False,
    )


@trino_app.command()
def stop() -> None:
    """Stop the embedded Trino."""
    from lakehouse.settings import get_settings
    from lakehouse.trino.server import TrinoServer

    if TrinoServer(get_settings()).stop():
        console.print("Trino stopped.")
    else:
        console.print("Trino was not running.")


@trino_app.command()
def status() -> None:
    """Whether Trino runs and answers, where its files are; exit 1 when it does not answer."""
    from lakehouse.settings import get_settings
    from lakehouse.trino.server import TrinoServer

    info = TrinoServer(get_settings()).status()
    print_pairs(
        [
            ("running", "yes" if info.running else "no"),
            ("answering", "yes" if info.answering else "no"),
            ("pid", str(info.pid or "-")),
            ("url", info.url),
            ("version", info.version or "-"),
            ("server", str(info.server_dir)),
            ("configuration", str(info.etc_dir)),
            ("log", str(info.log)),
        ]
    )
    if not info.answering:
        raise typer.Exit(code=1)


@trino_app.command()
def init() -> None:
    """Create or replace the views of trino/views/*.sql in lakehouse.views (idempotent)."""
    from lakehouse.settings import get_settings
    from lakehouse.trino.client import init_views

    done = init_views(get_settings())
    console.print(f"{len(done)} views created or replaced: {', '.join(done)}", highlight=False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@trino_app.command()
def sql(
    query: str = typer.Argument(..., help="One SQL statement."),
    user: str | None = typer.Option(None, "--user", help="Trino user (default: the etl user)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object per row."),
) -> None:
    """Run a query and print its result; exit 1 on error."""
    from lakehouse.settings import get_settings
    from lakehouse.trino.client import run_sql

    result = run_sql(get_settings(), query, user)
    if json_output:
        for row in result.rows:
            record = {c: _plain(v) for c, v in zip(result.columns, row, strict=True)}
            print(json.dumps(record, default=str))
        return
    print_rows(
        result.columns, [["" if v is None else str(_plain(v)) for v in row] for row in result.rows]
    )
