"""Names of flyby files: readable, stable for the same duel, safe in any file system or URL."""

from __future__ import annotations

import re

from lakehouse.gifs.duel import Duel
from lakehouse.gifs.names import folded


def slug(text: str) -> str:
    """A name as a file name: lower case, accents folded, runs of anything else as one `-`
    (`Côte d'Ax (2)` -> `cote-d-ax-2`)."""
    return re.sub(r"[^a-z0-9]+", "-", folded(text)).strip("-")


def flyby_name(duel: Duel) -> str:
    """flyby-stage-17-col-de-la-loze-bib-1-vs-bib-2-start.gif"""
    a, b = (d.entrant.bib for d in duel.duelists)
    return (
        f"flyby-stage-{duel.stage.facts.stage}-{slug(duel.segment.segment.name)}"
        f"-bib-{a}-vs-bib-{b}-{duel.align}.gif"
    )
