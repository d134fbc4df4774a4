"""Text folding shared by search and name matching: lower case, accents off, word tokens."""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents: `Pogačar` -> `pogacar`, `étape` -> `etape`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """The folded words of `text`, digits kept."""
    return WORD.findall(fold(text))
