"""Read queries of the KB: keyword search over the passages, and passages missing vectors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.kb.chunking import Chunk
from tools.kb.lexical import keyword_score, term_weights
from tools.kb.store import Passage
from tools.kb.text import keyword_text

# Candidates for the keyword side: passages sharing terms with the question, each with the
# terms it matched, plus every question term's document frequency, so that `lexical.py` can
# weight terms (IDF, word-boundary bigrams) in Python. One GIN lookup per term.
_KEYWORD_SQL = text("""
WITH q AS (
    SELECT DISTINCT lex FROM unnest(tsvector_to_array(
        to_tsvector('english', :words) || to_tsvector('simple', :bigrams))) AS lex
), n AS (SELECT count(*) AS total FROM kb_chunks),
d AS (
    SELECT q.lex, quote_literal(q.lex)::tsquery AS tq,
           (SELECT count(*) FROM kb_chunks c WHERE c.tsv @@ quote_literal(q.lex)::tsquery) AS df
    FROM q
), m AS (
    SELECT c.chunk_id, array_agg(d.lex) AS matched,
           sum(ln(1 + (n.total - d.df + 0.5) / (d.df + 0.5))) AS raw
    FROM d CROSS JOIN n JOIN kb_chunks c ON c.tsv @@ d.tq
    GROUP BY c.chunk_id
    ORDER BY raw DESC, c.chunk_id
    LIMIT :k
)
SELECT c.chunk_id, c.doc_id, dd.title, c.lang, c.heading, c.body, m.matched,
       (SELECT json_object_agg(lex, df) FROM d) AS dfs, (SELECT total FROM n) AS total
FROM m JOIN kb_chunks c USING (chunk_id) JOIN kb_documents dd USING (doc_id)""")

# The English lexemes the passages are indexed under: the vocabulary typos are corrected to.
_VOCABULARY_SQL = text(
    "SELECT word FROM ts_stat('SELECT tsv FROM kb_chunks') WHERE word ~ '^[a-z]{3,}$'")

_MISSING_VECTORS_SQL = text("""
SELECT c.doc_id, c.ord, c.heading, c.body, d.title, d.lang, d.tags
FROM kb_chunks c JOIN kb_documents d USING (doc_id)
WHERE NOT EXISTS (SELECT 1 FROM langchain_pg_embedding e WHERE e.id = :prefix || c.chunk_id)
ORDER BY c.doc_id, c.ord
FOR SHARE OF c""")


def _passage(row: Any) -> Passage:
    body = Chunk(0, row.heading, row.body).text(row.title)
    return Passage(row.chunk_id, row.doc_id, row.title, row.lang, body)


async def keyword_search(conn: AsyncConnection, query: str, k: int) -> list[tuple[Passage, float]]:
    """Passages sharing the query's terms with their keyword score (0..1), best first."""
    words, bigrams = keyword_text(query)
    if not (words or bigrams):
        return []
    rows = list(await conn.execute(_KEYWORD_SQL, {"words": words, "bigrams": bigrams, "k": k}))
    if not rows:
        return []
    weights = term_weights(rows[0].dfs, rows[0].total)
    scored = [(_passage(row), keyword_score(row.matched, weights)) for row in rows]
    return sorted(scored, key=lambda item: -item[1])


async def vocabulary(conn: AsyncConnection) -> list[str]:
    """Every English word (stem) some passage is indexed under."""
    return [row.word for row in await conn.execute(_VOCABULARY_SQL)]


async def passages_missing_vectors(conn: AsyncConnection, key: str) -> list[Any]:
    """Chunks with no vector in collection `key`, locked against a concurrent upsert."""
    return list(await conn.execute(_MISSING_VECTORS_SQL, {"prefix": f"{key}:"}))
