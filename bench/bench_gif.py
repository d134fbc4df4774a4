"""Benchmark: a flyby GIF (120 frames, 800x600) against matplotlib redrawing every frame.

    python bench/bench_gif.py [--seed 7] [--frames 120] [--runs 3]

Simulates the tiny race into a source database (PELOTON_SOURCE__URL, or an embedded PostgreSQL
in a temporary folder), lands and models it in a fresh local warehouse, and takes the duel the
nightly exports take first on a climb: the first two on the last climb of the stage with the
most climbs. The duel is read once (not timed); then, each in this process, best of --runs:

- peloton: `lakehouse.gifs.flyby.render`: the static layer drawn once and quantized once, each
  frame drawn straight in the shared palette, each stored as the rectangle that changed;
- Pillow, per-frame palettes: the same frames drawn in RGB and saved by Pillow, which
  quantizes each frame on its own;
- ffmpeg palettegen/paletteuse: the same RGB frames piped to the ffmpeg of the imageio-ffmpeg
  wheel (one palette from every frame's changes, dithered, rectangles that changed);
- matplotlib (the baseline): Agg, FuncAnimation without blitting (the whole figure redrawn for
  each frame), same content and size, saved with PillowWriter.

Printed: wall time, bytes, PSNR of the decoded GIF against the RGB frames (the same content
drawn without a palette), and the baseline's time over each. The memory the render adds (peak
resident memory of a forked child that renders, over what it started with) for --frames and 4x
as many frames shows whether memory grows with the frames.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from benchkit import source_database
from PIL import Image
from pyiceberg.catalog import Catalog

from lakehouse.gifs.duel import Duel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

SIZE = (800, 600)


def build_race(seed: int, home: Path, url: str) -> Catalog:
    """The tiny race simulated, landed and modelled in a local warehouse; its catalog."""
    from truth_helpers import through_the_pipeline

    from racesim.simulate import run_simulation

    sources = home / "sources"
    run_simulation("tiny", seed, sources, url, schema="bench_gif")
    return through_the_pipeline(sources, home, url, "bench_gif")


def climb_duel(catalog: Catalog) -> Duel:
    """The first climb duel the nightly exports render (the first two on a climb)."""
    from lakehouse.gifs.duels import wanted_duels
    from lakehouse.gifs.flyby import request_duel
    from lakehouse.gifs.race import known_stages, load_stage
    from lakehouse.gifs.request import FlybyRequest

    for number in sorted(known_stages(catalog)):
        specs, _ = wanted_duels(catalog, load_stage(catalog, number))
        for spec in specs:
            if spec.kind == "climb":
                riders = (str(spec.bibs[0]), str(spec.bibs[1]))
                return request_duel(catalog, FlybyRequest(number, spec.segment, riders))
    raise SystemExit("no climb duel in this race: try another --seed")


def rgb_frames(duel: Duel, frames: int) -> list[np.ndarray]:
    """The frames drawn in RGB (no palette): the reference of quality and the others' input."""
    from lakehouse.gifs.frames import draw_frame, timeline
    from lakehouse.gifs.scene import build_scene
    from lakehouse.gifs.style import layout_for, load_style

    style = load_style()
    scene = build_scene(duel, layout_for(style, *SIZE), style, indexed=False)
    line = timeline(duel, scene, frames)
    return [np.asarray(draw_frame(scene, duel, line, i)) for i in range(frames)]


def decoded(data: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(data))
    found = []
    for i in range(getattr(image, "n_frames", 1)):
        image.seek(i)
        found.append(np.asarray(image.convert("RGB")))
    return found


def psnr(reference: list[np.ndarray], data: bytes) -> float:
    frames = decoded(data)
    if len(frames) != len(reference):
        return float("nan")
    error = np.mean(
        [
            np.mean((a.astype(float) - b.astype(float)) ** 2)
            for a, b in zip(reference, frames, strict=True)
        ]
    )
    return float("inf") if error == 0 else 10 * math.log10(255**2 / error)


