"""`peloton demo`: the whole platform on embedded defaults, in one command, left running."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from lakehouse.cli.app import app, console, new_table
from lakehouse.cli.run import run
from lakehouse.cli.sim import print_report, simulate_sources
from lakehouse.errors import PelotonError
from lakehouse.redact import mask_url
from racesim.scales import DEMO_SCALE

if TYPE_CHECKING:
    from lakehouse.demo.platform import Dashboards, TrinoReady
    from lakehouse.demo.showcase import FlybyShown
    from lakehouse.demo.timing import Stopwatch
    from lakehouse.settings import Settings
    from lakehouse.superset.secrets import DemoSecrets
    from lakehouse.trino.server import TrinoStatus

T = TypeVar("T")

STEPS = 7
BESIDE = "(beside steps 2-3)"


class _Steps:
    """Numbered steps, each timed, its title printed before and its time after."""

    def __init__(self, watch: Stopwatch) -> None:
        self.watch = watch
        self.number = 0
        self.failed: list[str] = []

    @contextmanager
    def __call__(self, name: str, spinner: str | None = None) -> Iterator[None]:
        """Run the block as the next step; `spinner` shows a status line while it runs (for
        the steps that draw no progress bar of their own)."""
        from lakehouse.demo.timing import duration

        self.number += 1
        console.rule(f"[bold]{self.number}/{STEPS} {name}", align="left")
        with self.watch.step(name):
            if spinner:
                with console.status(spinner):
                    yield
            else:
                yield
        console.print(f"[green]done[/] {name}: {duration(self.watch.seconds_of(name))}")

    def background(self, name: str, work: Callable[..., T], *args: Any) -> T:
        """Run `work` (in a thread beside the numbered steps), timed as `name`."""
        from lakehouse.demo.timing import duration

        with self.watch.step(name):
            result = work(*args)
        console.print(f"[green]done[/] {name}: {duration(self.watch.seconds_of(name))}")
        return result

    @contextmanager
    def showcase(self, name: str, spinner: str) -> Iterator[None]:
        """A step that shows a consumer: a failure is reported and the demo goes on."""
        try:
            with self(name, spinner):
                yield
        except PelotonError as exc:
            self.failed.append(name)
            console.print(f"[red]{name} failed:[/] {exc}", highlight=False)


@app.command()
def demo(
    seed: int = typer.Option(2023, help="Random seed of the simulated race."),
    scale: str = typer.Option(DEMO_SCALE, help="Size of the simulated race."),
) -> None:
    """Start PostgreSQL, simulate and run the pipeline, start Trino and Superset, draw a flyby
    and ask the bot; print the URLs, commands to try and each step's time. `make stop` stops it."""
    from concurrent.futures import ThreadPoolExecutor

    from lakehouse.demo.platform import start_superset, start_trino
    from lakehouse.demo.timing import Stopwatch
    from lakehouse.settings import get_settings
    from lakehouse.superset.secrets import demo_secrets

    settings = get_settings()
    # Prefect's ephemeral API starts while Trino and Superset start beside it: give it longer
    # than `peloton run` alone does (lakehouse.orchestration); a user's own value wins
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
    steps = _Steps(Stopwatch())
    with steps("PostgreSQL", "starting the embedded PostgreSQL"):
        _start_postgres(settings)
        secrets = demo_secrets(settings)
    # Trino and Superset start beside the simulation and the pipeline (lakehouse.demo.platform)
    beside = ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo-server")
    trino_started = beside.submit(
        steps.background, f"Trino {BESIDE}", start_trino, settings, _logger("Trino")
    )
    superset_started = beside.submit(
        steps.background, f"Superset {BESIDE}", start_superset, secrets, _logger("Superset")
    )
    beside.shutdown(wait=False)
    with steps(f"Simulation ({scale}, seed {seed})"):
        report = simulate_sources(settings, scale, seed, None)
        print_report(report)
    with steps("Pipeline"):
        run(ingest_only=False, days=None, stages=None, full_refresh=False)
    with steps("Trino's views, Superset's dashboards", "waiting for Trino and Superset"):
        trino = _trino_views(settings, trino_started.result())
        superset_started.result()
        dashboards = _import_dashboards(secrets)
    with steps("Dashboards' chart cache"):
        _warm(dashboards.settings)
    flyby, exports_url = None, None
    with steps.showcase("Flyby GIF", "reading the race and drawing the frames"):
        flyby = _flyby(settings, trino.stages)
        exports_url = _serve_exports(settings)
    with steps.showcase("Race bot", "opening the bot's index and asking it"):
        _answer(settings, trino.stages)
    _print_summary(trino, dashboards, flyby, exports_url, steps)
    if steps.failed:
        raise typer.Exit(code=1)


def _logger(part: str) -> Callable[[str], None]:
    def log(line: str) -> None:
        console.print(f"[{part}] {line}", highlight=False, markup=False)

    return log


