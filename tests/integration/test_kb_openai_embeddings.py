"""The KB on an OpenAI-compatible embeddings endpoint (real langchain-openai client, local server)."""

from collections.abc import Iterator

import pytest

from tests.llm.fake_openai import FakeOpenAI
from tools.db.engine import Database
from tools.kb import KnowledgeBase
from tools.settings import Settings


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def settings(base_url: str) -> Settings:
    return Settings(_env_file=None, HELPDESK_EMBEDDINGS_MODEL="text-embedding-3-small",  # type: ignore[call-arg]
                    HELPDESK_EMBEDDINGS_BASE_URL=base_url, OPENAI_API_KEY="test-key",
                    HELPDESK_LLM_TIMEOUT_S=2, HELPDESK_LLM_MAX_RETRIES=0)


async def test_search_runs_on_the_endpoint_vectors_and_degrades_when_it_is_down(
        database: Database, fake: FakeOpenAI) -> None:
    kb = KnowledgeBase(database, settings(fake.base_url))
    assert await kb.load_sample_if_empty() == await kb.count()
    assert any(r["path"] == "/v1/embeddings" for r in fake.requests)
    hits = await kb.search("VPN gateway unreachable timeout")
    assert "vector" in {h.retrieval for h in hits} or "hybrid" in {h.retrieval for h in hits}
    assert hits[0].doc_id == "vpn-errors-en"

    fake.stop()
    try:
        degraded = await kb.search("VPN gateway unreachable timeout")
    finally:
        fake.start()
    assert degraded[0].doc_id == "vpn-errors-en"
    assert {h.retrieval for h in degraded} == {"keyword"}
