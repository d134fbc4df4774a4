"""The athletes: from the Google Sheet when one is configured, else from its local export."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from lakehouse.settings import Settings
from lakehouse.sources.rows import (
    Column,
    Parsed,
    Rejected,
    SourceFileError,
    integer,
    iso_date,
    number,
    parse_rows,
    read_csv,
    require_columns,
    require_rows,
    text,
)
from lakehouse.sources.sheets import read_values

ATHLETE_COLUMNS = (
    Column("bib", integer, "an integer race number"),
    Column("rider_name", text, "a name"),
    Column("team", text, "a team name"),
    Column("team_code", text, "a team code", required=False),
    Column("nationality", text, "a country code", required=False),
    Column("birth_date", iso_date, "a date YYYY-MM-DD", required=False),
    Column("height_cm", integer, "an integer height in cm", required=False),
    Column("weight_kg", number(30, 150), "a weight in kg (30 to 150)", required=False),
    Column("role", text, "a role", required=False),
    Column("ftp_w_per_kg", number(1, 9), "W/kg (1 to 9)", required=False),
    Column("max_hr_bpm", integer, "an integer (beats/min)", required=False),
    Column("rest_hr_bpm", integer, "an integer (beats/min)", required=False),
    Column("strava_athlete_id", integer, "an integer id, or empty", required=False),
)


@dataclass(frozen=True)
class AthletesSource:
    label: str
    parsed: Parsed
    fingerprint: str


def athletes_source(settings: Settings) -> tuple[str, Path | None]:
    """The athletes' label in the lakehouse, and the local export's path (None: the sheet)."""
    if settings.sheets.spreadsheet_id:
        return f"sheet {settings.sheets.spreadsheet_id}/{settings.sheets.worksheet}", None
    return "athletes/athletes.csv", settings.sources_dir / "athletes" / "athletes.csv"


def read_athletes(settings: Settings) -> AthletesSource:
    """Read and validate the athletes; a missing column or no rider is an error naming it."""
    if settings.sheets.spreadsheet_id:
        values = read_values(settings.sheets)
        label = athletes_source(settings)[0]
        header = values[0] if values else []
        try:
            require_columns(label, header, ATHLETE_COLUMNS)
        except SourceFileError as exc:  # every row of the sheet is refused with the reason
            rows = enumerate(values[1:], start=2)
            refused = [Rejected(f"{label}:{i}", str(exc), json.dumps(row)) for i, row in rows]
            raise SourceFileError(str(exc), refused) from None
        parsed = parse_rows(label, header, enumerate(values[1:], start=2), ATHLETE_COLUMNS)
        digest = hashlib.sha256(json.dumps(values).encode()).hexdigest()
        return AthletesSource(label, unique_riders(require_rows(label, parsed)), digest)
    label, path = athletes_source(settings)
    assert path is not None  # no sheet: the local export
    parsed = read_csv(path, ATHLETE_COLUMNS, label=label)
    return AthletesSource(
        label,
        unique_riders(parsed),
        hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def unique_riders(parsed: Parsed) -> Parsed:
    """Riders sharing a race number or an athlete id are quarantined, none of them kept."""
    parsed.reject_duplicates("bib", "one rider per race number")
    parsed.reject_duplicates("strava_athlete_id", "one rider per athlete id")
    return parsed
