"""Building the bot's index: the documents of `llm/` and those made from the marts, synced to
the Iceberg table (only new or changed documents are embedded)."""

from __future__ import annotations

from pyiceberg.catalog import Catalog

from lakehouse.bot.corpus import Document, static_documents
from lakehouse.bot.embeddings import embedder_for
from lakehouse.bot.index_table import Sync, sync_index
from lakehouse.bot.race_documents import data_documents
from lakehouse.settings import LLMSettings


def index_documents(catalog: Catalog) -> list[Document]:
    """Every document of the index: cards, glossary, examples, stages, riders, teams."""
    return static_documents() + data_documents(catalog)


def build_index(catalog: Catalog, llm: LLMSettings) -> Sync:
    """Sync the stored index with the documents of now, with the configured embeddings."""
    return sync_index(catalog, index_documents(catalog), embedder_for(llm))
