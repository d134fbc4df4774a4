"""Names compared as people type them: case, accents and spacing ignored."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """`text` lower-cased, without accents, its spaces collapsed: 'Côte  du' -> 'cote du'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
