"""`peloton gif`: a flyby GIF of two riders on a segment, and the gallery of the exports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from lakehouse.cli.app import app, console, serve_until_interrupted, sub_app
from lakehouse.errors import PelotonError

if TYPE_CHECKING:
    from lakehouse.gifs.request import FlybyRequest

gif_app = sub_app(
    "A flyby GIF: two riders replayed on a segment of a stage (`peloton gif --help`).",
    no_args_is_help=False,
)
gif_app.info.invoke_without_command = True
app.add_typer(gif_app, name="gif")


@gif_app.callback()
def gif(
    ctx: typer.Context,
    stage: int | None = typer.Option(None, "--stage", help="Stage number."),
    climb: str | None = typer.Option(
        None, "--climb", help="A categorized climb of the stage, by name or number."
    ),
    last_km: float | None = typer.Option(None, "--last-km", help="The stage's last KM km."),
    from_km: float | None = typer.Option(None, "--from-km", help="Start of a range (km)."),
    to_km: float | None = typer.Option(None, "--to-km", help="End of a range (km)."),
    riders: str | None = typer.Option(
        None, "--riders", help="Two riders, bibs or names, separated by a comma: '1,Pogacar'."
    ),
    align: str = typer.Option(
        "start", "--align", help="start: both start together (a ghost race); clock: real clock."
    ),
    size: str | None = typer.Option(None, "--size", help="WIDTHxHEIGHT in pixels (800x600)."),
    frames: int | None = typer.Option(None, "--frames", help="Frames of the replay (120)."),
    duration: float | None = typer.Option(
        None, "--duration", help="Length of the replay in seconds (instead of --frames)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="The GIF file to write (default: flyby-stage-N-....gif here)."
    ),
) -> None:
    """Render a flyby GIF comparing two riders on a segment of a stage."""
    if ctx.invoked_subcommand is not None:
        return
    from lakehouse.gifs.request import (
        ALIGNS,
        FlybyRequest,
        FlybyRequestError,
        SegmentChoice,
        parse_size,
        riders_pair,
    )

    if stage is None or riders is None:
        raise FlybyRequestError("give --stage N and --riders A,B (bibs or names), and a segment")
    if align not in ALIGNS:
        raise FlybyRequestError(f"--align {align!r}: expected one of {', '.join(ALIGNS)}")
    request = FlybyRequest(
        stage=stage,
        segment=SegmentChoice(climb, last_km, from_km, to_km),
        riders=riders_pair(riders),
        align="start" if align == "start" else "clock",
        size=parse_size(size) if size else None,
        frames=frames,
        duration_s=duration,
    )
    render_to(request, out)


def render_to(request: FlybyRequest, out: Path | None) -> None:
    """Render with a spinner, write the file, print what it holds."""
    from lakehouse.catalog import open_catalog
    from lakehouse.gifs.files import flyby_name
    from lakehouse.gifs.flyby import render_request
    from lakehouse.settings import get_settings

    if out is not None and not out.parent.is_dir():
        raise PelotonError(f"--out {out}: the folder {out.parent} does not exist")
    with console.status("reading the race and drawing the frames"):
        flyby = render_request(open_catalog(get_settings()), request)
    path = out or Path(flyby_name(flyby.duel))
    path.write_bytes(flyby.data)
    a, b = (d.entrant.name for d in flyby.duel.duelists)
    console.print(
        f"{path}: {flyby.frames} frames, {len(flyby.data):,} bytes; {a} vs {b}, "
        f"{flyby.duel.segment.label}: gap {flyby.gap_s:.1f} s",
        highlight=False,
    )


@gif_app.command("export")
def export(
    stage: list[int] | None = typer.Option(None, "--stage", help="Only this stage (repeatable)."),
) -> None:
    """Render the nightly duels of every stage (or --stage) to the warehouse, and index them."""
    from lakehouse.catalog import open_catalog, warehouse_location
    from lakehouse.gifs.exports import export_gifs
    from lakehouse.settings import get_settings

    settings = get_settings()
    outcomes = export_gifs(
        open_catalog(settings),
        warehouse_location(settings),
        stage or None,
        lambda line: console.print(line, highlight=False, markup=False),
    )
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        if o.status in ("skipped", "failed"):
            console.print(f"stage {o.stage} {o.export_id}: {o.status}: {o.detail}", markup=False)
    console.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing")
    if counts.get("failed"):
        raise typer.Exit(code=1)


@gif_app.command("gallery")
def gallery(
    out: Path = typer.Option(Path("gallery"), "--out", help="Folder to write the pages to."),
) -> None:
    """Write a static HTML gallery of the exports: index.html and a page per stage."""
    from lakehouse.catalog import open_catalog
    from lakehouse.gifs.gallery import write_gallery
    from lakehouse.settings import get_settings

    made = write_gallery(open_catalog(get_settings()), out)
    console.print(
        f"{made.folder / 'index.html'}: {len(made.pages) - 1} stage pages, {made.gifs} GIFs",
        highlight=False,
    )


@gif_app.command("serve")
def serve(
    port: int | None = typer.Option(
        None, "--port", help="Port to listen on (default PELOTON_GIFS__PORT)."
    ),
) -> None:
    """Serve the gallery and the GIFs over HTTP (the dashboards link here) until Ctrl-C."""
    from lakehouse.catalog import open_catalog
    from lakehouse.gifs.server import exports_server
    from lakehouse.settings import get_settings

    settings = get_settings()
    server = exports_server(
        open_catalog(settings),
        settings,
        lambda line: console.print(line, highlight=False, markup=False),
        port,
    )
    bound = server.server_address[1]
    serve_until_interrupted(server, f"Flyby exports at http://{settings.gifs.host}:{bound}/")
