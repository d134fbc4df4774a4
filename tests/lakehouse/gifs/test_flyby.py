"""Flybys of the tiny race: positions, gaps and pixels against staging and the marts."""

import io
from dataclasses import replace

import numpy as np
import pyarrow.compute as pc
import pytest
from climb_duel import ClimbDuel
from PIL import Image, ImageDraw
from pyiceberg.catalog import Catalog

from lakehouse.gifs.duel import Duel, pair_efforts
from lakehouse.gifs.flyby import Flyby, render, request_duel
from lakehouse.gifs.frames import RESULT_ROW, draw_frame, panel_values
from lakehouse.gifs.motion import GPS_GAP_S
from lakehouse.gifs.request import FlybyRequest, FlybyRequestError, SegmentChoice
from lakehouse.gifs.scene import panel_xy
from lakehouse.gifs.style import load_style
from lakehouse.transform.segments import efforts_between

pytestmark = pytest.mark.integration


def _duel(catalog: Catalog, duel: ClimbDuel, align: str = "start", **segment: object) -> Duel:
    choice = SegmentChoice(**segment) if segment else SegmentChoice(climb=str(duel.climb_number))
    riders = (str(duel.bibs[0]), str(duel.bibs[1]))
    request = FlybyRequest(duel.stage, choice, riders, align)  # type: ignore[arg-type]
    return request_duel(catalog, request)


@pytest.fixture(scope="module")
def ghost(catalog: Catalog, climb_duel: ClimbDuel) -> Flyby:
    return render(_duel(catalog, climb_duel))


@pytest.fixture(scope="module")
def clock(catalog: Catalog, climb_duel: ClimbDuel) -> Flyby:
    return render(_duel(catalog, climb_duel, "clock"), frames=60)


def _frames(data: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(data))
    found = []
    for i in range(image.n_frames):
        image.seek(i)
        found.append(np.asarray(image.convert("RGB")))
    return found


def _telemetry_along(catalog: Catalog, athlete: int, stage_date: object) -> tuple:
    """The rider's clean points, read from staging.telemetry here, not through the renderer."""
    rows = (
        catalog.load_table("staging.telemetry")
        .scan(row_filter=f"athlete_id == {athlete} and stage_date == '{stage_date}'")
        .to_arrow()
    )
    bad = pc.or_(pc.or_(rows["off_route"], rows["is_spike"]), rows["is_jump"])
    rows = rows.filter(pc.invert(bad)).sort_by("recorded_at")
    t = rows["recorded_at"].cast("int64").to_numpy() / 1e6
    return t, rows["distance_km"].to_numpy() * 1000.0


@pytest.mark.parametrize("which", ["ghost", "clock"])
def test_each_marker_is_drawn_where_the_telemetry_puts_the_rider(
    which: str, request: pytest.FixtureRequest, catalog: Catalog
) -> None:
    flyby: Flyby = request.getfixturevalue(which)
    duel, line, scene = flyby.duel, flyby.timeline, flyby.scene
    frames = _frames(flyby.data)
    seg = duel.segment.segment
    colours = load_style().riders
    zero = [d.effort.started_s for d in duel.duelists]
    if which == "clock":
        zero = [min(zero)] * 2
    day = duel.stage.facts.stage_date
    points = [_telemetry_along(catalog, d.entrant.athlete_id, day) for d in duel.duelists]
    checked = 0
    for i in range(1, line.frames - 1, 3):
        positions = []
        for who, d in enumerate(duel.duelists):
            t, along = points[who]
            now = zero[who] + line.replay_s[i]
            at = float(np.clip(np.interp(now, t, along), seg.start_m, seg.end_m))
            if now <= d.effort.started_s:
                at = seg.start_m
            if now >= d.effort.ended_s:
                at = seg.end_m
            x, y = scene.map_xy(np.array([at]))
            positions.append((float(x[0]), float(y[0])))
        (xa, ya), (xb, yb) = positions
        if np.hypot(xa - xb, ya - yb) < 3 * scene.layout.marker_r:
            continue  # one marker covers the other
        for who, (x, y) in enumerate(positions):
            px, py = round(x), round(y)
            window = frames[i][py - 1 : py + 2, px - 1 : px + 2].reshape(-1, 3)
            assert (window == colours[who]).all(), (which, i, who, window)
        checked += 1
    assert checked >= 3


