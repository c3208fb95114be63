"""Embeddings: offline character n-gram hashing by default, an OpenAI-compatible endpoint by setting.

The hashing embedder needs no model download and treats Chinese and English alike: CJK
characters and bigrams, Latin words and their character trigrams are hashed (with a sign
bit) into a fixed-size vector, sub-linear term frequency, L2-normalised for cosine.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from tools.kb.text import terms
from tools.settings import Settings


@dataclass(frozen=True)
class HashingConfig:
    """Which features the hashing embedder uses, and their weights."""

    dim: int = 512
    cjk_char_weight: float = 0.5
    cjk_bigram_weight: float = 1.0
    word_weight: float = 1.0
    trigram_weight: float = 0.35

    @property
    def key(self) -> str:
        """A short stable name: it names the PGVector collection of this embedder."""
        weights = (self.cjk_char_weight, self.cjk_bigram_weight, self.word_weight,
                   self.trigram_weight)
        return f"hash{self.dim}-" + "-".join(f"{w:g}" for w in weights)


def _trigrams(word: str) -> list[str]:
    padded = f"<{word}>"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def _features(text: str, config: HashingConfig) -> Counter[str]:
    found = terms(text)
    feats: Counter[str] = Counter()
    for weight, prefix, items in (
        (config.cjk_char_weight, "c:", found.cjk_chars),
        (config.cjk_bigram_weight, "b:", found.cjk_bigrams),
        (config.word_weight, "w:", found.words),
        (config.trigram_weight, "t:", [g for w in found.words for g in _trigrams(w)]),
    ):
        if weight:
            for item in items:
                feats[prefix + item] += 1
    return feats


class HashingEmbeddings(Embeddings):
    """Feature hashing into `config.dim` dimensions; deterministic across processes."""

    def __init__(self, config: HashingConfig | None = None) -> None:
        self.config = config or HashingConfig()
        self._weights = {"c:": self.config.cjk_char_weight, "b:": self.config.cjk_bigram_weight,
                         "w:": self.config.word_weight, "t:": self.config.trigram_weight}

    @property
    def key(self) -> str:
        """The collection name suffix for vectors made by this embedder."""
        return self.config.key

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.config.dim
        for feat, count in _features(text, self.config).items():
            h = zlib.crc32(feat.encode())
            sign = 1.0 if h & 0x80000000 else -1.0
            vec[h % self.config.dim] += sign * self._weights[feat[:2]] * (1.0 + math.log(count))
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed chunks."""
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self._vector(text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Same as the sync form: pure CPU work of well under a millisecond per text."""
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Same as the sync form (no thread hop on the search path)."""
        return self.embed_query(text)


def embedder_key(embeddings: Embeddings) -> str:
    """Name of the vector collection for `embeddings` (switching models never mixes vectors)."""
    if isinstance(embeddings, HashingEmbeddings):
        return embeddings.key
    model = getattr(embeddings, "model", None) or type(embeddings).__name__
    return f"ext-{model}"


def make_embeddings(settings: Settings) -> Embeddings:
    """The configured embedder: an OpenAI-compatible endpoint if a model is set, else hashing."""
    if not settings.embeddings_model:
        return HashingEmbeddings()
    from langchain_openai import OpenAIEmbeddings

    return OpenAIEmbeddings(
        model=settings.embeddings_model,
        base_url=settings.embeddings_base_url or settings.openai_base_url,
        api_key=settings.openai_api_key or "not-needed",  # type: ignore[arg-type]
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        check_embedding_ctx_length=False,  # local servers do not speak tiktoken token ids
    )
