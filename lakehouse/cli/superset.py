"""`peloton superset start|stop|import|check|warm`: the dashboards server and its assets."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from lakehouse.cli.app import app, console, new_table, real_console, sub_app

if TYPE_CHECKING:
    from lakehouse.settings import Settings
    from lakehouse.superset.api import SupersetApi
    from lakehouse.superset.warm import Warmed

superset_app = sub_app("Superset dashboards on Trino.")
app.add_typer(superset_app, name="superset")


WARM_OPTION = typer.Option(
    True,
    "--warm/--no-warm",
    help="Then fetch every chart for every stage into the data cache (an import invalidates it).",
)


@superset_app.command()
def start(warm: bool = WARM_OPTION) -> None:
    """Install Superset in its own virtualenv once, initialize it, serve it, import the assets."""
    from lakehouse.settings import get_settings
    from lakehouse.superset.check import DASHBOARD
    from lakehouse.superset.server import SupersetServer

    settings = get_settings()
    SupersetServer(settings).start(log=console.print)
    _import(settings, warm)
    page = f"{settings.superset.url.rstrip('/')}/superset/dashboard/{DASHBOARD}/"
    console.print(f"open {page}", highlight=False)


@superset_app.command()
def stop() -> None:
    """Stop the Superset server."""
    from lakehouse.settings import get_settings
    from lakehouse.superset.server import SupersetServer

    if SupersetServer(get_settings()).stop():
        console.print("Superset stopped.")
    else:
        console.print("Superset was not running.")


@superset_app.command(name="import")
def import_command(warm: bool = WARM_OPTION) -> None:
    """Import (overwriting) the assets of superset/assets/ into the running Superset."""
    from lakehouse.settings import get_settings

    _import(get_settings(), warm)


def _import(settings: Settings, warm: bool) -> None:
    from lakehouse.superset.api import SupersetApi
    from lakehouse.superset.assets import import_assets

    api = SupersetApi(settings)
    try:
        count = import_assets(settings, api)
        console.print(f"{count} asset files imported")
        if warm:
            warm_charts(api)
    finally:
        api.close()


def warm_charts(api: SupersetApi, workers: int = 3) -> Warmed:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from lakehouse.superset.warm import warm_dashboard

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=real_console(console), transient=True) as bar:
        task = bar.add_task("warming the chart data cache", total=None)
        warmed = warm_dashboard(
            api,
            workers=workers,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for error in warmed.failed:
        console.print(f"[red]{error}[/]", highlight=False)
    console.print(warmed.describe(), highlight=False)
    return warmed


@superset_app.command()
def check(
    stage: int | None = typer.Option(None, "--stage", help="Filter every chart on this stage."),
    json_output: bool = typer.Option(False, "--json", help="One JSON line per chart."),
) -> None:
    """Fetch every chart's data through the chart data API; exit 1 if one errors or is empty.

    The last line is a one-line JSON summary.
    """
    from lakehouse.settings import get_settings
    from lakehouse.superset.api import SupersetApi
    from lakehouse.superset.check import check_dashboard

    api = SupersetApi(get_settings())
    try:
        checks = check_dashboard(api, stage=stage)
    finally:
        api.close()
    if json_output:
        for c in checks:
            print(json.dumps(c.as_dict(), default=str))
    else:
        table = new_table("chart", "type", "rows", "seconds", "result")
        for c in checks:
            result = "[green]ok[/]" if c.ok else f"[red]{c.error or 'no rows'}[/]"
            table.add_row(c.chart, c.viz_type, str(c.rows), f"{c.seconds:.2f}", result)
        console.print(table)
    failed = [c.chart for c in checks if not c.ok]
    summary = {"charts": len(checks), "failed": failed, "ok": bool(checks) and not failed}
    print(json.dumps(summary))
    if not summary["ok"]:
        raise typer.Exit(code=1)


@superset_app.command()
def warm(
    workers: int = typer.Option(3, "--workers", min=1, help="Chart queries run at once."),
) -> None:
    """Fetch every chart again for every stage into Superset's data cache (after a pipeline run).

    Exit 1 if a chart fails; the last line is a one-line JSON summary.
    """
    from lakehouse.settings import get_settings
    from lakehouse.superset.api import SupersetApi

    api = SupersetApi(get_settings())
    try:
        warmed = warm_charts(api, workers)
    finally:
        api.close()
    print(json.dumps(warmed.summary()))
    if warmed.failed:
        raise typer.Exit(code=1)
