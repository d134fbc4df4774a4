"""Text embeddings: the wordllama model shipped inside its package, or an OpenAI-compatible
endpoint when one is configured. Vectors are L2-normalized, so a dot product is the cosine."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from lakehouse.errors import ConfigurationError, PelotonError
from lakehouse.settings import LLMSettings

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256
BATCH = 64


class Embedder(Protocol):
    """What the index needs: a name (stored with each vector) and vectors for texts."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalized(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


class PackagedEmbedder:
    """wordllama's model from the files in its own package folder; nothing is downloaded.

    wordllama's `load` looks for its tokenizer in a folder its wheel does not have and then
    downloads it; the weights and the tokenizer both ship in the wheel (`weights/`,
    `tokenizers/`), so they are read from there directly.
    """

    name = f"wordllama-{WORDLLAMA_CONFIG}-{WORDLLAMA_DIM}"

    def __init__(self) -> None:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference

        root = Path(wordllama.__file__).parent
        weights = root / "weights" / f"{WORDLLAMA_CONFIG}_{WORDLLAMA_DIM}.safetensors"
        tokenizer = root / "tokenizers" / f"{WORDLLAMA_CONFIG}_tokenizer_config.json"
        missing = [str(p) for p in (weights, tokenizer) if not p.is_file()]
        if missing:
            raise ConfigurationError(
                f"the wordllama package lacks its model files: {', '.join(missing)}; "
                "reinstall wordllama, or set PELOTON_LLM__EMBEDDINGS_MODEL to use an endpoint"
            )
        with safe_open(str(weights), framework="np", device="cpu") as f:
            table = f.get_tensor("embedding.weight")
        self._model = WordLlamaInference(table, Tokenizer.from_file(str(tokenizer)))

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, WORDLLAMA_DIM), dtype=np.float32)
        return _normalized(self._model.embed(texts))


class EndpointEmbedder:
    """An OpenAI-compatible `/embeddings` endpoint, through the `openai` client."""

    def __init__(self, settings: LLMSettings) -> None:
        from openai import OpenAI

        url = settings.embeddings_url or settings.base_url
        if url is None or settings.embeddings_model is None:
            raise ConfigurationError(
                "PELOTON_LLM__EMBEDDINGS_MODEL needs PELOTON_LLM__EMBEDDINGS_URL or "
                "PELOTON_LLM__BASE_URL"
            )
        key = settings.api_key.get_secret_value() if settings.api_key else "none"
        self._client = OpenAI(base_url=url, api_key=key, timeout=settings.timeout_s, max_retries=1)
        self._model = settings.embeddings_model
        self.name = f"endpoint-{settings.embeddings_model}"

    def embed(self, texts: list[str]) -> np.ndarray:
        from openai import OpenAIError

        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            try:
                reply = self._client.embeddings.create(
                    model=self._model, input=texts[start : start + BATCH]
                )
            except OpenAIError as exc:
                raise PelotonError(f"the embeddings endpoint failed: {exc}") from None
            vectors += [d.embedding for d in sorted(reply.data, key=lambda d: d.index)]
        return _normalized(np.array(vectors)) if vectors else np.zeros((0, 1), np.float32)


@lru_cache(maxsize=1)
def packaged_embedder() -> PackagedEmbedder:
    """The packaged model, loaded once per process (about 0.1 s, 60 MB)."""
    return PackagedEmbedder()


def embedder_for(settings: LLMSettings) -> Embedder:
    """The endpoint's embeddings when a model is configured for one, else the packaged model."""
    if settings.embeddings_model is not None:
        return EndpointEmbedder(settings)
    return packaged_embedder()
