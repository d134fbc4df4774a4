"""The flyby's parts that need no lakehouse: options, names, projection, encoding."""

import io
import math

import numpy as np
import pytest
from PIL import Image

from lakehouse.gifs.encode import TRANSPARENT, encode_gif
from lakehouse.gifs.frames import clock, delays_ms
from lakehouse.gifs.names import folded
from lakehouse.gifs.projection import EARTH_RADIUS_M, fit
from lakehouse.gifs.request import FlybyRequestError, frame_count, parse_size, riders_pair
from lakehouse.gifs.riders import Entrant, find_pair, find_rider
from lakehouse.gifs.style import Box

ENTRANTS = [
    Entrant(1, "Jonas Vingegaard", "Jumbo", 101),
    Entrant(2, "Tadej Pogačar", "UAE", 102),
    Entrant(3, "Ivan Holm", "Cascade", 103),
    Entrant(4, "Iker Holm", "Azur", None),
]


def test_riders_by_bib_or_name_ignoring_case_and_accents() -> None:
    assert find_rider("2", ENTRANTS).name == "Tadej Pogačar"
    assert find_rider("tadej pogacar", ENTRANTS).bib == 2
    assert find_rider("POGAČAR", ENTRANTS).bib == 2
    assert find_rider("ivan holm", ENTRANTS).bib == 3


def test_an_ambiguous_name_lists_the_candidates() -> None:
    with pytest.raises(FlybyRequestError, match=r"ambiguous: Ivan Holm \(bib 3\), Iker Holm"):
        find_rider("holm", ENTRANTS)


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (("1", "vingegaard"), "same rider, Jonas Vingegaard"),
        (("1", "Iker Holm"), r"Iker Holm \(bib 4\) has no telemetry"),
        (("1", "99"), "no rider has bib 99; bibs run from 1 to 4"),
        (("1", "Merckx"), "no rider matches 'Merckx' among the 4 riders"),
    ],
)
def test_bad_pairs_are_refused(pair: tuple[str, str], message: str) -> None:
    with pytest.raises(FlybyRequestError, match=message):
        find_pair(pair, ENTRANTS)


def test_options() -> None:
    assert parse_size("640x480") == (640, 480)
    with pytest.raises(FlybyRequestError, match="WIDTHxHEIGHT"):
        parse_size("big")
    with pytest.raises(FlybyRequestError, match="from 160 to 4000"):
        parse_size("10x10")
    assert frame_count(None, None, 10, 120) == 120
    assert frame_count(48, None, 10, 120) == 48
    assert frame_count(None, 4.5, 10, 120) == 45
    with pytest.raises(FlybyRequestError, match="choose one"):
        frame_count(48, 4.5, 10, 120)
    with pytest.raises(FlybyRequestError, match="from 2 to"):
        frame_count(1, None, 10, 120)
    assert riders_pair(" 1 , Pogačar ") == ("1", "Pogačar")
    with pytest.raises(FlybyRequestError, match="two riders"):
        riders_pair("1")
    assert folded("Côte  du KM") == "cote du km"


def test_times_and_delays() -> None:
    assert clock(75.0) == "1:15"
    assert clock(3725.26, 1) == "1:02:05.3"
    assert delays_ms(4, 100, 1000, 3000) == [1000, 100, 100, 3000]


def test_the_projection_keeps_distances() -> None:
    lat0, lon0 = 45.3, 6.6
    step = 10_000 / EARTH_RADIUS_M
    lat = np.array([lat0, lat0 + math.degrees(step), lat0])
    lon = np.array([lon0, lon0, lon0 + math.degrees(step / math.cos(math.radians(lat0)))])
    projection = fit(lat, lon, Box(0, 0, 500, 400), 20)
    x, y = projection.pixels(lat, lon)
    north = math.hypot(x[1] - x[0], y[1] - y[0]) * projection.metres_per_px
    east = math.hypot(x[2] - x[0], y[2] - y[0]) * projection.metres_per_px
    assert north == pytest.approx(10_000, rel=2e-3)
    assert east == pytest.approx(10_000, rel=2e-3)
    assert y[1] < y[0] and x[2] > x[0]  # north is up, east is right
    assert x.min() >= 20 - 1e-6 and x.max() <= 480 + 1e-6
    assert y.min() >= 20 - 1e-6 and y.max() <= 380 + 1e-6


def _palette_frames(count: int) -> list[Image.Image]:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 8, size=(60, 80), dtype=np.uint8)
    frames = []
    for i in range(count):
        pixels = base.copy()
        pixels[10 + i : 14 + i, 20 + 2 * i : 26 + 2 * i] = 9  # a moving block
        image = Image.fromarray(pixels, mode="P")
        image.putpalette([c for k in range(256) for c in (k, 255 - k, (7 * k) % 256)])
        frames.append(image)
    frames.append(frames[-1].copy())  # a still frame is kept, with its delay
    return frames


def test_encoding_keeps_every_pixel_and_delay() -> None:
    frames = _palette_frames(8)
    delays = [500] + [80] * (len(frames) - 2) + [2000]
    data = encode_gif(frames, delays)
    decoded = Image.open(io.BytesIO(data))
    assert decoded.n_frames == len(frames)
    for i, frame in enumerate(frames):
        decoded.seek(i)
        assert decoded.info["duration"] == delays[i]
        assert (np.asarray(decoded.convert("RGB")) == np.asarray(frame.convert("RGB"))).all()
    whole = sum(len(encode_gif([f], [100])) for f in frames)
    assert len(data) < whole / 2  # later frames hold only what changed
    assert encode_gif(frames, delays) == data


def test_the_transparent_index_is_kept_free() -> None:
    frame = Image.fromarray(np.full((4, 4), TRANSPARENT, dtype=np.uint8), mode="P")
    with pytest.raises(ValueError, match="kept for transparency"):
        encode_gif([frame, frame], [100, 100])


@pytest.mark.parametrize("size", [13, 17, 23])
def test_stamped_text_is_the_text_pillow_draws(size: int) -> None:
    from PIL import ImageDraw

    from lakehouse.gifs.stamps import Stamps
    from lakehouse.gifs.style import font as style_font
    from lakehouse.gifs.style import load_style

    font_file = load_style().font_file
    font = style_font(font_file, size)
    stamps = Stamps()
    for text in ("difference 12.3 s", "377 W · 173 bpm", "Pogačar leads", "1:02:05"):
        drawn = Image.new("P", (400, 60), 0)
        ImageDraw.Draw(drawn).text((3, 4), text, fill=1, font=font)
        stamped = Image.new("P", (400, 60), 0)
        stamps.draw(stamped, (3, 4), text, font, 1)
        stamps.draw(stamped, (3, 4), text, font, 1)  # the second time from the cache
        assert (np.asarray(drawn) == np.asarray(stamped)).all(), text
        assert np.asarray(drawn).any()


def test_the_font_has_the_letters_of_riders_and_climbs_names() -> None:
    from PIL import ImageDraw

    from lakehouse.gifs.style import font, load_style

    face = font(load_style().font_file, 20)

    def glyph(letter: str) -> bytes:
        image = Image.new("L", (40, 40), 0)
        ImageDraw.Draw(image).text((5, 5), letter, fill=255, font=face)
        return image.tobytes()

    missing = glyph("\ue000")  # a private-use character: the font's box for what it lacks
    for letter in "ôéèçčćšžñøåäöüßłęąğıÿ–·%":
        assert glyph(letter) != missing, letter
