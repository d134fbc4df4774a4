"""GIF encoding: one shared palette, each frame stored as the rectangle that changed.

The file is written here, block by block (GIF89a): a global palette, a loop extension, then per
frame a graphic control extension (delay, disposal "leave in place", a transparent index) and
the bounding box of the pixels that differ from the previous frame, those that did not change
inside it set to the transparent index so that LZW packs them into long runs. Pillow's GIF
encoder compresses each rectangle (LZW); no frame is quantized again.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Sequence

import numpy as np
from PIL import Image

TRANSPARENT = 255
"""The palette index that stands for "unchanged": the palette must leave it unused."""
LEAVE_IN_PLACE = 1
"""Disposal method 1: the frame stays and the next is drawn over it."""


def _image_block(image: Image.Image, left: int, top: int) -> bytes:
    width, height = image.size
    descriptor = b"\x2c" + struct.pack("<4HB", left, top, width, height, 0)
    return descriptor + b"\x08" + image.tobytes("gif", "P", 8, 0) + b"\x00"


def _control(delay_ms: int, transparent: bool) -> bytes:
    flags = (LEAVE_IN_PLACE << 2) | int(transparent)
    return b"\x21\xf9\x04" + struct.pack("<BHB", flags, round(delay_ms / 10), TRANSPARENT) + b"\x00"


def _header(width: int, height: int, palette: Sequence[int]) -> bytes:
    colours = bytes(list(palette[:768]) + [0] * (768 - len(palette[:768])))
    screen = struct.pack("<2H3B", width, height, 0xF7, 0, 0)
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00"
    return b"GIF89a" + screen + colours + loop


def changed_box(previous: np.ndarray, current: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the pixels that differ; None when none does."""
    changed = previous != current
    rows = np.flatnonzero(changed.any(axis=1))
    if len(rows) == 0:
        return None
    cols = np.flatnonzero(changed.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def encode_gif(frames: Iterable[Image.Image], delays_ms: Sequence[int]) -> bytes:
    """The frames (palette mode, the first one's palette shared) as a GIF that loops forever.

    Frames are taken one at a time (only the previous one is kept), so memory does not grow
    with their number. A frame identical to the previous one is stored as one transparent
    pixel, so that the file has as many frames, with the delays, as asked.
    """
    out = io.BytesIO()
    previous: np.ndarray | None = None
    count = 0
    for frame, delay in zip(frames, delays_ms, strict=True):
        current = np.asarray(frame)
        if (current == TRANSPARENT).any():
            raise ValueError(f"palette index {TRANSPARENT} is drawn: it is kept for transparency")
        if previous is None:
            width, height = frame.size
            out.write(_header(width, height, frame.getpalette() or []))
            out.write(_control(delay, transparent=False) + _image_block(frame, 0, 0))
        else:
            left, top, right, bottom = changed_box(previous, current) or (0, 0, 1, 1)
            window = current[top:bottom, left:right]
            same = previous[top:bottom, left:right] == window
            patch = Image.fromarray(np.where(same, np.uint8(TRANSPARENT), window), mode="P")
            out.write(_control(delay, transparent=True) + _image_block(patch, left, top))
        previous = current
        count += 1
    if count == 0:
        raise ValueError("no frame to encode")
    out.write(b"\x3b")
    return out.getvalue()
