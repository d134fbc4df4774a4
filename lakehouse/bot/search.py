"""Hybrid search over the bot's documents: BM25 on words and cosine on embeddings, fused."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lakehouse.bot.corpus import Document
from lakehouse.bot.embeddings import Embedder
from lakehouse.bot.text import tokens

K1 = 1.2
B = 0.75
FUSION_K = 60
DATA_KINDS = ("stage", "rider", "team")
"""Documents made from the data, whose numbers (stages, bibs) a query's numbers are matched
with, as a third ranking beside BM25 and cosine."""
"""Reciprocal rank fusion: a document's score is the sum of 1 / (FUSION_K + rank) per ranking."""


class BM25:
    """Okapi BM25 over the documents' folded words."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._docs = [Counter(tokens(t)) for t in texts]
        self._lengths = np.array([sum(d.values()) for d in self._docs], dtype=float)
        self._mean = float(self._lengths.mean()) if len(self._docs) else 0.0
        frequency: Counter[str] = Counter()
        for d in self._docs:
            frequency.update(d.keys())
        n = len(self._docs)
        self._idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def scores(self, query: str) -> np.ndarray:
        found = np.zeros(len(self._docs))
        for word in set(tokens(query)):
            idf = self._idf.get(word)
            if idf is None:
                continue
            for i, doc in enumerate(self._docs):
                tf = doc.get(word)
                if tf:
                    norm = K1 * (1 - B + B * self._lengths[i] / (self._mean or 1.0))
                    found[i] += idf * tf * (K1 + 1) / (tf + norm)
        return found

    def numbers(self, query: str, data: np.ndarray) -> np.ndarray:
        """How many of the query's numbers each document made from the data holds: numbers
        name things there (stages, bibs), which embeddings hardly tell apart."""
        wanted = {t for t in tokens(query) if t.isdigit()}
        return np.array(
            [len(wanted & d.keys()) if data[i] else 0 for i, d in enumerate(self._docs)],
            dtype=float,
        )


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    """Fused score (reciprocal ranks)."""
    cosine: float


class Index:
    """Documents with their vectors, searched by BM25 and cosine, fused by reciprocal rank."""

    def __init__(self, documents: Sequence[Document], vectors: np.ndarray, embedder: Embedder):
        if len(documents) != len(vectors):
            raise ValueError("one vector per document")
        self.documents = list(documents)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.embedder = embedder
        self._bm25 = BM25([d.searchable for d in self.documents])
        self._data = np.array([d.kind in DATA_KINDS for d in self.documents], dtype=bool)

    def search(self, query: str, k: int = 5, kinds: Sequence[str] | None = None) -> list[Hit]:
        keep = np.array([kinds is None or d.kind in kinds for d in self.documents], dtype=bool)
        if not keep.any() or not query.strip():
            return []
        cosine = self.vectors @ self.embedder.embed([query])[0]
        lexical = self._bm25.scores(query)
        numbers = self._bm25.numbers(query, self._data)
        fused = np.zeros(len(self.documents))
        for scores in (cosine, lexical, numbers):
            order = [i for i in np.argsort(-scores, kind="stable") if keep[i]]
            for rank, i in enumerate(order):
                if scores is cosine or scores[i] > 0:
                    fused[i] += 1.0 / (FUSION_K + rank + 1)
        best = [i for i in np.argsort(-fused, kind="stable") if keep[i]][:k]
        return [Hit(self.documents[i], float(fused[i]), float(cosine[i])) for i in best]
