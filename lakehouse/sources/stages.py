"""The stage files: the index (stages/stages.csv) and one CSV per stage (path + checkpoints)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lakehouse.sources.rows import (
    Column,
    Parsed,
    Rejected,
    choice,
    integer,
    iso_date,
    number,
    read_csv,
    text,
    timestamp,
)

STAGE_FILE = re.compile(r"^stage-(\d{2})\.csv$")
CHECKPOINTS = ("start", "sprint", "climb_foot", "climb_summit", "finish")

INDEX_COLUMNS = (
    Column("stage", integer, "an integer stage number"),
    Column("date", iso_date, "a date YYYY-MM-DD"),
    Column("start", text, "a town", required=False),
    Column("finish", text, "a town", required=False),
    Column("distance_km", number(0, 400), "a distance in km (0 to 400)", required=False),
    Column("route_length_km", number(0, 400), "a distance in km (0 to 400)", required=False),
    Column("elevation_gain_m", number(0, 10_000), "metres (0 to 10,000)", required=False),
    Column(
        "kind",
        choice("road", "individual_time_trial"),
        "road or individual_time_trial",
        required=False,
    ),
    Column(
        "profile",
        choice("flat", "hilly", "mountain", "time_trial"),
        "flat, hilly, mountain or time_trial",
        required=False,
    ),
    Column("start_at", timestamp, "an ISO timestamp with time zone", required=False),
    Column("time_limit_pct", number(0, 100), "a percentage (0 to 100)", required=False),
)

ROUTE_COLUMNS = (
    Column("record", choice("point", "checkpoint"), "point or checkpoint"),
    Column("seq", integer, "an integer sequence number"),
    Column("lat", number(-90, 90), "a latitude in degrees (-90 to 90)"),
    Column("lon", number(-180, 180), "a longitude in degrees (-180 to 180)"),
    Column("ele_m", number(-500, 9_000), "an elevation in m (-500 to 9,000)", required=False),
    Column("distance_km", number(0, 400), "a distance in km (0 to 400)", required=False),
    Column("checkpoint", choice(*CHECKPOINTS), " or ".join(CHECKPOINTS), required=False),
    Column("name", text, "a name", required=False),
    Column("category", choice("HC", "1", "2", "3", "4"), "HC, 1, 2, 3 or 4", required=False),
    Column("climb_number", integer, "an integer", required=False),
)


@dataclass(frozen=True)
class StageFile:
    stage: int
    path: Path

    @property
    def label(self) -> str:
        return f"stages/{self.path.name}"

    def fingerprint(self, day: date | None = None) -> str:
        """The file's content, and the stage's day from the index (a moved stage re-lands)."""
        digest = hashlib.sha256(self.path.read_bytes())
        if day is not None:
            digest.update(f"|{day.isoformat()}".encode())
        return digest.hexdigest()


def stage_files(folder: Path) -> list[StageFile]:
    """The stage-NN.csv files of a folder, by stage number."""
    found = [
        StageFile(int(m[1]), p)
        for p in sorted(folder.glob("stage-*.csv"))
        if (m := STAGE_FILE.match(p.name))
    ]
    return sorted(found, key=lambda f: f.stage)


def read_index(path: Path) -> Parsed:
    """The stage index; lines that share a stage number or a date are quarantined, all of them."""
    parsed = read_csv(path, INDEX_COLUMNS, label=f"stages/{path.name}")
    parsed.reject_duplicates("stage", "one line per stage")
    parsed.reject_duplicates("date", "one stage per day")
    return parsed


def read_stage_file(stage_file: StageFile) -> Parsed:
    """Parse a stage CSV; point rows with a sequence number seen before are rejected."""
    seen: set[int] = set()

    def unique_points(row: dict[str, Any]) -> str | None:
        if row["record"] != "point":
            return None
        if row["seq"] in seen:
            return f"seq {row['seq']} repeats an earlier point; expected unique sequence numbers"
        seen.add(row["seq"])
        return None

    return read_csv(stage_file.path, ROUTE_COLUMNS, stage_file.label, unique_points)


def whole_file_rejected(label: str, path: Path | None, reason: str) -> list[Rejected]:
    """Every line of an unreadable file, rejected with the same reason (nothing is dropped)."""
    if path is None or not path.is_file():
        return [Rejected(label, reason, "")]
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return [Rejected(f"{label}:{i}", reason, line) for i, line in enumerate(lines, 1) if i > 1] or [
        Rejected(label, reason, "")
    ]
