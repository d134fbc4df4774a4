"""`peloton demo`: the whole platform on embedded defaults, in one command."""

from __future__ import annotations

import typer

from lakehouse.cli.app import app, console
from lakehouse.cli.run import run, tables
from lakehouse.cli.sim import print_report, simulate_sources
from lakehouse.redact import mask_url
from racesim.scales import DEMO_SCALE


@app.command()
def demo(
    seed: int = typer.Option(2023, help="Random seed of the simulated race."),
    scale: str = typer.Option(DEMO_SCALE, help="Size of the simulated race."),
) -> None:
    """Start the embedded parts and run everything at the demo scale; print where to look."""
    from lakehouse.postgres.embedded import EmbeddedPostgres
    from lakehouse.settings import get_settings

    settings = get_settings()
    if settings.source.url is None:
        url = EmbeddedPostgres(settings).start()
        console.print(f"PostgreSQL running: {mask_url(url)}", highlight=False)
    report = simulate_sources(settings, scale, seed, None)
    print_report(report)
    run(ingest_only=False, days=None, stages=None, full_refresh=False)
    tables(json_output=False)
    console.print(
        "\n[bold]Where to look[/]\n"
        f"- sources: {report.out_dir} (athletes/, stages/, truth/, manifest.json)\n"
        "- telemetry: `peloton postgres status`, then SQL on race.telemetry\n"
        f"- lakehouse: `peloton tables` (Iceberg warehouse in {settings.home_dir / 'warehouse'})\n"
        "- results: marts.stage_results and marts.general_classification (`peloton tables`)\n"
        "- SQL: `peloton trino start`, `peloton trino init`, then e.g. `peloton trino sql "
        '"SELECT * FROM views.climbs" --user bi` (trino/README.md)\n'
        "- dashboards: set PELOTON_SUPERSET__ADMIN_PASSWORD and PELOTON_SUPERSET__SECRET_KEY, "
        "then (Trino running) `peloton superset start` and open the stage explorer "
        "(superset/README.md)\n"
        "- every part: `peloton doctor` shows what is configured and reachable",
        highlight=False,
    )
