"""What the demo shows of the consumers: a flyby GIF, a bot answer, and commands to try, all
chosen from the race in the lakehouse (its stages, climbs and riders), never named in code."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from lakehouse.bot.ask import ask
from lakehouse.bot.context import open_context
from lakehouse.catalog import open_catalog
from lakehouse.demo.platform import READER
from lakehouse.errors import PelotonError
from lakehouse.gifs.duels import DuelSpec, wanted_duels
from lakehouse.gifs.files import flyby_name
from lakehouse.gifs.flyby import render_request
from lakehouse.gifs.race import load_stage
from lakehouse.gifs.request import FlybyRequest
from lakehouse.settings import Settings

TRY_SQL = (
    "SELECT stage, winner_name, winner_team, winner_time_s FROM marts.stage_summary ORDER BY stage"
)


@dataclass(frozen=True)
class FlybyShown:
    path: Path
    command: str
    """The `peloton gif ...` command that draws the same flyby."""
    caption: str
    frames: int
    size_bytes: int
    gap_s: float


@dataclass(frozen=True)
class AnswerShown:
    question: str
    text: str
    sql: list[str]
    command: str
    known: bool


def pick_duel(settings: Settings, stages: list[int]) -> DuelSpec:
    """The duel to draw: the first two on a climb of the latest stage that has one; else the
    latest stage's finale."""
    catalog = open_catalog(settings)
    fallback: DuelSpec | None = None
    for stage in sorted(stages, reverse=True):
        found, _ = wanted_duels(catalog, load_stage(catalog, stage))
        for spec in found:
            if spec.kind == "climb":
                return spec
        fallback = fallback or next(iter(found), None)
    if fallback is None:
        raise PelotonError(
            f"no stage of {stages} has two riders with telemetry to compare: nothing to draw"
        )
    return fallback


def _segment_options(spec: DuelSpec, name: str) -> list[str]:
    if spec.segment.climb is not None:
        return ["--climb", name]
    if spec.segment.last_km is not None:
        return ["--last-km", f"{spec.segment.last_km:g}"]
    return ["--from-km", f"{spec.segment.from_km:g}", "--to-km", f"{spec.segment.to_km:g}"]


def render_flyby(settings: Settings, stages: list[int], out_dir: Path) -> FlybyShown:
    """Draw the chosen duel into `out_dir`, and the command that draws it again."""
    spec = pick_duel(settings, stages)
    request = FlybyRequest(
        stage=spec.stage, segment=spec.segment, riders=(str(spec.bibs[0]), str(spec.bibs[1]))
    )
    flyby = render_request(open_catalog(settings), request)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / flyby_name(flyby.duel)
    path.write_bytes(flyby.data)
    names = " vs ".join(d.entrant.name for d in flyby.duel.duelists)
    segment = flyby.duel.segment.segment.name
    command = shlex.join(
        [
            "peloton",
            "gif",
            "--stage",
            str(spec.stage),
            *_segment_options(spec, segment),
            "--riders",
            ",".join(str(b) for b in spec.bibs),
        ]
    )
    return FlybyShown(
        path=path,
        command=command,
        caption=f"stage {spec.stage}, {segment}: {names} ({spec.caption})",
        frames=flyby.frames,
        size_bytes=len(flyby.data),
        gap_s=flyby.gap_s,
    )


def winner_question(stages: list[int]) -> str:
    """A question the demo's race can answer: who won its latest stage."""
    if not stages:
        raise PelotonError("no stage in marts.stage_summary: run the pipeline first")
    return f"who won stage {max(stages)}?"


def bot_answer(settings: Settings, stages: list[int]) -> AnswerShown:
    """The race bot's answer, offline, to the winner question of the latest stage."""
    question = winner_question(stages)
    answer = ask(open_context(settings), question, offline=True)
    return AnswerShown(
        question=question,
        text=answer.answer,
        sql=answer.sql,
        command=shlex.join(["peloton", "ask", question]),
        known=answer.known,
    )


def commands_to_try(stages: list[int], flyby: FlybyShown | None) -> list[tuple[str, str]]:
    """(what, command) pairs for the user to run next, on the demo's own race."""
    commands = [
        (
            "SQL as the analysts' user",
            shlex.join(["peloton", "trino", "sql", TRY_SQL, "--user", READER]),
        ),
        ("the race bot", shlex.join(["peloton", "ask", winner_question(stages)])),
    ]
    if flyby is not None:
        commands.append(("a flyby GIF", flyby.command))
    commands += [
        ("the quality checks against the simulator's truth", "peloton check --truth"),
        ("every lakehouse table", "peloton tables"),
        ("stop everything the demo started", "make stop"),
    ]
    return commands