def test_the_last_frame_shows_the_marts_gap(ghost: Flyby, climb_duel: ClimbDuel) -> None:
    expected = abs(climb_duel.times_s[1] - climb_duel.times_s[0])
    assert abs(ghost.gap_s - expected) < 0.5
    assert abs(ghost.timeline.comparison.gap_s[-1] - expected) < 0.5
    last = _frames(ghost.data)[-1]
    scene, layout = ghost.scene, ghost.scene.layout
    x, y = panel_xy(layout, RESULT_ROW + 3)
    width, height = layout.panel.x1 - x, layout.line_h

    def drawn(text: str) -> np.ndarray:
        patch = Image.new("P", (width, height), 0)
        patch.putpalette([*load_style().colours["panel"], *load_style().colours["text"]])
        ImageDraw.Draw(patch).text((0, 0), text, fill=1, font=layout.body_font)
        return np.asarray(patch.convert("RGB"))

    shown = last[y : y + height, x : x + width]
    assert (shown == drawn(f"difference {expected:.1f} s")).all()
    assert not (shown == drawn(f"difference {expected + 0.2:.1f} s")).all()
    assert scene.layout.panel.x0 < x


def test_clock_alignment_ends_on_the_gap_at_the_line(clock: Flyby) -> None:
    a, b = clock.duel.duelists
    assert abs(clock.timeline.comparison.gap_s[-1] - abs(a.effort.ended_s - b.effort.ended_s)) < 0.5
    assert clock.timeline.replay_s[0] == 0
    later = max(a.effort.ended_s, b.effort.ended_s) - min(a.effort.started_s, b.effort.started_s)
    assert clock.timeline.replay_s[-1] == pytest.approx(later)


def test_frames_and_delays_are_as_asked(ghost: Flyby, clock: Flyby) -> None:
    style = load_style()
    for flyby, count in ((ghost, style.default_frames), (clock, 60)):
        image = Image.open(io.BytesIO(flyby.data))
        assert image.n_frames == count == flyby.frames
        delays = []
        for i in range(image.n_frames):
            image.seek(i)
            delays.append(image.info["duration"])
        assert delays == [style.hold_first_ms] + [style.frame_ms] * (count - 2) + [
            style.hold_last_ms
        ]
        assert image.size == style.default_size


def test_the_gif_holds_exactly_the_drawn_frames(clock: Flyby) -> None:
    decoded = _frames(clock.data)
    for i in range(clock.frames):
        drawn = draw_frame(clock.scene, clock.duel, clock.timeline, i).convert("RGB")
        assert (decoded[i] == np.asarray(drawn)).all(), i


def test_the_same_inputs_give_the_same_bytes(
    catalog: Catalog, climb_duel: ClimbDuel, clock: Flyby
) -> None:
    again = render(_duel(catalog, climb_duel, "clock"), frames=60)
    assert again.data == clock.data
    other = render(_duel(catalog, climb_duel, "clock"), frames=61)
    assert other.data != clock.data


def test_size_and_duration(catalog: Catalog, climb_duel: ClimbDuel) -> None:
    duel = _duel(catalog, climb_duel, last_km=3.0)
    small = render(duel, size=(400, 300), frames=30)
    image = Image.open(io.BytesIO(small.data))
    assert image.size == (400, 300) and image.n_frames == 30


def test_any_range_ends_on_the_gap_the_marts_code_computes(
    catalog: Catalog, climb_duel: ClimbDuel
) -> None:
    duel = _duel(catalog, climb_duel, from_km=2.0, to_km=9.5)
    efforts = efforts_between(catalog, climb_duel.stage, 2.0, 9.5).to_pylist()
    times = {r["bib"]: r["time_s"] for r in efforts}
    expected = abs(times[climb_duel.bibs[0]] - times[climb_duel.bibs[1]])
    assert abs(duel.gap_s - expected) < 0.5
    flyby = render(duel, frames=20)
    assert abs(flyby.timeline.comparison.gap_s[-1] - expected) < 0.5


