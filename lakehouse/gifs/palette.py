"""The one palette every frame of a GIF shares: the static layer's colours, then the moving ones.

The static layer is quantized once; the colours drawn over it each frame (riders, their fading
trails, text) get fixed entries after it, so that a frame is drawn straight in palette indices
and never quantized again.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from lakehouse.gifs.style import RGB, Style

STATIC_COLOURS = 200
"""Entries of the palette left to the static layer (the rest hold the moving colours)."""
TRAIL_LEVELS = 4
"""Shades of a rider's trail, from faint (oldest) to strong (newest), never the marker's own."""


def blend(a: RGB, b: RGB, share_of_b: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * share_of_b),
        round(a[1] + (b[1] - a[1]) * share_of_b),
        round(a[2] + (b[2] - a[2]) * share_of_b),
    )


Colour = int | RGB
"""A palette index, or the colour itself where frames are drawn in RGB (a reference)."""


@dataclass(frozen=True)
class Ink:
    """The colours drawn per frame: palette indices (or RGB colours in a reference render)."""

    rider: tuple[Colour, Colour]
    trail: tuple[tuple[Colour, ...], tuple[Colour, ...]]
    text: Colour
    muted: Colour
    edge: Colour
    panel: Colour
    background: Colour


def rgb_ink(style: Style) -> Ink:
    """The same colours as RGB, to draw frames without a palette (the reference of quality)."""
    moving = moving_colours(style)
    trail_a = tuple(moving[2 : 2 + TRAIL_LEVELS])
    trail_b = tuple(moving[2 + TRAIL_LEVELS : 2 + 2 * TRAIL_LEVELS])
    text, muted, edge, panel, background = moving[2 + 2 * TRAIL_LEVELS :]
    return Ink((moving[0], moving[1]), (trail_a, trail_b), text, muted, edge, panel, background)


def moving_colours(style: Style) -> list[RGB]:
    """The colours drawn per frame, in the order Ink indexes them."""
    c = style.colours
    found: list[RGB] = list(style.riders)
    for colour in style.riders:  # faint to strong, never reaching the marker's colour
        found += [
            blend(c["background"], colour, (level + 1) / (TRAIL_LEVELS + 1.5))
            for level in range(TRAIL_LEVELS)
        ]
    found += [c["text"], c["muted"], c["marker_edge"], c["panel"], c["background"]]
    return found


def shared_palette(static: Image.Image, style: Style) -> tuple[Image.Image, Ink]:
    """The static layer in palette mode, with the moving colours appended to its palette."""
    indexed = static.quantize(
        colors=STATIC_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    palette = (indexed.getpalette() or [])[: 3 * STATIC_COLOURS]
    palette += [0] * (3 * STATIC_COLOURS - len(palette))
    moving = moving_colours(style)
    for colour in moving:
        palette += list(colour)
    palette += [0] * (768 - len(palette))
    indexed.putpalette(palette)
    first = STATIC_COLOURS
    trail_a = tuple(range(first + 2, first + 2 + TRAIL_LEVELS))
    trail_b = tuple(range(first + 2 + TRAIL_LEVELS, first + 2 + 2 * TRAIL_LEVELS))
    rest = first + 2 + 2 * TRAIL_LEVELS
    ink = Ink(
        rider=(first, first + 1),
        trail=(trail_a, trail_b),
        text=rest,
        muted=rest + 1,
        edge=rest + 2,
        panel=rest + 3,
        background=rest + 4,
    )
    return indexed, ink
