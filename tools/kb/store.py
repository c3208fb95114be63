"""The KB's Postgres side: articles, passages with their keyword index, and PGVector's vectors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings
from langchain_postgres import PGVector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from tools.kb.chunking import Chunk
from tools.kb.models import KbDocument
from tools.kb.synonyms import expansions
from tools.kb.text import keyword_text

COLLECTION_PREFIX = "helpdesk_kb/"
_LOCK_KEY = 72_616_004  # serialises sample loading across server processes


@dataclass(frozen=True)
class Passage:
    """One stored chunk as search returns it."""

    chunk_id: str
    doc_id: str
    title: str
    lang: str
    text: str


@dataclass(frozen=True)
class PreparedDocument:
    """A document chunked and embedded, ready to be written in one transaction."""

    doc: KbDocument
    chunks: list[Chunk]
    vectors: list[list[float]]

    def index_text(self, chunk: Chunk) -> str:
        """Passage, tags and thesaurus synonyms: what the keyword index and the embedder see."""
        base = f"{chunk.text(self.doc.title)}\n{' '.join(self.doc.tags)}"
        return f"{base}\n{' '.join(expansions(base))}"


def chunk_id(doc_id: str, ord_: int) -> str:
    """Stable id of a document's n-th chunk."""
    return f"{doc_id}#{ord_}"


def vector_store(engine: AsyncEngine, embeddings: Embeddings, key: str) -> PGVector:
    """PGVector in async mode on our engine; its tables come from our migrations."""
    return PGVector(embeddings, connection=engine, collection_name=COLLECTION_PREFIX + key,
                    create_extension=False, async_mode=True, use_jsonb=True)


def joined_vector_store(conn: AsyncConnection, embeddings: Embeddings, key: str) -> PGVector:
    """A PGVector whose sessions join `conn`'s transaction, so its writes commit with ours.

    PGVector commits its own sessions; bound with `create_savepoint` those commits only
    release savepoints and the caller's transaction decides (SQLAlchemy's documented recipe).
    """
    store = vector_store(conn.engine, embeddings, key)
    store.session_maker = async_sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return store


async def ensure_collection(engine: AsyncEngine, key: str) -> None:
    """Create the PGVector collection row race-free (PGVector's own get-or-create is not)."""
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO langchain_pg_collection (uuid, name, cmetadata) "
            "VALUES (gen_random_uuid(), :name, '{}') ON CONFLICT (name) DO NOTHING"),
            {"name": COLLECTION_PREFIX + key})


def _content_hash(doc: KbDocument) -> str:
    raw = json.dumps(doc.model_dump(), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


_UPSERT_DOC = text("""
    INSERT INTO kb_documents (doc_id, title, body, lang, tags, content_hash)
    VALUES (:doc_id, :title, :body, :lang, CAST(:tags AS jsonb), :hash)
    ON CONFLICT (doc_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,
        lang = EXCLUDED.lang, tags = EXCLUDED.tags, content_hash = EXCLUDED.content_hash,
        updated_at = now()""")
_INSERT_CHUNK = text("""
    INSERT INTO kb_chunks (chunk_id, doc_id, ord, heading, body, lang, tsv)
    VALUES (:chunk_id, :doc_id, :ord, :heading, :body, :lang,
            to_tsvector('english', :words) || to_tsvector('simple', :bigrams))""")


async def _replace_rows(conn: AsyncConnection, prepared: PreparedDocument) -> None:
    doc = prepared.doc
    await conn.execute(_UPSERT_DOC, {**doc.model_dump(exclude={"tags"}),
                                     "tags": json.dumps(doc.tags), "hash": _content_hash(doc)})
    await conn.execute(text("DELETE FROM kb_chunks WHERE doc_id = :d"), {"d": doc.doc_id})
    # Vectors of every embedder go: other collections re-embed the new text on their next
    # `ensure_indexed` instead of serving stale passages.
    await conn.execute(text("DELETE FROM langchain_pg_embedding WHERE cmetadata @> "
                            "CAST(:m AS jsonb)"), {"m": json.dumps({"doc_id": doc.doc_id})})
    rows = [_chunk_row(prepared, chunk) for chunk in prepared.chunks]
    if rows:
        await conn.execute(_INSERT_CHUNK, rows)


def _chunk_row(prepared: PreparedDocument, chunk: Chunk) -> dict[str, object]:
    words, bigrams = keyword_text(prepared.index_text(chunk))
    doc = prepared.doc
    return {"chunk_id": chunk_id(doc.doc_id, chunk.ord), "doc_id": doc.doc_id, "ord": chunk.ord,
            "heading": chunk.heading, "body": chunk.body, "lang": doc.lang, "words": words,
            "bigrams": bigrams}


async def write_documents(conn: AsyncConnection, vectors: PGVector, key: str,
                          docs: list[PreparedDocument]) -> None:
    """Replace each document's row, chunks and vectors inside the caller's transaction."""
    for prepared in docs:
        await _replace_rows(conn, prepared)
        doc = prepared.doc
        if not prepared.chunks:
            continue
        await vectors.aadd_embeddings(
            texts=[c.text(doc.title) for c in prepared.chunks],
            embeddings=prepared.vectors,
            metadatas=[passage_metadata(doc.doc_id, c.ord, doc.title, doc.lang)
                       for c in prepared.chunks],
            ids=[f"{key}:{chunk_id(doc.doc_id, c.ord)}" for c in prepared.chunks])


def passage_metadata(doc_id: str, ord_: int, title: str, lang: str) -> dict[str, str]:
    """The JSON metadata PGVector keeps beside each vector."""
    return {"doc_id": doc_id, "chunk_id": chunk_id(doc_id, ord_), "title": title, "lang": lang}


async def lock_for_loading(conn: AsyncConnection) -> None:
    """Hold the sample-loading lock until `conn`'s transaction ends."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


async def count_documents(conn: AsyncConnection) -> int:
    """How many articles the KB holds."""
    return int((await conn.execute(text("SELECT count(*) FROM kb_documents"))).scalar_one())


async def get_document(conn: AsyncConnection, doc_id: str) -> KbDocument | None:
    """One article as written, or None."""
    row = (await conn.execute(text("SELECT doc_id, title, body, lang, tags FROM kb_documents "
                                   "WHERE doc_id = :d"), {"d": doc_id})).mappings().first()
    return None if row is None else KbDocument.model_validate(dict(row))
