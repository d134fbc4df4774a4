"""The flyby's look and timing (gifs/style.json) and the frame's layout at a given size."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import ImageFont

from lakehouse.assets import part_dir

STYLE_FILE = "style.json"
RGB = tuple[int, int, int]


def rgb(text: str) -> RGB:
    """#rrggbb as a tuple of three ints."""
    value = text.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


@dataclass(frozen=True)
class Box:
    """A rectangle of the frame, in pixels."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Style:
    """What gifs/style.json holds, typed."""

    font_file: Path
    """A TrueType font (every accented Latin letter of riders' and climbs' names)."""
    fps: int
    hold_first_ms: int
    hold_last_ms: int
    default_size: tuple[int, int]
    default_frames: int
    trail_frames: int
    colours: dict[str, RGB]
    riders: tuple[RGB, RGB]
    relief: tuple[RGB, ...]
    gradient: tuple[RGB, ...]
    gradient_steps_pct: tuple[float, ...]
    layout: dict[str, float]

    @property
    def frame_ms(self) -> int:
        return round(1000 / self.fps)


def style_from(data: dict[str, Any], folder: Path) -> Style:
    colours = data["colours"]
    riders = [rgb(c) for c in colours["riders"]]
    return Style(
        font_file=folder / str(data["font"]),
        fps=int(data["fps"]),
        hold_first_ms=int(data["hold_first_ms"]),
        hold_last_ms=int(data["hold_last_ms"]),
        default_size=(int(data["default_size"][0]), int(data["default_size"][1])),
        default_frames=int(data["default_frames"]),
        trail_frames=int(data["trail_frames"]),
        colours={k: rgb(v) for k, v in colours.items() if isinstance(v, str)},
        riders=(riders[0], riders[1]),
        relief=tuple(rgb(c) for c in colours["relief"]),
        gradient=tuple(rgb(c) for c in colours["gradient"]),
        gradient_steps_pct=tuple(float(s) for s in data["gradient_steps_pct"]),
        layout={k: float(v) for k, v in data["layout"].items()},
    )


@cache
def load_style(folder: Path | None = None) -> Style:
    """The style shipped in the gifs part's folder (or in `folder`)."""
    where = folder or part_dir("gifs")
    return style_from(json.loads((where / STYLE_FILE).read_text(encoding="utf-8")), where)


@dataclass(frozen=True)
class Layout:
    """Where each part of a frame goes, and the fonts, for one frame size."""

    width: int
    height: int
    title: Box
    map: Box
    panel: Box
    profile: Box
    margin: int
    marker_r: int
    line_h: int
    title_font: ImageFont.FreeTypeFont
    body_font: ImageFont.FreeTypeFont
    small_font: ImageFont.FreeTypeFont


@cache
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The style's font at a size (in pixels), loaded once."""
    return ImageFont.truetype(str(path), max(size, 8))


def layout_for(style: Style, width: int, height: int) -> Layout:
    frac = style.layout
    title_h = round(height * frac["title_h"])
    profile_h = round(height * frac["profile_h"])
    panel_w = round(width * frac["panel_w"])
    body = round(height * frac["font_body"])
    return Layout(
        width=width,
        height=height,
        title=Box(0, 0, width, title_h),
        map=Box(0, title_h, width - panel_w, height - profile_h),
        panel=Box(width - panel_w, title_h, width, height - profile_h),
        profile=Box(0, height - profile_h, width, height),
        margin=max(round(height * frac["margin"]), 4),
        marker_r=max(round(height * frac["marker_r"]), 3),
        line_h=round(body * 1.35),
        title_font=font(style.font_file, round(height * frac["font_title"])),
        body_font=font(style.font_file, body),
        small_font=font(style.font_file, round(height * frac["font_small"])),
    )
