"""`peloton sim`: simulate the race and fill the three sources."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from lakehouse.cli.app import app, console, new_table, real_console
from lakehouse.redact import mask_url
from racesim.scales import SCALES, get_scale

if TYPE_CHECKING:
    from lakehouse.settings import Settings
    from racesim.simulate import Progress, SimulationReport


@contextmanager
def simulation_progress(url: str | None, scale: str, seed: int) -> Iterator[Progress]:
    """The source database (password masked), then a progress bar for a simulation run."""
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    if url is not None:
        console.print(f"Source database: {mask_url(url)}", highlight=False)
    with Bar(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=real_console(console),
        transient=False,
    ) as bar:
        task = bar.add_task(f"simulating ({scale}, seed {seed})", total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield progress


def simulate_sources(
    settings: Settings,
    scale: str,
    seed: int,
    out: Path | None,
    load: bool = True,
    routes: Path | None = None,
) -> SimulationReport:
    """Run the simulator with a progress bar, load the database, push the sheet if configured."""
    from lakehouse.postgres.connect import source_url
    from racesim.simulate import run_simulation

    get_scale(scale)
    out_dir = out or settings.home_dir / "sources"
    url = source_url(settings) if load else None
    with simulation_progress(url, scale, seed) as progress:
        report = run_simulation(
            scale, seed, out_dir, url, progress, data_dir=routes, schema=settings.source.schema_name
        )
    if settings.sheets.spreadsheet_id:
        from racesim.athletes import make_riders
        from racesim.sheets import push_athletes

        link = push_athletes(make_riders(get_scale(scale).teams, seed), settings.sheets)
        console.print(f"Athletes pushed to the Google Sheet: {link}")
    return report


def print_report(report: SimulationReport) -> None:
    table = new_table(title=f"Simulated {report.scale} race, seed {report.seed}")
    table.add_column("partition")
    table.add_column("rows", justify="right")
    for name, rows in report.rows_per_partition.items():
        table.add_row(name, f"{rows:,}")
    table.add_row("[bold]total", f"[bold]{report.total_rows:,}")
    console.print(table)
    console.print(
        f"{report.riders} riders ({report.strava_riders} with telemetry), stages "
        f"{', '.join(map(str, report.stages))}; files in {report.out_dir}; "
        f"{report.seconds:.1f} s ({report.total_rows / max(report.seconds, 1e-9):,.0f} rows/s)",
        highlight=False,
    )


@app.command()
def sim(
    scale: str = typer.Option("tiny", help=f"Size of the race: {', '.join(SCALES)}."),
    seed: int = typer.Option(2023, help="Random seed: the same seed gives the same race."),
    out: Path | None = typer.Option(None, help="Output folder (default PELOTON_HOME/sources)."),
    load: bool = typer.Option(True, help="Load telemetry into the source database."),
    routes: Path | None = typer.Option(
        None, help="Route data folder (stages.csv + routes/stage-NN.csv); default: the 2023 Tour."
    ),
) -> None:
    """Simulate the race: athletes sheet, 21 stage CSVs, telemetry in PostgreSQL, ground truth."""
    from lakehouse.settings import get_settings

    report = simulate_sources(get_settings(), scale, seed, out, load, routes)
    print_report(report)
