"""Each frame of a flyby: a copy of the static layer with what moves drawn over it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw

from lakehouse.gifs.duel import Duel
from lakehouse.gifs.motion import Comparison, Motion, compare, frame_times, motion, zero_s
from lakehouse.gifs.palette import TRAIL_LEVELS, Colour
from lakehouse.gifs.scene import ELAPSED_ROW, GAP_ROW, NAME_ROWS, Scene, panel_xy
from lakehouse.transform.efforts import Effort
from lakehouse.transform.tracks import FloatArray

RESULT_ROW = 11.8
"""Where the last frame's result starts in the panel (rows)."""


@dataclass(frozen=True)
class Timeline:
    """The replay's time at each frame, each rider's state and the gap between them."""

    replay_s: FloatArray
    motions: tuple[Motion, Motion]
    comparison: Comparison
    map_xy: tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]

    @property
    def frames(self) -> int:
        return len(self.replay_s)


def timeline(duel: Duel, scene: Scene, frames: int) -> Timeline:
    replay = frame_times(duel.duelists, duel.align, frames)
    zeros = zero_s(duel.duelists, duel.align)
    seg = duel.segment.segment
    a, b = (motion(d, seg, replay + z) for d, z in zip(duel.duelists, zeros, strict=True))
    comparison = compare(duel.duelists, (a, b), seg, replay, duel.align)
    return Timeline(replay, (a, b), comparison, (scene.map_xy(a.along_m), scene.map_xy(b.along_m)))


def clock(seconds: float, decimals: int = 0) -> str:
    """h:mm:ss or m:ss (with tenths when asked)."""
    whole = math.floor(seconds)
    rest = seconds - whole
    h, m, s = whole // 3600, whole // 60 % 60, whole % 60
    tail = f"{s + rest:0{3 + decimals}.{decimals}f}" if decimals else f"{s:02d}"
    return f"{h}:{m:02d}:{tail}" if h else f"{m}:{tail}"


def _figure(value: float, unit: str, decimals: int = 0) -> str:
    return f"n/a {unit}" if math.isnan(value) else f"{value:.{decimals}f} {unit}"


def short_name(name: str) -> str:
    """The last word of a rider's name, as labels show it."""
    return name.split()[-1] if name.split() else name


def panel_values(duel: Duel, line: Timeline, i: int) -> list[tuple[float, str, str]]:
    """The panel's moving text at frame i: (row, text, ink name)."""
    values: list[tuple[float, str, str]] = [(ELAPSED_ROW + 1, clock(line.replay_s[i]), "text")]
    for who, m in enumerate(line.motions):
        values += _rider_values(duel.duelists[who].effort, m, i, NAME_ROWS[who])
    c = line.comparison
    leader = short_name(duel.duelists[int(c.leader[i])].entrant.name)
    last = i == line.frames - 1
    values.append((GAP_ROW + 1, f"{c.gap_s[i]:.1f} s · {c.gap_m[i]:.0f} m", "text"))
    values.append((GAP_ROW + 2, f"{leader} {'faster' if last else 'leads'}", "muted"))
    if last:
        values += result_lines(duel)
    return values


def _rider_values(effort: Effort, m: Motion, i: int, row: float) -> list[tuple[float, str, str]]:
    """Speed, power and heart rate now (smoothed); once finished, the effort's averages."""
    f = effort.figures
    if m.finished[i]:
        speed = f"finished, {f.avg_speed_kmh:.1f} km/h"
        power, heart = f.avg_power_w, f.avg_hr_bpm
        sensors = f"avg {_figure(power or math.nan, 'W')} · {_figure(heart or math.nan, 'bpm')}"
        return [(row + 1, speed, "text"), (row + 2, sensors, "muted")]
    speed = _figure(m.speed_kmh[i], "km/h", 1)
    if m.estimated[i]:
        speed += " est. (GPS gap)"
    sensors = f"{_figure(m.power_w[i], 'W')} · {_figure(m.heart_rate[i], 'bpm')}"
    return [(row + 1, speed, "text"), (row + 2, sensors, "muted")]


def result_lines(duel: Duel) -> list[tuple[float, str, str]]:
    """The last frame's result: both efforts' times and their difference."""
    lines = [(RESULT_ROW, "RESULT", "muted")]
    for who, d in enumerate(duel.duelists):
        lines.append(
            (
                RESULT_ROW + 1 + who,
                f"{short_name(d.entrant.name)} {clock(d.effort.figures.time_s, 1)}",
                "text",
            )
        )
    lines.append((RESULT_ROW + 3, f"difference {duel.gap_s:.1f} s", "text"))
    return lines


def _trail(
    draw: ImageDraw.ImageDraw,
    xs: FloatArray,
    ys: FloatArray,
    shades: tuple[Colour, ...],
    i: int,
    length: int,
) -> None:
    first = max(0, i - length)
    for j in range(first, i):
        level = min((j - first) * TRAIL_LEVELS // max(i - first, 1), TRAIL_LEVELS - 1)
        draw.line([(xs[j], ys[j]), (xs[j + 1], ys[j + 1])], fill=shades[level], width=3)


def draw_frame(scene: Scene, duel: Duel, line: Timeline, i: int) -> Image.Image:
    """Frame i: the static layer, trails, markers with labels, panel values, profile markers."""
    frame = scene.image.copy()
    draw = ImageDraw.Draw(frame)
    ink, layout = scene.ink, scene.layout
    inks = {"text": ink.text, "muted": ink.muted}
    r = layout.marker_r
    for who in (0, 1):
        xs, ys = line.map_xy[who]
        _trail(draw, xs, ys, ink.trail[who], i, scene.style.trail_frames)
    profile = scene.profile_box
    for who in (0, 1):  # names first: no label hides a marker
        xs, ys = line.map_xy[who]
        name = short_name(duel.duelists[who].entrant.name)
        label_y = float(ys[i]) - r - layout.small_font.size * (1 - who) - 2
        scene.stamps.draw(frame, (float(xs[i]) + r + 3, label_y), name, layout.small_font, ink.text)
    for who in (0, 1):  # the second rider is drawn over the first
        xs, ys = line.map_xy[who]
        x, y = float(xs[i]), float(ys[i])
        draw.ellipse([x - r, y - r, x + r, y + r], fill=ink.rider[who], outline=ink.edge, width=2)
        along = line.motions[who].along_m[i : i + 1]
        px, py = (float(v[0]) for v in scene.profile_xy(along))
        top = profile.y0 + layout.line_h
        draw.line([(px, top), (px, py)], fill=ink.rider[who], width=2)
        dot = r // 2 + 1
        draw.ellipse([px - dot, py - dot, px + dot, py + dot], fill=ink.rider[who])
        gradient = float(scene.gradient_at(along)[0])
        label_y = profile.y0 + layout.line_h + who * (layout.small_font.size + 2)
        label = f"{gradient:.1f} %"
        width = draw.textlength(label, font=layout.small_font)
        label_x = px + 4 if px + 4 + width <= profile.x1 else px - 4 - width
        scene.stamps.draw(frame, (label_x, label_y), label, layout.small_font, ink.rider[who])
    for row, text, colour in panel_values(duel, line, i):
        scene.stamps.draw(frame, panel_xy(layout, row), text, layout.body_font, inks[colour])
    return frame


def delays_ms(frames: int, frame_ms: int, hold_first_ms: int, hold_last_ms: int) -> list[int]:
    """How long each frame shows: the first and the last held, the others at the frame rate."""
    return [hold_first_ms] + [frame_ms] * (frames - 2) + [hold_last_ms]
