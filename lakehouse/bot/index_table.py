"""The bot's retrieval index as an Iceberg table: documents and their vectors, so that every
replica of the bot reads the same one. A rebuild embeds only the documents that changed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table

from lakehouse.bot.corpus import Document
from lakehouse.bot.embeddings import Embedder
from lakehouse.bot.search import Index
from lakehouse.lake.bot_tables import BOT_DOCUMENTS
from lakehouse.lake.commits import ensure_table, lineage, now, replace

TABLE = BOT_DOCUMENTS.name
NAMESPACE = TABLE.split(".")[0]
_COLUMNS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("kind", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("intent", pa.string()),
        ("fingerprint", pa.string()),
        ("embedder", pa.string()),
        ("vector", pa.list_(pa.float32())),
    ]
)
SOURCE = "llm/ and the marts"
"""The index rows' `_source`: the bot's documents."""
PART = "all"
"""The part every commit of the index replaces (in its summary, with the corpus' fingerprint)."""


@dataclass(frozen=True)
class Sync:
    """What a rebuild did: documents embedded anew, removed, and kept as they were."""

    embedded: int
    removed: int
    kept: int


def _table(catalog: Catalog) -> Table:
    catalog.create_namespace_if_not_exists(NAMESPACE)
    table = ensure_table(catalog, BOT_DOCUMENTS)
    if "_loaded_at" not in table.schema().column_names:  # made before it had lineage
        with table.update_schema() as update:
            update.union_by_name(BOT_DOCUMENTS.schema())
    return table


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def corpus_fingerprint(documents: list[Document], embedder: Embedder) -> str:
    """Changes whenever a document or the embeddings model changes."""
    ids = "\0".join(sorted(f"{d.doc_id}:{d.fingerprint}" for d in documents))
    return hashlib.sha256(f"{embedder.name}\0{ids}".encode()).hexdigest()[:16]


def sync_index(catalog: Catalog, documents: list[Document], embedder: Embedder) -> Sync:
    """Make the table hold exactly `documents`, embedding only those new or changed (or made
    by another model), in one commit (retried on conflict, the corpus' fingerprint in its
    summary); no commit when nothing changed."""
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
        batch = uuid.uuid4().hex
        rows = pa.Table.from_pylist(
            [
                {**_record(d), "embedder": embedder.name, "vector": v.tolist()}
                for d, v in zip(fresh, vectors, strict=True)
            ],
            schema=_COLUMNS,
        )
        replace(
            table,
            _with_lineage(table, rows, batch),
            f"doc_id IN ({_quoted(gone)})" if gone else "false",
            PART,
            corpus_fingerprint(documents, embedder),
            batch,
        )
    removed = len([i for i in gone if i not in wanted])
    return Sync(embedded=len(fresh), removed=removed, kept=len(documents) - len(fresh))


def _with_lineage(table: Table, rows: pa.Table, batch: str) -> pa.Table:
    target = table.schema().as_arrow()  # the table's own field ids
    arrays = [*rows.columns, *lineage(rows.num_rows, SOURCE, batch, now())]
    return pa.Table.from_arrays(
        [a.cast(f.type) for a, f in zip(arrays, target, strict=True)], schema=target
    )


def _record(d: Document) -> dict[str, str]:
    return {
        "doc_id": d.doc_id,
        "kind": d.kind,
        "title": d.title,
        "text": d.text,
        "intent": d.intent,
        "fingerprint": d.fingerprint,
    }


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
