"""The race bot's retrieval index (lakehouse/bot/index_table.py): documents and their vectors.

In its own namespace, `bot`, rather than `marts`: the readers (`bi`, the bot's SQL) have no
business reading it.
"""

from __future__ import annotations

from pyiceberg.types import FloatType, ListType, StringType

from lakehouse.lake.definition import TableDef

VECTOR_ELEMENT_ID = 100
"""The vector list's element field id: apart from the columns' ids and the lineage's."""

BOT_DOCUMENTS = TableDef(
    name="bot.documents",
    doc="The race bot's retrieval index: its documents and their embeddings",
    columns=(
        ("doc_id", StringType(), True, "kind:key, unique"),
        ("kind", StringType(), True, "card, glossary, example, stage, rider or team"),
        ("title", StringType(), True, "what the document is about"),
        ("text", StringType(), True, "the document's text"),
        ("intent", StringType(), True, "an example's intent, else ''"),
        ("fingerprint", StringType(), True, "hash of kind, title and text"),
        ("embedder", StringType(), True, "the model that made the vector"),
        (
            "vector",
            ListType(VECTOR_ELEMENT_ID, FloatType(), element_required=True),
            True,
            "L2-normalized embedding",
        ),
    ),
)
