"""Back-fill vectors: embed stored passages that the current embedder has no vector for."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_postgres import PGVector
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.kb.chunking import Chunk
from tools.kb.models import KbDocument
from tools.kb.queries import passages_missing_vectors
from tools.kb.store import PreparedDocument, chunk_id, passage_metadata


def _prepared(row: Any) -> tuple[PreparedDocument, Chunk]:
    doc = KbDocument.model_construct(doc_id=row.doc_id, title=row.title, body="", lang=row.lang,
                                     tags=list(row.tags or []))
    chunk = Chunk(row.ord, row.heading, row.body)
    return PreparedDocument(doc, [chunk], []), chunk


async def embed_missing(conn: AsyncConnection, vectors: PGVector, embeddings: Embeddings,
                        key: str) -> int:
    """Embed and store every passage lacking a vector in collection `key`; returns how many."""
    rows = await passages_missing_vectors(conn, key)
    if not rows:
        return 0
    items = [_prepared(row) for row in rows]
    embedded = await embeddings.aembed_documents([p.index_text(c) for p, c in items])
    await vectors.aadd_embeddings(
        texts=[c.text(p.doc.title) for p, c in items],
        embeddings=embedded,
        metadatas=[passage_metadata(p.doc.doc_id, c.ord, p.doc.title, p.doc.lang)
                   for p, c in items],
        ids=[f"{key}:{chunk_id(p.doc.doc_id, c.ord)}" for p, c in items])
    return len(items)
