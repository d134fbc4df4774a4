"""`peloton race`: the race unfolding day by day in the sources, with faults."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from lakehouse.cli.app import app, console, new_table, print_pairs, sub_app

if TYPE_CHECKING:
    from lakehouse.settings import Settings
    from racesim.unfold import DayReport, Unfolding

race_app = sub_app("The race unfolding day by day: one stage day per delivery, with faults.")
app.add_typer(race_app, name="race")

OUT_HELP = "Sources folder (default PELOTON_HOME/sources, where the ingestion reads)."


def _out(settings: Settings, out: Path | None) -> Path:
    return out or settings.home_dir / "sources"


def _push_sheet(settings: Settings, unfolding: Unfolding) -> None:
    """The athletes sheet as just written, to the Google Sheet too when one is configured."""
    if not settings.sheets.spreadsheet_id or unfolding.published_sheet is None:
        return
    from racesim.sheets import push_table

    link = push_table(unfolding.published_sheet, settings.sheets)
    console.print(f"Athletes pushed to the Google Sheet: {link}", highlight=False)


@race_app.command()
def start(
    scale: str = typer.Option("tour-lite", help="Size of the race (see `peloton sim --help`)."),
    seed: int = typer.Option(2023, help="Random seed: the same seed gives the same race."),
    faults: str = typer.Option(
        "default", help="Fault profile: default, none (a clean race) or a YAML file."
    ),
    out: Path | None = typer.Option(None, help=OUT_HELP),
    load: bool = typer.Option(True, help="Deliver telemetry into the source database."),
    routes: Path | None = typer.Option(
        None, help="Route data folder (stages.csv + routes/stage-NN.csv); default: the 2023 Tour."
    ),
) -> None:
    """Simulate the race and lay the sources as before its first stage (no day delivered)."""
    from lakehouse.cli.sim import simulation_progress
    from lakehouse.postgres.connect import source_url
    from lakehouse.settings import get_settings
    from racesim.unfold import Unfolding

    settings = get_settings()
    url = source_url(settings) if load else None
    with simulation_progress(url, scale, seed) as progress:
        unfolding = Unfolding.create(
            _out(settings, out),
            scale,
            seed,
            url,
            schema=settings.source.schema_name,
            faults=faults,
            data_dir=routes,
            progress=progress,
        )
    _push_sheet(settings, unfolding)
    console.print(
        f"Race of {unfolding.total} days ({scale}, seed {seed}, faults {faults}) in "
        f"{unfolding.out_dir}; no day delivered yet: `peloton race next-day`.",
        highlight=False,
    )


@race_app.command("next-day")
def next_day(
    days: int = typer.Option(1, min=1, help="How many days to deliver, one after the other."),
    out: Path | None = typer.Option(None, help=OUT_HELP),
) -> None:
    """Deliver the next stage day into the sources, with that night's faults and repairs."""
    from lakehouse.settings import get_settings
    from racesim.errors import SimulationError
    from racesim.unfold import Unfolding

    settings = get_settings()
    unfolding = Unfolding.open(_out(settings, out))
    left = unfolding.total - unfolding.delivered
    if left == 0:
        raise SimulationError(f"all {unfolding.total} days are delivered; the race is over")
    for _ in range(min(days, left)):
        report = unfolding.next_day()
        _push_sheet(settings, unfolding)
        _print_day(report, unfolding.total)
    if days > left:
        console.print(f"The race is over: all {unfolding.total} days delivered.")


def _print_day(report: DayReport, total: int) -> None:
    rows = ", ".join(f"{name} {n:,}" for name, n in report.rows.items())
    console.print(
        f"[bold]Day {report.index}/{total}[/]: stage {report.stage}, {report.day}: telemetry "
        f"rows {rows} ({report.seconds:.1f} s)",
        highlight=False,
    )
    for fault in report.faults:
        console.print(
            f"  fault {fault.kind} ({fault.source}): {fault.detail}; expect: {fault.expect}",
            highlight=False,
        )
    for fault in report.fixed:
        console.print(f"  fixed {fault.kind} of {fault.day} ({fault.source})", highlight=False)


@race_app.command()
def status(out: Path | None = typer.Option(None, help=OUT_HELP)) -> None:
    """Days delivered, rows in each partition, the faults so far and those planned."""
    from lakehouse.settings import get_settings
    from racesim.unfold import Unfolding

    unfolding = Unfolding.open(_out(get_settings(), out))
    state = unfolding.state
    print_pairs(
        [
            ("race", f"{unfolding.scale}, seed {unfolding.seed}, faults {state['faults']}"),
            ("folder", str(unfolding.out_dir)),
            ("delivered", f"{unfolding.delivered} of {unfolding.total} days"),
            ("telemetry rows", f"{sum(unfolding.rows.values()):,}"),
        ]
    )
    if not unfolding.planned_faults():
        typer.echo("no fault planned: a clean race")
        return
    table = new_table("night", "stage", "day", "fault", "source", "status")
    happened = {(f.kind, f.day) for f in unfolding.faults()}
    for index, kind, source in unfolding.planned_faults():
        stage, day = unfolding.stage_day(index)
        done = "happened" if (kind, day) in happened else "planned"
        table.add_row(str(index), str(stage), str(day), kind, source, done)
    console.print(table)
