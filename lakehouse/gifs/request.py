"""What a flyby is asked for: a stage, a segment, two riders, an alignment, a size and a length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lakehouse.errors import PelotonError

Align = Literal["start", "clock"]
ALIGNS: tuple[Align, ...] = ("start", "clock")
MAX_FRAMES = 2000
"""More frames than this make a GIF no chat or slide plays: asked for, it is refused."""


class FlybyRequestError(PelotonError):
    """A flyby asked for with a stage, segment, rider or option that does not exist or fit."""


@dataclass(frozen=True)
class SegmentChoice:
    """One way to name a segment: a categorized climb, the finale, or a range (km)."""

    climb: str | None = None
    last_km: float | None = None
    from_km: float | None = None
    to_km: float | None = None


@dataclass(frozen=True)
class FlybyRequest:
    stage: int
    segment: SegmentChoice
    riders: tuple[str, str]
    align: Align = "start"
    size: tuple[int, int] | None = None
    frames: int | None = None
    duration_s: float | None = None


def parse_size(text: str) -> tuple[int, int]:
    """WIDTHxHEIGHT (e.g. 800x600), each from 160 to 4000 pixels."""
    parts = text.lower().split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise FlybyRequestError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 800x600") from None
    if not (160 <= width <= 4000 and 160 <= height <= 4000):
        raise FlybyRequestError(f"--size {text!r}: each side must be from 160 to 4000 pixels")
    return width, height


def frame_count(frames: int | None, duration_s: float | None, fps: int, default: int) -> int:
    """How many frames the replay has: as asked (--frames or --duration at `fps`), or default."""
    if frames is not None and duration_s is not None:
        raise FlybyRequestError("--frames and --duration both given: choose one")
    if duration_s is not None:
        if duration_s <= 0:
            raise FlybyRequestError(f"--duration {duration_s:g}: expected more than 0 seconds")
        frames = round(duration_s * fps)
    count = default if frames is None else frames
    if not 2 <= count <= MAX_FRAMES:
        raise FlybyRequestError(f"{count} frames asked for: expected from 2 to {MAX_FRAMES}")
    return count


def riders_pair(text: str) -> tuple[str, str]:
    """Two riders from `A,B` (bibs or names)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) != 2:
        raise FlybyRequestError(
            f"--riders {text!r}: expected two riders, bibs or names, separated by a comma"
        )
    return parts[0], parts[1]
