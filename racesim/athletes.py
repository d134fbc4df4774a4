"""The start list: 22 invented teams of 8 invented riders, with bodies and physiology.

No real people: names are drawn from lists of common given names and surnames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import numpy as np

TEAMS: tuple[tuple[str, str], ...] = (
    ("Azur Velo", "AZV"),
    ("Bora Lumen", "BOL"),
    ("Cascade Pro", "CSP"),
    ("Delta Rouleurs", "DTR"),
    ("Etoile du Nord", "EDN"),
    ("Fjord Cycling", "FJC"),
    ("Granite Racing", "GRR"),
    ("Helios Team", "HEL"),
    ("Iberia Costa", "IBC"),
    ("Jura Montagne", "JUM"),
    ("Koala Sport", "KOS"),
    ("Lagune Bleue", "LAB"),
    ("Meridian Pro", "MER"),
    ("Nordkapp", "NDK"),
    ("Olympe Cycles", "OLC"),
    ("Pampa Riders", "PAR"),
    ("Quartz Energy", "QZE"),
    ("Rivage Velo", "RIV"),
    ("Sierra Alta", "SIA"),
    ("Tundra Racing", "TUR"),
    ("Ulysse Team", "ULT"),
    ("Vortex Factory", "VTX"),
)
GIVEN_NAMES = (
    "Adrien",
    "Bruno",
    "Carlos",
    "Daan",
    "Emil",
    "Felix",
    "Gianni",
    "Hugo",
    "Ivan",
    "Jonas",
    "Kasper",
    "Luca",
    "Mattias",
    "Nils",
    "Oscar",
    "Pablo",
    "Quentin",
    "Rafael",
    "Sven",
    "Tobias",
    "Ugo",
    "Victor",
    "Wout",
    "Xavier",
    "Yannick",
    "Zeno",
    "Anders",
    "Bastien",
    "Cian",
    "Diego",
    "Elias",
    "Filip",
    "Gorka",
    "Henrik",
    "Iker",
    "Joris",
    "Kilian",
    "Lars",
    "Marco",
    "Noah",
)
SURNAMES = (
    "Aldana",
    "Berger",
    "Castell",
    "Dumont",
    "Eriksen",
    "Ferreira",
    "Gallo",
    "Hartog",
    "Ibarra",
    "Jansen",
    "Keller",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Olsen",
    "Peeters",
    "Quintero",
    "Rossi",
    "Santos",
    "Thibault",
    "Urrutia",
    "Vermeer",
    "Weber",
    "Yilmaz",
    "Zanetti",
    "Arnaud",
    "Brandt",
    "Costa",
    "Delacroix",
    "Engel",
    "Fontaine",
    "Gerritsen",
    "Holm",
    "Iglesias",
    "Janssens",
    "Kowalski",
    "Laurent",
    "Martens",
    "Nieminen",
    "Ortega",
    "Pellegrini",
    "Renard",
    "Strand",
    "Toscano",
    "Uhlig",
    "Valverde",
    "Wagner",
    "Zubiri",
)
NATIONALITIES = (
    "FRA",
    "BEL",
    "ESP",
    "ITA",
    "NED",
    "DEN",
    "GER",
    "SLO",
    "COL",
    "GBR",
    "AUS",
    "USA",
    "NOR",
    "SUI",
    "POR",
    "ECU",
    "ERI",
    "CAN",
    "AUT",
    "IRL",
)
ROLES = (
    "leader",
    "climber",
    "climber",
    "sprinter",
    "rouleur",
    "rouleur",
    "domestique",
    "domestique",
)

# role: (height cm, weight kg, FTP W/kg range, sprint W range, road CdA m2, TT CdA m2)
PROFILES: dict[str, tuple[float, float, tuple[float, float], tuple[float, float], float, float]] = {
    "leader": (177, 65, (5.95, 6.45), (1000, 1200), 0.32, 0.215),
    "climber": (172, 61, (5.7, 6.05), (900, 1100), 0.31, 0.23),
    "sprinter": (180, 74, (4.9, 5.25), (1550, 1850), 0.34, 0.235),
    "rouleur": (185, 77, (5.25, 5.6), (1150, 1350), 0.35, 0.21),
    "domestique": (180, 69, (5.2, 5.6), (1000, 1250), 0.33, 0.23),
}
STRAVA_SHARE = 0.5
SHEET_COLUMNS = (
    "bib",
    "rider_name",
    "team",
    "team_code",
    "nationality",
    "birth_date",
    "height_cm",
    "weight_kg",
    "role",
    "ftp_w_per_kg",
    "max_hr_bpm",
    "rest_hr_bpm",
    "strava_athlete_id",
)


@dataclass(frozen=True)
class Rider:
    """A rider on the start list, with what the simulator needs to ride the race."""

    bib: int
    rider_name: str
    team: str
    team_code: str
    nationality: str
    birth_date: date
    height_cm: int
    weight_kg: float
    role: str
    ftp_w_per_kg: float
    max_hr_bpm: int
    rest_hr_bpm: int
    strava_athlete_id: int | None
    # simulation-only attributes, not on the sheet
    sprint_w: float
    cda_m2: float
    tt_cda_m2: float
    has_power: bool
    has_heart_rate: bool
    has_cadence: bool

    @property
    def ftp_w(self) -> float:
        return self.ftp_w_per_kg * self.weight_kg

    def sheet_row(self) -> dict[str, object]:
        """The rider as a row of the athletes sheet."""
        row = asdict(self)
        return {column: row[column] for column in SHEET_COLUMNS}


def make_riders(n_teams: int, seed: int) -> list[Rider]:
    """The start list of the first `n_teams` teams, deterministic from `seed`."""
    if not 1 <= n_teams <= len(TEAMS):
        raise ValueError(f"n_teams={n_teams}; expected 1 to {len(TEAMS)}")
    rng = np.random.default_rng([seed, 1])
    names = [f"{g} {s}" for g in GIVEN_NAMES for s in SURNAMES]
    picked = rng.choice(len(names), size=len(TEAMS) * len(ROLES), replace=False)
    # the ids of `choice(np.arange(10_000_000, 99_999_999), ...)`, without the 90-million array
    strava_ids = 10_000_000 + rng.choice(89_999_999, size=len(picked), replace=False)
    riders: list[Rider] = []
    for t, (team, code) in enumerate(TEAMS):
        team_nat = NATIONALITIES[int(rng.integers(len(NATIONALITIES)))]
        # the first teams carry the strongest leaders, so the race has favourites
        team_form = 0.12 * (1 - t / len(TEAMS))
        for k, role in enumerate(ROLES):
            i = t * len(ROLES) + k
            height, weight, ftp_range, sprint_range, cda, tt_cda = PROFILES[role]
            h = height + rng.normal(0, 4)
            w = weight * (h / height) ** 2 + rng.normal(0, 2)
            ftp = rng.uniform(*ftp_range) + (team_form if role == "leader" else 0.0)
            nat = (
                team_nat
                if rng.random() < 0.5
                else NATIONALITIES[int(rng.integers(len(NATIONALITIES)))]
            )
            has_strava = role == "leader" or rng.random() < STRAVA_SHARE
            riders.append(
                Rider(
                    bib=10 * t + k + 1,
                    rider_name=names[int(picked[i])],
                    team=team,
                    team_code=code,
                    nationality=nat,
                    birth_date=date(1988, 1, 1) + timedelta(days=int(rng.integers(0, 16 * 365))),
                    height_cm=round(h),
                    weight_kg=round(float(w), 1),
                    role=role,
                    ftp_w_per_kg=round(float(ftp), 2),
                    max_hr_bpm=int(rng.integers(178, 201)),
                    rest_hr_bpm=int(rng.integers(36, 49)),
                    strava_athlete_id=int(strava_ids[i]) if has_strava else None,
                    sprint_w=float(round(rng.uniform(*sprint_range))),
                    cda_m2=round(cda * rng.uniform(0.95, 1.05), 3),
                    tt_cda_m2=round(tt_cda * rng.uniform(0.95, 1.05), 3),
                    has_power=bool(rng.random() < 0.85),
                    has_heart_rate=bool(rng.random() < 0.9),
                    has_cadence=bool(rng.random() < 0.85),
                )
            )
    return riders[: n_teams * len(ROLES)]
