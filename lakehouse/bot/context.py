"""What answering needs, opened once: the index, the race's names, the readable tables."""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.bot.corpus import static_documents
from lakehouse.bot.entities import Directory, directory_from_rows
from lakehouse.bot.guard import Allowed
from lakehouse.bot.queries import run_guarded
from lakehouse.bot.search import Index
from lakehouse.bot.tables import allowed_tables
from lakehouse.settings import Settings

ENTITY_ROWS = 5000


@dataclass
class Context:
    """One bot's state: settings, the retrieval index, the race's names, the tables it reads."""

    settings: Settings
    index: Index
    directory: Directory
    allowed: Allowed

    @property
    def stages(self) -> list[int]:
        return sorted(e.keys["stage"] for e in self.directory.of_kind("stage"))


def static_index(settings: Settings) -> Index:
    """The documents of `llm/` embedded in memory: the index before `bot_index` has run."""
    from lakehouse.bot.embeddings import embedder_for

    embedder = embedder_for(settings.llm)
    documents = static_documents()
    return Index(documents, embedder.embed([d.searchable for d in documents]), embedder)


def stored_or_static_index(settings: Settings) -> Index:
    """The index the `bot_index` flow stored in the lakehouse, else the static one."""
    from lakehouse.bot.embeddings import embedder_for
    from lakehouse.bot.index_table import load_index
    from lakehouse.catalog import open_catalog

    return load_index(open_catalog(settings), embedder_for(settings.llm)) or static_index(settings)


def race_directory(settings: Settings, allowed: Allowed) -> Directory:
    """The riders, teams, climbs and stages with results, read through the guard as `bot`."""
    riders = run_guarded(
        settings,
        "SELECT DISTINCT bib, rider_name, team FROM marts.stage_results ORDER BY bib",
        allowed,
        ENTITY_ROWS,
    ).records()
    climbs = run_guarded(
        settings,
        "SELECT DISTINCT stage, climb_number, climb_name FROM marts.climb_efforts "
        "ORDER BY stage, climb_number",
        allowed,
        ENTITY_ROWS,
    ).records()
    stages = run_guarded(
        settings, "SELECT stage FROM marts.stage_summary ORDER BY stage", allowed, ENTITY_ROWS
    ).rows
    return directory_from_rows(riders, climbs, [s for (s,) in stages])


def open_context(settings: Settings, index: Index | None = None) -> Context:
    allowed = allowed_tables()
    return Context(
        settings,
        index or stored_or_static_index(settings),
        race_directory(settings, allowed),
        allowed,
    )
