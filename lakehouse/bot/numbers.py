"""Stage numbers and counts read from a question, in English and French."""

from __future__ import annotations

import re

from lakehouse.bot.text import fold

ENGLISH = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
FRENCH = (
    "premiere deuxieme troisieme quatrieme cinquieme sixieme septieme huitieme neuvieme "
    "dixieme onzieme douzieme treizieme quatorzieme quinzieme seizieme dix-septieme "
    "dix-huitieme dix-neuvieme vingtieme"
)
ORDINALS = {
    **{w: i + 1 for i, w in enumerate(ENGLISH.split(" "))},
    **{w: i + 1 for i, w in enumerate(FRENCH.split(" "))},
    "twenty-first": 21, "vingt-et-unieme": 21, "premier": 1, "last": 0, "derniere": 0,
}  # fmt: skip
"""Ordinal words to numbers; 0 stands for the last stage raced."""
COUNTS = {
    "three": 3, "five": 5, "ten": 10, "twenty": 20,
    "trois": 3, "cinq": 5, "dix": 10, "vingt": 20,
}  # fmt: skip
ORDINAL_WORDS = "|".join(sorted(map(re.escape, ORDINALS), key=len, reverse=True))
STAGE_PATTERNS = [
    re.compile(r"\b(?:stage|etape|etapa)\s*(?:n[o°]\.?\s*)?(\d{1,2})\b"),
    re.compile(r"\b(\d{1,2})\s*(?:st|nd|rd|th|e|eme|er|ere|re)?\s+(?:stage|etape)\b"),
    re.compile(rf"\b({ORDINAL_WORDS})\s+(?:stage|etape)\b"),
    re.compile(rf"\b(?:stage|etape)\s+({ORDINAL_WORDS})\b"),
]
COUNT_PATTERNS = [
    re.compile(r"\btop\s*(\d{1,2}|three|five|ten|twenty|trois|cinq|dix|vingt)\b"),
    re.compile(r"\bfirst\s+(\d{1,2}|three|five|ten|twenty)\b"),
    re.compile(r"\b(\d{1,2}|trois|cinq|dix|vingt)\s+premiers\b"),
]


def _first_number(
    question: str, patterns: list[re.Pattern[str]], words: dict[str, int]
) -> int | None:
    """The number the first matching pattern captures, in digits or as one of `words`."""
    text = fold(question)
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            value = found.group(1)
            return int(value) if value.isdigit() else words[value]
    return None


def stage_number(question: str) -> int | None:
    """The stage a question names: `stage 17`, `17th stage`, `17e étape`, `the seventeenth
    stage`, `la dernière étape` (0: the last stage raced); None when it names none."""
    return _first_number(question, STAGE_PATTERNS, ORDINALS)


def count(question: str) -> int | None:
    """How many rows a question asks for: `top 5`, `first ten`, `les dix premiers`."""
    return _first_number(question, COUNT_PATTERNS, COUNTS)
