"""A flyby from request to GIF bytes: the duel read from the lakehouse, drawn, encoded."""

from __future__ import annotations

from dataclasses import dataclass

from pyiceberg.catalog import Catalog

from lakehouse.gifs.duel import Duel, load_duel
from lakehouse.gifs.encode import encode_gif
from lakehouse.gifs.frames import Timeline, delays_ms, draw_frame, timeline
from lakehouse.gifs.race import load_stage
from lakehouse.gifs.request import FlybyRequest, frame_count
from lakehouse.gifs.scene import Scene, build_scene
from lakehouse.gifs.segment import choose_segment
from lakehouse.gifs.style import Style, layout_for, load_style


@dataclass(frozen=True)
class Flyby:
    """A rendered flyby: the GIF's bytes and what it shows."""

    duel: Duel
    data: bytes
    delays_ms: list[int]
    scene: Scene
    timeline: Timeline

    @property
    def frames(self) -> int:
        return len(self.delays_ms)

    @property
    def gap_s(self) -> float:
        return self.duel.gap_s


def render(
    duel: Duel,
    size: tuple[int, int] | None = None,
    frames: int | None = None,
    style: Style | None = None,
) -> Flyby:
    """Draw the static layer once, then each frame's moving parts, and encode the GIF."""
    style = style or load_style()
    width, height = size or style.default_size
    count = frames or style.default_frames
    scene = build_scene(duel, layout_for(style, width, height), style)
    line = timeline(duel, scene, count)
    images = (draw_frame(scene, duel, line, i) for i in range(count))
    delays = delays_ms(count, style.frame_ms, style.hold_first_ms, style.hold_last_ms)
    return Flyby(duel, encode_gif(images, delays), delays, scene, line)


def request_duel(catalog: Catalog, request: FlybyRequest, caption: str | None = None) -> Duel:
    """The duel a request names, every part of it checked (stage, segment, riders)."""
    stage = load_stage(catalog, request.stage)
    segment = choose_segment(stage.facts, stage.route, request.segment)
    return load_duel(catalog, stage, segment, request.riders, request.align, caption)


def render_request(catalog: Catalog, request: FlybyRequest) -> Flyby:
    """The flyby a request asks for (`peloton gif`)."""
    style = load_style()
    count = frame_count(request.frames, request.duration_s, style.fps, style.default_frames)
    return render(request_duel(catalog, request), request.size, count, style)
