"""Writing the KB on real Postgres: upsert replaces, bad input writes nothing, re-indexing."""

from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from sqlalchemy import text

from tools.db.engine import Database
from tools.kb import HashingConfig, HashingEmbeddings, KbDocument, KbIngestError, KnowledgeBase
from tools.kb.embeddings import embedder_key
from tools.settings import Settings


class NaNEmbeddings(Embeddings):
    """An embeddings model returning a vector Postgres refuses (pgvector rejects NaN)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float("nan")] * 8 for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float("nan")] * 8


def doc(doc_id: str, body: str, **kw: object) -> KbDocument:
    return KbDocument(doc_id=doc_id, title=kw.pop("title", f"Article {doc_id}"), body=body,
                      lang=kw.pop("lang", "en"), **kw)  # type: ignore[arg-type]


def article(tmp_path: Path, name: str, doc_id: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(f"---\ndoc_id: {doc_id}\ntitle: {doc_id} title\nlang: en\n---\n{body}",
                    encoding="utf-8")
    return path


async def rows(database: Database, sql: str, **params: object) -> list[tuple[object, ...]]:
    async with database.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql), params)]


async def vectors_of(database: Database, doc_id: str) -> list[str]:
    found = await rows(database, "SELECT document FROM langchain_pg_embedding "
                       "WHERE cmetadata->>'doc_id' = :d ORDER BY id", d=doc_id)
    return [str(r[0]) for r in found]


@pytest.fixture(scope="module")
def kb(database: Database) -> KnowledgeBase:
    return KnowledgeBase(database, Settings())


async def test_upsert_replaces_chunks_and_vectors(kb: KnowledgeBase, database: Database) -> None:
    await kb.upsert(doc("up-1", "# One\nzebracorn fix\n## Two\nsecond part\n## Three\nthird"))
    assert len(await vectors_of(database, "up-1")) == 3
    await kb.upsert(doc("up-1", "# One\nunicornfish repair steps"))
    assert await kb.count() == 1
    assert [r[0] for r in await rows(database, "SELECT body FROM kb_chunks WHERE doc_id='up-1'")
            ] == ["unicornfish repair steps"]
    assert len(vectors := await vectors_of(database, "up-1")) == 1 and "unicornfish" in vectors[0]
    assert [h.doc_id for h in await kb.search("unicornfish repair")] == ["up-1"]
    assert await kb.search("zebracorn") == []


async def test_a_failed_write_leaves_the_old_article_whole(database: Database,
                                                          kb: KnowledgeBase) -> None:
    await kb.upsert(doc("atomic-1", "# A\noriginal wombat text"))
    broken = KnowledgeBase(database, Settings(), embeddings=NaNEmbeddings())
    with pytest.raises(Exception, match="NaN"):
        await broken.upsert(doc("atomic-1", "# A\nreplacement text"))
    assert [r[0] for r in await rows(
        database, "SELECT body FROM kb_documents WHERE doc_id = 'atomic-1'")] == [
        "# A\noriginal wombat text"]
    assert len(await vectors_of(database, "atomic-1")) == 1
    assert [h.doc_id for h in await kb.search("wombat")] == ["atomic-1"]


async def test_bad_front_matter_rejects_the_whole_batch(tmp_path: Path, kb: KnowledgeBase) -> None:
    before = await kb.count()
    article(tmp_path, "a-good.md", "batch-good-1", "# Good\ntext")
    article(tmp_path, "b-good.md", "batch-good-2", "# Good\ntext")
    (tmp_path / "c-bad.md").write_text("---\ntitle: no id\n---\nbody", encoding="utf-8")
    with pytest.raises(KbIngestError) as err:
        await kb.ingest_paths([tmp_path])
    assert "c-bad.md" in str(err.value) and err.value.field == "doc_id"
    assert await kb.count() == before


async def test_ingest_paths_returns_ids_and_is_repeatable(tmp_path: Path,
                                                          kb: KnowledgeBase) -> None:
    one = article(tmp_path, "one.md", "ingest-1", "# One\nfirst")
    article(tmp_path, "two.md", "ingest-2", "# Two\nsecond")
    assert await kb.ingest_paths([tmp_path]) == ["ingest-1", "ingest-2"]
    count = await kb.count()
    assert await kb.ingest_paths([one]) == ["ingest-1"]
    assert await kb.count() == count


async def test_another_embedder_back_fills_its_own_vectors(database: Database,
                                                           kb: KnowledgeBase) -> None:
    await kb.upsert(doc("embed-1", "# E\nplatypus keyboard"))
    small = HashingEmbeddings(HashingConfig(dim=64))
    other = KnowledgeBase(database, Settings(), embeddings=small)
    chunks = (await rows(database, "SELECT count(*) FROM kb_chunks"))[0][0]
    assert await other.ensure_indexed() == chunks
    assert await other.ensure_indexed() == 0
    await kb.upsert(doc("embed-1", "# E\nplatypus mouse"))  # drops every embedder's stale vectors
    assert await other.ensure_indexed() == 1
    assert [h.doc_id for h in await other.search("platypus mouse")][:1] == ["embed-1"]
    collections = await rows(database, "SELECT name FROM langchain_pg_collection ORDER BY name")
    assert {f"helpdesk_kb/{embedder_key(small)}", f"helpdesk_kb/{embedder_key(HashingEmbeddings())}"
            } <= {str(c[0]) for c in collections}
