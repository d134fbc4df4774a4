"""Riders, teams, stages and climbs by fuzzy name: accents, case, surnames and typos forgiven."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from lakehouse.bot.text import fold, tokens

KINDS = ("rider", "team", "climb", "stage")
MATCH = 86.0
"""Least similarity (0-100) of a question's words to a name for the name to be taken."""
SUGGEST = 60.0
"""Least similarity for a name to be offered as "did you mean"."""
GENERIC = {
    "col", "de", "la", "le", "du", "des", "cote", "mont", "puy", "montee", "team", "pro",
    "cycling", "the", "of", "d", "l", "grand", "port", "tour", "stage", "etape",
}  # fmt: skip
"""Words too common to name an entity on their own."""


@dataclass(frozen=True)
class Entity:
    """A thing a question may name: its kind, display name, keys for SQL and other names."""

    kind: str
    name: str
    keys: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    entity: Entity
    score: float
    words: str
    """The question's words that matched."""


def aliases_of(kind: str, name: str) -> tuple[str, ...]:
    """The folded full name, and for a rider their surname (the words after the first), for a
    climb or team its distinctive words."""
    full = " ".join(tokens(name))
    words = tokens(name)
    found = [full]
    if kind == "rider" and len(words) > 1:
        found.append(" ".join(words[1:]))
    distinctive = [w for w in words if w not in GENERIC and len(w) > 2]
    if kind in ("climb", "team") and distinctive and " ".join(distinctive) != full:
        found.append(" ".join(distinctive))
    return tuple(dict.fromkeys(a for a in found if len(a) >= 3))


def _ngrams(words: list[str], size: int) -> list[str]:
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def score(question_words: list[str], entity: Entity) -> tuple[float, str]:
    """How well some run of the question's words matches one of the entity's names."""
    best, where = 0.0, ""
    for alias in entity.aliases:
        size = len(alias.split())
        for gram in _ngrams(question_words, size):
            if gram.split()[0] in GENERIC and size == 1:
                continue
            s = fuzz.ratio(gram, alias)
            if s > best:
                best, where = s, gram
    return best, where


class Directory:
    """The entities of the race, searched by fuzzy name."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities = entities

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]

    def find(self, text: str, kind: str, least: float = MATCH) -> list[Match]:
        """Entities of `kind` named in `text`, best first."""
        words = tokens(text)
        found = []
        for entity in self.of_kind(kind):
            s, where = score(words, entity)
            if s >= least:
                found.append(Match(entity, s, where))
        return sorted(found, key=lambda m: (-m.score, -len(m.words), m.entity.name))

    def best(self, text: str, kind: str) -> Match | None:
        found = self.find(text, kind)
        if not found:
            return None
        top = found[0]
        # a full name beats a surname shared by two riders (the longer match wins a tie)
        return top

    def suggest(self, text: str, kind: str, n: int = 3) -> list[str]:
        """Names of `kind` closest to `text`, for "did you mean"."""
        scored = sorted(
            ((fuzz.WRatio(fold(text), e.aliases[0]), e.name) for e in self.of_kind(kind)),
            reverse=True,
        )
        return [name for s, name in scored[:n] if s >= SUGGEST]


def directory_from_rows(
    riders: list[dict[str, Any]], climbs: list[dict[str, Any]], stages: list[int]
) -> Directory:
    """The race's entities from rows of the marts: riders (bib, rider_name, team), climbs
    (stage, climb_number, climb_name) and the stages with results."""
    entities = [
        Entity(
            "rider",
            r["rider_name"],
            {"bib": r["bib"], "rider_name": r["rider_name"], "team": r["team"]},
            aliases_of("rider", r["rider_name"]),
        )
        for r in riders
    ]
    for team in sorted({r["team"] for r in riders}):
        entities.append(
            Entity("team", team, {"team": team, "team_name": team}, aliases_of("team", team))
        )
    for c in climbs:
        entities.append(
            Entity(
                "climb",
                c["climb_name"],
                {
                    "stage": c["stage"],
                    "climb_number": c["climb_number"],
                    "climb_name": c["climb_name"],
                },
                aliases_of("climb", c["climb_name"]),
            )
        )
    entities += [Entity("stage", f"stage {s}", {"stage": s}, (f"stage {s}",)) for s in stages]
    return Directory(entities)
