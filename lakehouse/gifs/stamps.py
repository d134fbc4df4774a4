"""Text drawn per frame, each string rasterized once per GIF and then stamped where it goes.

Most of a frame's text repeats from frame to frame (names, units, figures that did not change):
rasterizing it again each time was most of the drawing time. The glyphs are FreeType's without
antialiasing, as Pillow draws text on a palette image.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from lakehouse.gifs.palette import Colour


class Stamps:
    """Masks of the strings drawn so far, by font and text."""

    def __init__(self) -> None:
        self._masks: dict[tuple[int, str], Image.Image] = {}

    def mask(self, text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
        key = (id(font), text)
        found = self._masks.get(key)
        if found is None:
            _, _, right, bottom = font.getbbox(text)
            pad = int(font.size)  # glyphs may reach past the reported box by a pixel or two
            found = Image.new("1", (int(right) + pad, int(bottom) + pad), 0)
            draw = ImageDraw.Draw(found)
            draw.text((0, 0), text, fill=1, font=font)
            self._masks[key] = found
        return found

    def draw(
        self,
        frame: Image.Image,
        xy: tuple[float, float],
        text: str,
        font: ImageFont.FreeTypeFont,
        ink: Colour,
    ) -> None:
        """Stamp `text` with its top-left at `xy` (rounded to the pixel) in `ink`."""
        mask = self.mask(text, font)
        frame.paste(ink, (round(xy[0]), round(xy[1])), mask)
