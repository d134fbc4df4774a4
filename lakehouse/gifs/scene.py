"""The static layer of a flyby, drawn once: map with relief, panel labels, profile, title.

Every frame starts from a copy of it; only what moves is drawn over (lakehouse.gifs.frames).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from lakehouse.gifs.duel import Duel
from lakehouse.gifs.palette import Ink, blend, rgb_ink, shared_palette
from lakehouse.gifs.projection import Projection, fit
from lakehouse.gifs.stamps import Stamps
from lakehouse.gifs.style import RGB, Box, Layout, Style
from lakehouse.transform.tracks import FloatArray

GRADIENT_WINDOW_M = 500.0
"""The gradient under a rider is the route's over this distance around them."""
SHADOW_PX = 3


@dataclass(frozen=True)
class Scene:
    """The static layer in palette mode, and how to place what moves on it."""

    image: Image.Image
    ink: Ink
    layout: Layout
    style: Style
    projection: Projection
    route_cum_m: FloatArray
    """Route distance of each route point (the whole stage)."""
    route_x: FloatArray
    """Pixel x of each route point."""
    route_y: FloatArray
    profile_y: FloatArray
    """Pixel y of the profile's surface at each profile column."""
    profile_along_m: FloatArray
    """Route distance at each profile column."""
    profile_gradient: FloatArray
    profile_box: Box
    stamps: Stamps = field(default_factory=Stamps)
    """The moving text's masks, rasterized once per string."""

    def map_xy(self, along_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Pixel position of route distances on the map."""
        cum = self.route_cum_m
        return np.interp(along_m, cum, self.route_x), np.interp(along_m, cum, self.route_y)

    def profile_xy(self, along_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        x = np.interp(along_m, self.profile_along_m, np.arange(len(self.profile_along_m)))
        x = x + self.profile_box.x0
        return x, np.interp(along_m, self.profile_along_m, self.profile_y)

    def gradient_at(self, along_m: FloatArray) -> FloatArray:
        return np.interp(along_m, self.profile_along_m, self.profile_gradient)


def _ramp(colours: tuple[RGB, ...], share: float) -> RGB:
    """A colour along a ramp of colours, share from 0 to 1."""
    position = min(max(share, 0.0), 1.0) * (len(colours) - 1)
    low = min(int(position), len(colours) - 2)
    return blend(colours[low], colours[low + 1], position - low)


def _band(style: Style, gradient_pct: float) -> RGB:
    steps = style.gradient_steps_pct
    index = int(np.searchsorted(np.asarray(steps), gradient_pct, side="right"))
    return style.gradient[min(index, len(style.gradient) - 1)]


def _title(draw: ImageDraw.ImageDraw, duel: Duel, layout: Layout, style: Style) -> None:
    seg = duel.segment
    gradient = seg.avg_gradient_pct
    facts = f"{seg.length_km:.1f} km" + (f" at {gradient:.1f} %" if gradient is not None else "")
    m = layout.margin
    draw.text(
        (m, m // 2),
        f"Stage {duel.stage.facts.stage} · {seg.label} · {facts}",
        fill=style.colours["text"],
        font=layout.title_font,
    )
    how = "ghost race: both start together" if duel.align == "start" else "real race clock"
    caption = f"{duel.caption} · {how}" if duel.caption else how
    draw.text(
        (m, m // 2 + round(layout.title_font.size * 1.3)),
        caption,
        fill=style.colours["muted"],
        font=layout.small_font,
    )


def _segment_points(
    cum_m: FloatArray, values: FloatArray, start_m: float, end_m: float
) -> FloatArray:
    """`values` (one per route point) on the segment, with their values at its two ends."""
    inside = (cum_m >= start_m) & (cum_m <= end_m)
    known = ~np.isnan(values)
    if not known.any():
        return np.zeros(int(inside.sum()) + 2)
    ends = np.interp([start_m, end_m], cum_m[known], values[known])
    return np.concatenate(([ends[0]], values[inside], [ends[1]]))


def _map(
    image: Image.Image, duel: Duel, layout: Layout, style: Style
) -> tuple[Projection, FloatArray, FloatArray]:
    route, seg = duel.stage.map, duel.segment.segment
    lat, lon, ele = (
        _segment_points(route.cum_m, values, seg.start_m, seg.end_m)
        for values in (route.lat, route.lon, route.ele_m)
    )
    projection = fit(lat, lon, layout.map, layout.margin + layout.marker_r * 3)
    x, y = projection.pixels(route.lat, route.lon)
    box = layout.map
    canvas = Image.new("RGB", (box.width, box.height), style.colours["background"])
    draw = ImageDraw.Draw(canvas)
    stage_line = np.column_stack((x - box.x0, y - box.y0))
    draw.line([tuple(p) for p in stage_line.tolist()], fill=style.colours["route_faint"], width=2)
    sx, sy = projection.pixels(lat, lon)
    points = np.column_stack((sx - box.x0, sy - box.y0))
    shadow = [tuple(p) for p in (points + SHADOW_PX).tolist()]
    draw.line(shadow, fill=(0, 0, 0), width=7, joint="curve")
    low, span = float(ele.min()), max(float(np.ptp(ele)), 1.0)
    for i in range(len(points) - 1):  # the relief: low dark, high light
        colour = _ramp(style.relief, (ele[i] - low) / span)
        draw.line([tuple(points[i]), tuple(points[i + 1])], fill=colour, width=5)
    half = layout.marker_r // 2
    for px, py in (points[0], points[-1]):  # the segment's start and end
        box_xy = [px - half, py - half, px + half, py + half]
        draw.rectangle(box_xy, outline=style.colours["text"], width=2)
    image.paste(canvas, (box.x0, box.y0))
    return projection, x, y


def _panel(draw: ImageDraw.ImageDraw, duel: Duel, layout: Layout, style: Style) -> None:
    box = layout.panel
    draw.rectangle([box.x0, box.y0, box.x1, box.y1], fill=style.colours["panel"])
    draw.line([box.x0, box.y0, box.x0, box.y1], fill=style.colours["rule"], width=1)
    for row, text in PANEL_LABELS:
        x, y = panel_xy(layout, row)
        draw.text((x, y), text, fill=style.colours["muted"], font=layout.small_font)
    for who, duelist in enumerate(duel.duelists):
        x, y = panel_xy(layout, NAME_ROWS[who])
        r = layout.line_h // 3
        draw.ellipse([x, y + r // 2, x + 2 * r, y + r // 2 + 2 * r], fill=style.riders[who])
        draw.text(
            (x + 3 * r, y), duelist.entrant.name, fill=style.colours["text"], font=layout.body_font
        )


ELAPSED_ROW, NAME_ROWS, GAP_ROW = 0.0, (2.2, 5.4), 8.6
"""Rows of the panel (in lines): its labels; the values go one line under each."""


PANEL_LABELS = ((ELAPSED_ROW, "ELAPSED"), (GAP_ROW, "GAP"))


def panel_xy(layout: Layout, row: float) -> tuple[int, int]:
    """Top-left pixel of a panel row."""
    return layout.panel.x0 + layout.margin, layout.panel.y0 + layout.margin + round(
        row * layout.line_h
    )


def _profile(
    draw: ImageDraw.ImageDraw, duel: Duel, layout: Layout, style: Style, box: Box
) -> tuple[FloatArray, FloatArray, FloatArray]:
    route, seg = duel.stage.route, duel.segment.segment
    along = np.linspace(seg.start_m, seg.end_m, box.width)
    known = ~np.isnan(route.ele_m)
    cum, ele_all = route.cum_m[known], route.ele_m[known]
    if len(cum) == 0:
        cum, ele_all = np.array([0.0, 1.0]), np.zeros(2)
    ele = np.interp(along, cum, ele_all)
    half = GRADIENT_WINDOW_M / 2
    gradient = (
        (np.interp(along + half, cum, ele_all) - np.interp(along - half, cum, ele_all))
        / GRADIENT_WINDOW_M
        * 100
    )
    low, high = float(ele.min()), float(ele.max())
    span = max(high - low, 10.0)
    top = box.y0 + layout.line_h
    surface = box.y1 - (ele - low) / span * (box.y1 - top)
    for i, (sy, grad) in enumerate(zip(surface.tolist(), gradient.tolist(), strict=True)):
        draw.line([box.x0 + i, sy, box.x0 + i, box.y1], fill=_band(style, grad))
    muted, small = style.colours["muted"], layout.small_font
    p = layout.profile
    draw.text(
        (p.x0 + layout.margin // 2, box.y0 + layout.line_h), f"{high:.0f} m", fill=muted, font=small
    )
    draw.text(
        (p.x0 + layout.margin // 2, box.y1 - small.size), f"{low:.0f} m", fill=muted, font=small
    )
    draw.text((box.x0, box.y0), f"km {seg.start_m / 1000:.1f}", fill=muted, font=small)
    end_label = f"km {seg.end_m / 1000:.1f}"
    draw.text(
        (box.x1 - draw.textlength(end_label, font=small), box.y0), end_label, fill=muted, font=small
    )
    return along, surface, gradient


def build_scene(duel: Duel, layout: Layout, style: Style, indexed: bool = True) -> Scene:
    """Draw the static layer once and put it in the shared palette (or keep it in RGB, to draw
    reference frames that encodings are measured against)."""
    image = Image.new("RGB", (layout.width, layout.height), style.colours["background"])
    projection, x, y = _map(image, duel, layout, style)
    draw = ImageDraw.Draw(image)
    _title(draw, duel, layout, style)
    _panel(draw, duel, layout, style)
    p = layout.profile
    draw.line([p.x0, p.y0, p.x1, p.y0], fill=style.colours["rule"], width=1)
    p, m = layout.profile, layout.margin
    box = Box(p.x0 + 3 * m, p.y0 + m, p.x1 - m, p.y1 - m)
    along, surface, gradient = _profile(draw, duel, layout, style, box)
    static, ink = shared_palette(image, style) if indexed else (image, rgb_ink(style))
    return Scene(
        image=static,
        ink=ink,
        layout=layout,
        style=style,
        projection=projection,
        route_cum_m=duel.stage.map.cum_m,
        route_x=x,
        route_y=y,
        profile_y=surface,
        profile_along_m=along,
        profile_gradient=gradient,
        profile_box=box,
    )
