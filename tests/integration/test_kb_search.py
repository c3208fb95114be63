"""Searching and answering over the sample KB on real Postgres + PGVector, in both languages."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from langchain_core.embeddings import Embeddings

from tools.db.engine import Database
from tools.kb import HashingEmbeddings, KnowledgeBase
from tools.kb.embeddings import embedder_key
from tools.kb.store import vector_store
from tools.settings import Settings


class DownEmbeddings(Embeddings):
    """An embeddings endpoint that is down."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise ConnectionError("embeddings endpoint unreachable")

    def embed_query(self, text: str) -> list[float]:
        raise ConnectionError("embeddings endpoint unreachable")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kb(database: Database) -> AsyncIterator[KnowledgeBase]:
    first, second = KnowledgeBase(database, Settings()), KnowledgeBase(database, Settings())
    loaded = await asyncio.gather(first.load_sample_if_empty(), second.load_sample_if_empty())
    assert sorted(loaded) == [0, await first.count()]  # two starting servers load it once
    yield first


async def test_load_sample_if_empty_is_idempotent(kb: KnowledgeBase) -> None:
    count = await kb.count()
    assert count >= 48
    assert await kb.load_sample_if_empty() == 0
    assert await kb.count() == count


@pytest.mark.parametrize(("query", "doc_id"), [
    ("VPN 显示连上了，但是内网网页一个都打不开", "vpn-errors-zh"),
    ("怎么把部门共享盘映射到我的电脑上", "network-drive-zh"),
    ("打印机卡纸了应该怎么处理", "printer-troubleshooting-zh"),
    ("The VPN keeps saying the gateway is unreachable", "vpn-errors-en"),
    ("How do I map the department share as a drive letter?", "network-drive-en"),
    ("My laptop is four years old, when will it be replaced?", "laptop-request-en"),
])
async def test_search_finds_the_article_in_the_question_language(kb: KnowledgeBase, query: str,
                                                                 doc_id: str) -> None:
    hits = await kb.search(query, k=3)
    assert hits[0].doc_id == doc_id
    assert hits[0].lang == doc_id[-2:] and hits[0].retrieval == "hybrid"
    assert hits[0].text.startswith(hits[0].title) and hits[0].snippet
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.doc_id for h in hits}) == len(hits) == 3


async def test_the_pgvector_store_holds_the_passages(database: Database) -> None:
    emb = HashingEmbeddings()
    store = vector_store(database.engine, emb, embedder_key(emb))
    found = await store.asimilarity_search_with_score("BitLocker 恢复密钥", k=2)
    assert found[0][0].metadata["doc_id"] == "bitlocker-recovery-zh"
    assert set(found[0][0].metadata) == {"doc_id", "chunk_id", "title", "lang"}


@pytest.mark.parametrize("mode", ["vector", "keyword"])
async def test_single_sided_modes_label_their_hits(database: Database, kb: KnowledgeBase,
                                                   mode: str) -> None:
    single = KnowledgeBase(database, Settings(), retrieval=mode)  # type: ignore[arg-type]
    hits = await single.search("Outlook 邮箱满了，发不出邮件")
    assert hits[0].doc_id == "mailbox-full-zh"
    assert {h.retrieval for h in hits} == {mode}


async def test_embeddings_outage_degrades_to_keyword_search(database: Database,
                                                            kb: KnowledgeBase) -> None:
    degraded = KnowledgeBase(database, Settings(), embeddings=DownEmbeddings())
    hits = await degraded.search("printer paper jam")
    assert hits[0].doc_id == "printer-troubleshooting-en"
    assert {h.retrieval for h in hits} == {"keyword"}


@pytest.mark.parametrize(("question", "doc_id", "intro"), [
    ("密码忘了，怎么自己重置？", "password-reset-zh", "根据知识库文章"),
    ("How do I report a phishing email?", "phishing-report-en", "From the knowledge-base article"),
])
async def test_answer_quotes_and_cites(kb: KnowledgeBase, question: str, doc_id: str,
                                       intro: str) -> None:
    answer = await kb.answer(question)
    assert answer.found and answer.reply.startswith(intro)
    assert answer.citations[0]["doc_id"] == doc_id and doc_id in answer.reply
    assert answer.citations[0]["title"] == answer.hits[0].title
    assert answer.retrieval in {"hybrid", "vector", "keyword"}


@pytest.mark.parametrize(("question", "words"), [
    ("公司食堂中午几点开饭？", "工单"),
    ("Which receipts do I need for a travel expense claim?", "ticket"),
    ("   ", "ticket"),
])
async def test_no_answer_says_so_and_offers_a_ticket(kb: KnowledgeBase, question: str,
                                                     words: str) -> None:
    answer = await kb.answer(question)
    assert not answer.found and answer.citations == []
    assert words in answer.reply


async def test_a_large_k_fetches_enough_passages(kb: KnowledgeBase) -> None:
    hits = await kb.search("Acme password account laptop phone", k=20)
    assert len(hits) > 10
    assert len({h.doc_id for h in hits}) == len(hits)


async def test_featureless_query_scores_are_finite(kb) -> None:
    import math

    hits = await kb.search("°𐬓", k=5)
    assert all(math.isfinite(h.score) for h in hits)