def test_the_finale_matches_segment_efforts(catalog: Catalog, climb_duel: ClimbDuel) -> None:
    rows = catalog.load_table("marts.segment_efforts").scan().to_arrow().to_pylist()
    final = [r for r in rows if r["stage"] == climb_duel.stage and r["kind"] == "segment"]
    final.sort(key=lambda r: r["rank"])
    first, second = final[0], final[1]
    length = first["end_km"] - first["start_km"]
    request = FlybyRequest(
        climb_duel.stage,
        SegmentChoice(last_km=length),
        (str(first["bib"]), str(second["bib"])),
    )
    duel = request_duel(catalog, request)
    assert abs(duel.gap_s - (second["time_s"] - first["time_s"])) < 0.5


def test_a_gps_gap_is_bridged_and_shown_as_estimated(
    catalog: Catalog, climb_duel: ClimbDuel
) -> None:
    duel = _duel(catalog, climb_duel)
    first = duel.duelists[0]
    track, effort = first.track, first.effort
    middle = (effort.started_s + effort.ended_s) / 2
    lost = (track.t_s > middle) & (track.t_s < middle + 60)  # a minute without GPS
    keep = ~lost
    gappy = replace(
        track,
        t_s=track.t_s[keep],
        along_m=track.along_m[keep],
        moving=track.moving[keep],
        speed_kmh=track.speed_kmh[keep],
        heart_rate=track.heart_rate[keep],
        power_w=track.power_w[keep],
    )
    duel = replace(duel, duelists=(replace(first, track=gappy), duel.duelists[1]))
    flyby = render(duel, frames=200)
    now = flyby.timeline.replay_s + effort.started_s
    in_gap = (now > middle + GPS_GAP_S) & (now < middle + 60 - GPS_GAP_S)
    estimated = flyby.timeline.motions[0].estimated
    assert in_gap.any()
    assert estimated[in_gap].all()
    assert not estimated[(now < middle - 5) | (now > middle + 65)].any()
    i = int(np.flatnonzero(in_gap)[0])
    texts = [text for _, text, _ in panel_values(duel, flyby.timeline, i)]
    assert any("est." in text for text in texts)
    # the position in the gap lies between the points on both sides of it
    before = track.along_m[track.t_s <= middle].max()
    after = track.along_m[track.t_s >= middle + 60].min()
    along = flyby.timeline.motions[0].along_m[in_gap]
    assert ((along >= before) & (along <= after)).all()


def test_a_rider_who_stopped_before_the_end_is_refused(
    catalog: Catalog, climb_duel: ClimbDuel
) -> None:
    duel = _duel(catalog, climb_duel)
    first, second = duel.duelists
    halfway = (first.effort.started_s + first.effort.ended_s) / 2
    kept = first.track.t_s < halfway  # withdrawn halfway up: the head unit stops there
    stopped = replace(
        first.track,
        t_s=first.track.t_s[kept],
        along_m=first.track.along_m[kept],
        moving=first.track.moving[kept],
        speed_kmh=first.track.speed_kmh[kept],
        heart_rate=first.track.heart_rate[kept],
        power_w=first.track.power_w[kept],
    )
    tracks = {first.entrant.athlete_id: stopped, second.entrant.athlete_id: second.track}
    pair = (first.entrant, second.entrant)
    with pytest.raises(FlybyRequestError, match=rf"{first.entrant.name} \(bib .*withdrawn"):
        pair_efforts(duel.stage.facts.stage, duel.segment, pair, tracks)  # type: ignore[arg-type]
    with pytest.raises(FlybyRequestError, match="no telemetry that day"):
        pair_efforts(duel.stage.facts.stage, duel.segment, pair, {})