def peloton_gif(duel: Duel, frames: int) -> bytes:
    from lakehouse.gifs.flyby import render

    return render(duel, SIZE, frames).data


def pillow_gif(duel: Duel, frames: int) -> bytes:
    from lakehouse.gifs.frames import delays_ms
    from lakehouse.gifs.style import load_style

    style = load_style()
    images = [Image.fromarray(f) for f in rgb_frames(duel, frames)]
    out = io.BytesIO()
    delays = delays_ms(frames, style.frame_ms, style.hold_first_ms, style.hold_last_ms)
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=delays, loop=0
    )
    return out.getvalue()


def ffmpeg_gif(duel: Duel, frames: int) -> bytes:
    import imageio_ffmpeg

    from lakehouse.gifs.style import load_style

    fps = load_style().fps
    raw = b"".join(f.tobytes() for f in rgb_frames(duel, frames))
    graph = (
        "[0:v]split[a][b];[a]palettegen=stats_mode=diff[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"
    )
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "flyby.gif"
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{SIZE[0]}x{SIZE[1]}", "-r", str(fps), "-i", "-",
            "-filter_complex", graph, "-loop", "0", str(out),
        ]  # fmt: skip
        subprocess.run(command, input=raw, check=True)
        return out.read_bytes()


def matplotlib_gif(duel: Duel, frames: int) -> bytes:
    """The common way: a matplotlib figure with the same content, every frame redrawn by Agg."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter
    from matplotlib.artist import Artist
    from matplotlib.collections import LineCollection

    from lakehouse.gifs.frames import clock, panel_values, short_name, timeline
    from lakehouse.gifs.scene import build_scene
    from lakehouse.gifs.style import layout_for, load_style

    style = load_style()
    layout = layout_for(style, *SIZE)
    scene = build_scene(duel, layout, style)
    line = timeline(duel, scene, frames)
    hexes = {k: "#{:02x}{:02x}{:02x}".format(*v) for k, v in style.colours.items()}
    riders = ["#{:02x}{:02x}{:02x}".format(*c) for c in style.riders]
    seg = duel.segment.segment
    fig = plt.figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100, facecolor=hexes["background"])
    ax_map = fig.add_axes((0, 0.2, 0.68, 0.7), facecolor=hexes["background"])
    ax_prof = fig.add_axes((0.06, 0.02, 0.92, 0.15), facecolor=hexes["background"])
    for ax in (ax_map, ax_prof):
        ax.set_axis_off()
    ax_map.plot(scene.route_x, scene.route_y, color=hexes["route_faint"], lw=1.5)
    inside = (scene.route_cum_m >= seg.start_m) & (scene.route_cum_m <= seg.end_m)
    points = np.column_stack((scene.route_x[inside], scene.route_y[inside]))
    ele = duel.stage.map.ele_m[inside]
    segments = np.stack((points[:-1], points[1:]), axis=1)
    relief = LineCollection(list(segments), array=ele[:-1], cmap="Greens_r", linewidths=4)
    ax_map.add_collection(relief)
    box = layout.map
    ax_map.set_xlim(box.x0, box.x1)
    ax_map.set_ylim(box.y1, box.y0)
    gradient_colours = [hexes["muted"] if g < 6 else riders[0] for g in scene.profile_gradient]
    heights = scene.profile_y.max() - scene.profile_y
    step = float(np.diff(scene.profile_along_m).mean())
    ax_prof.bar(scene.profile_along_m, heights, width=step, color=gradient_colours)
    fig.text(
        0.02,
        0.95,
        f"Stage {duel.stage.facts.stage} · {duel.segment.label}",
        color=hexes["text"],
        fontsize=14,
    )
    fig.add_artist(
        plt.Rectangle((0.68, 0.2), 0.32, 0.7, transform=fig.transFigure, color=hexes["panel"])
    )
    markers = [ax_map.plot([], [], "o", ms=12, color=c, mec="white", mew=2)[0] for c in riders]
    trails = [ax_map.plot([], [], "-", lw=3, color=c, alpha=0.6)[0] for c in riders]
    labels = [
        ax_map.text(0, 0, short_name(d.entrant.name), color=hexes["text"], fontsize=9)
        for d in duel.duelists
    ]
    ticks = [ax_prof.axvline(seg.start_m, color=c, lw=2) for c in riders]
    panel = [
        fig.text(0.7, 0.86 - k * 0.04, "", color=hexes["text"], fontsize=11) for k in range(14)
    ]

    def update(i: int) -> list[Artist]:
        for who in (0, 1):
            xs, ys = line.map_xy[who]
            markers[who].set_data([xs[i]], [ys[i]])
            first = max(0, i - style.trail_frames)
            trails[who].set_data(xs[first : i + 1], ys[first : i + 1])
            labels[who].set_position((xs[i] + 8, ys[i] - 8))
            ticks[who].set_xdata([line.motions[who].along_m[i]] * 2)
        texts = [text for _, text, _ in panel_values(duel, line, i)]
        for k, artist in enumerate(panel):
            artist.set_text(texts[k] if k < len(texts) else "")
        panel[0].set_text(clock(line.replay_s[i]))
        return [*markers, *trails, *labels, *ticks, *panel]

    animation = FuncAnimation(fig, update, frames=frames, blit=False)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "flyby.gif"
        animation.save(str(out), writer=PillowWriter(fps=style.fps))
        plt.close(fig)
        return out.read_bytes()


def best(
    make: Callable[[Duel, int], bytes], duel: Duel, frames: int, runs: int
) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        data = make(duel, frames)
        times.append(time.perf_counter() - start)
    return min(times), data


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="peloton-bench-gif-", dir="/var/tmp") as home,
        source_database() as url,
    ):
        catalog = build_race(args.seed, Path(home), url)
        duel = climb_duel(catalog)
        names = " vs ".join(d.entrant.name for d in duel.duelists)
        size = f"{SIZE[0]}x{SIZE[1]}"
        print(f"duel: stage {duel.stage.facts.stage}, {duel.segment.label}, {names}")
        print(f"{args.frames} frames at {size}, best of {args.runs} runs")
        seconds, ours = best(peloton_gif, duel, args.frames, args.runs)
        memory = {n: render_memory_mb(duel, n) for n in (args.frames, args.frames * 4)}
        reference = rgb_frames(duel, args.frames)
        results = {"peloton (shared palette, changed rectangles)": (seconds, ours)}
        results["Pillow, a palette per frame"] = best(pillow_gif, duel, args.frames, args.runs)
        results["ffmpeg palettegen/paletteuse"] = best(ffmpeg_gif, duel, args.frames, args.runs)
        baseline, baseline_data = best(matplotlib_gif, duel, args.frames, 1)
        print(f"{'encoding':46} {'time':>8} {'bytes':>10} {'PSNR':>8} {'matplotlib / it':>16}")
        for name, (took, data) in results.items():
            quality = psnr(reference, data)
            print(
                f"{name:46} {took:7.3f}s {len(data):10,} {quality:6.1f}dB {baseline / took:15.1f}x"
            )
        name = "matplotlib Agg, FuncAnimation, no blitting"
        print(f"{name:46} {baseline:7.3f}s {len(baseline_data):10,} {'n/a':>8} {1.0:15.1f}x")
        for frames, grown in memory.items():
            print(f"memory the render adds, {frames} frames: {grown:.0f} MB (peak RSS in a fork)")


def render_memory_mb(duel: Duel, frames: int) -> float:
    """How much the render adds to the peak resident memory, in a forked child (MB)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: render, report its peak growth, leave at once
        os.close(reader)
        start = _status_mb("VmRSS")
        peloton_gif(duel, frames)
        os.write(writer, f"{_status_mb('VmHWM') - start:.3f}".encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        grown = float(pipe.read())
    os.waitpid(child, 0)
    return grown


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
