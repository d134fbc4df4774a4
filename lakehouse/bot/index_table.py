"""The bot's retrieval index as an Iceberg table: documents and their vectors, so that every
replica of the bot reads the same one. A rebuild embeds only the documents that changed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.expressions import In
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.types import FloatType, ListType, NestedField, StringType

from lakehouse.bot.corpus import Document
from lakehouse.bot.embeddings import Embedder
from lakehouse.bot.search import Index

NAMESPACE = "bot"
TABLE = f"{NAMESPACE}.documents"
"""Kept out of `marts`: the readers (`bi`, the bot's SQL) have no business reading it."""
SCHEMA = Schema(
    NestedField(1, "doc_id", StringType(), required=True, doc="kind:key, unique"),
    NestedField(
        2, "kind", StringType(), required=True, doc="card, glossary, example, stage, rider or team"
    ),
    NestedField(3, "title", StringType(), required=True, doc="what the document is about"),
    NestedField(4, "text", StringType(), required=True, doc="the document's text"),
    NestedField(5, "intent", StringType(), required=True, doc="an example's intent, else ''"),
    NestedField(6, "fingerprint", StringType(), required=True, doc="hash of kind, title and text"),
    NestedField(7, "embedder", StringType(), required=True, doc="the model that made the vector"),
    NestedField(
        8,
        "vector",
        ListType(9, FloatType(), element_required=True),
        required=True,
        doc="L2-normalized embedding",
    ),
)


@dataclass(frozen=True)
class Sync:
    """What a rebuild did: documents embedded anew, removed, and kept as they were."""

    embedded: int
    removed: int
    kept: int


def _table(catalog: Catalog) -> Table:
    catalog.create_namespace_if_not_exists(NAMESPACE)
    return catalog.create_table_if_not_exists(
        TABLE, schema=SCHEMA, properties={"comment": "The race bot's retrieval index"}
    )


def sync_index(catalog: Catalog, documents: list[Document], embedder: Embedder) -> Sync:
    """Make the table hold exactly `documents`, embedding only those new or changed (or made
    by another model), in one commit; no commit when nothing changed."""
    if len({d.doc_id for d in documents}) != len(documents):
        raise ValueError("document ids must be unique")
    table = _table(catalog)
    stored = {
        r["doc_id"]: (r["fingerprint"], r["embedder"])
        for r in table.scan(selected_fields=("doc_id", "fingerprint", "embedder"))
        .to_arrow()
        .to_pylist()
    }
    wanted = {d.doc_id: d for d in documents}
    fresh = [d for d in documents if stored.get(d.doc_id) != (d.fingerprint, embedder.name)]
    gone = [i for i in stored if i not in wanted or wanted[i] in fresh]
    if fresh or gone:
        vectors = embedder.embed([d.searchable for d in fresh])
        rows = pa.Table.from_pylist(
            [
                {
                    "doc_id": d.doc_id,
                    "kind": d.kind,
                    "title": d.title,
                    "text": d.text,
                    "intent": d.intent,
                    "fingerprint": d.fingerprint,
                    "embedder": embedder.name,
                    "vector": v.tolist(),
                }
                for d, v in zip(fresh, vectors, strict=True)
            ],
            schema=SCHEMA.as_arrow(),
        )
        with table.transaction() as tx:
            if gone:
                tx.delete(In("doc_id", gone))  # type: ignore[call-arg,misc,unused-ignore]
            if fresh:
                tx.append(rows)
    removed = len([i for i in gone if i not in wanted])
    return Sync(embedded=len(fresh), removed=removed, kept=len(documents) - len(fresh))


def load_index(catalog: Catalog, embedder: Embedder) -> Index | None:
    """The stored index with `embedder`'s vectors; None when there is none yet."""
    try:
        table = catalog.load_table(TABLE)
    except NoSuchTableError:
        return None
    rows = [r for r in table.scan().to_arrow().to_pylist() if r["embedder"] == embedder.name]
    if not rows:
        return None
    documents = [Document(r["doc_id"], r["kind"], r["title"], r["text"], r["intent"]) for r in rows]
    return Index(documents, np.array([r["vector"] for r in rows], dtype=np.float32), embedder)