def _start_postgres(settings: Settings) -> None:
    from lakehouse.postgres.embedded import EmbeddedPostgres

    if settings.source.url is not None:
        console.print("PostgreSQL: PELOTON_SOURCE__URL is set, no embedded server started")
        return
    url = EmbeddedPostgres(settings).start()
    console.print(f"PostgreSQL running: {mask_url(url)}", highlight=False)


def _trino_views(settings: Settings, status: TrinoStatus) -> TrinoReady:
    from lakehouse.demo.platform import READER, trino_views

    ready = trino_views(settings, status)
    console.print(
        f"Trino {status.version} answers at {status.url}; {len(ready.views)} views created; "
        f"as `{READER}` it reads {len(ready.stages)} stages in marts.stage_summary",
        highlight=False,
    )
    return ready


def _import_dashboards(secrets: DemoSecrets) -> Dashboards:
    from lakehouse.demo.platform import import_dashboards

    dashboards = import_dashboards(secrets)
    console.print(
        f"Superset answers at {dashboards.url}; {dashboards.assets} asset files imported",
        highlight=False,
    )
    return dashboards


def _warm(settings: Settings) -> None:
    from lakehouse.cli.superset import warm_charts
    from lakehouse.superset.api import SupersetApi

    api = SupersetApi(settings)
    try:
        warmed = warm_charts(api)
    finally:
        api.close()
    if warmed.failed:
        raise PelotonError(f"{len(warmed.failed)} charts failed: {'; '.join(warmed.failed)}")


def _flyby(settings: Settings, stages: list[int]) -> FlybyShown:
    from lakehouse.demo.showcase import render_flyby

    shown = render_flyby(settings, stages, settings.home_dir / "demo")
    console.print(
        f"{shown.path}: {shown.frames} frames, {shown.size_bytes:,} bytes; {shown.caption}; "
        f"gap {shown.gap_s:.1f} s",
        highlight=False,
        markup=False,
    )
    return shown


def _serve_exports(settings: Settings) -> str:
    """The exports server the dashboards' Flyby GIFs links open, in the background."""
    from lakehouse.gifs.process import ExportsServerProcess

    url = ExportsServerProcess(settings).start()
    console.print(f"Flyby exports served at {url}/ (the stage explorer links there)")
    return url


def _answer(settings: Settings, stages: list[int]) -> None:
    from lakehouse.demo.showcase import bot_answer

    shown = bot_answer(settings, stages)
    console.print(f"Q: {shown.question}", highlight=False, markup=False)
    console.print(f"A: {shown.text}", highlight=False, markup=False)
    for sql in shown.sql:
        console.print(f"SQL: {sql}", style="dim", highlight=False, markup=False)
    if not shown.known:
        raise PelotonError(f"the bot did not know the answer to {shown.question!r}")


def _print_summary(
    trino: TrinoReady,
    superset: Dashboards,
    flyby: FlybyShown | None,
    exports_url: str | None,
    steps: _Steps,
) -> None:
    from lakehouse.demo.platform import READER
    from lakehouse.demo.showcase import commands_to_try
    from lakehouse.demo.timing import duration

    console.rule("[bold]The platform is running", align="left")
    console.print(f"Superset   {superset.dashboard_url}", highlight=False, soft_wrap=True)
    if superset.new_password is not None:
        console.print(
            f"           user {superset.user}, password [bold]{superset.new_password}[/] "
            f"(shown this once; kept in {superset.password_file}, readable by you only)",
            highlight=False,
            soft_wrap=True,
        )
    elif superset.password_from_file:
        console.print(
            f"           user {superset.user}, password in {superset.password_file}",
            highlight=False,
        )
    else:
        console.print(
            f"           user {superset.user}, password of PELOTON_SUPERSET__ADMIN_PASSWORD",
            highlight=False,
        )
    console.print(
        f"Trino      {trino.status.url} (users: {READER} to read, etl to write)", highlight=False
    )
    if flyby is not None:
        console.print(f"Flyby GIF  {flyby.path}", highlight=False, soft_wrap=True)
    if exports_url is not None:
        console.print(f"Exports    {exports_url}/ (every night's flyby GIFs)", highlight=False)
    console.print("\n[bold]Try[/]")
    for what, command in commands_to_try(trino.stages, flyby):
        console.print(f"  {command}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"    {what}", style="dim", highlight=False, markup=False)
    table = new_table("step", "time", title="Time per step")
    table.columns[1].justify = "right"
    for step in steps.watch.steps:
        table.add_row(step.name, duration(step.seconds))
    table.add_row("[bold]total", f"[bold]{duration(steps.watch.total_s)}")
    console.print(table)
    console.print(
        f"Demo ready in {duration(steps.watch.total_s)}. `make stop` (or `peloton gif stop`, "
        "`peloton superset stop`, `peloton trino stop`, `peloton postgres stop`) stops it.",
        highlight=False,
    )
