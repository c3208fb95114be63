"""The fake OpenAI server itself: embeddings, JSON mode, streamed tool calls, request records."""

from __future__ import annotations

import json

import openai
import pytest
from langchain_openai import ChatOpenAI, OpenAIEmbeddings

from tests.llm import script as s
from tests.llm import tokens
from tests.llm.fake_openai import FakeOpenAI


def chat(fake: FakeOpenAI) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o-mini", base_url=fake.base_url, api_key="k",  # type: ignore[arg-type]
                      max_retries=0, timeout=2, stream_usage=True)


async def test_embeddings_are_deterministic_unit_vectors(fake: FakeOpenAI) -> None:
    # check_embedding_ctx_length=False sends text (the default tokenises with tiktoken first)
    emb = OpenAIEmbeddings(model="text-embedding-3-small", base_url=fake.base_url,
                           api_key="k", check_embedding_ctx_length=False)  # type: ignore[arg-type]
    first = await emb.aembed_documents(["VPN 连不上", "printer jam"])
    again = await emb.aembed_query("VPN 连不上")
    assert first[0] == again and first[0] != first[1]
    assert abs(sum(v * v for v in again) - 1.0) < 1e-5
    assert fake.requests[0]["path"] == "/v1/embeddings"


async def test_json_object_mode_is_served(fake: FakeOpenAI) -> None:
    fake.push(s.plan({"route": "chitchat"}))
    reply = await chat(fake).ainvoke("hi", response_format={"type": "json_object"})
    assert json.loads(str(reply.content)) == {"route": "chitchat"}
    assert fake.chat_requests()[0]["response_format"] == {"type": "json_object"}


async def test_streamed_tool_calls_and_usage(fake: FakeOpenAI) -> None:
    fake.push(s.tool_call("get_ticket", {"ticket_id": "TCK-2026-AB12CD"}))
    total = None
    async for chunk in chat(fake).astream("show it"):
        total = chunk if total is None else total + chunk
    assert total is not None and total.tool_calls[0]["args"] == {"ticket_id": "TCK-2026-AB12CD"}
    assert total.usage_metadata and total.usage_metadata["input_tokens"] > 0


async def test_usage_counts_the_exact_prompt(fake: FakeOpenAI) -> None:
    fake.push(s.content("ok"))
    reply = await chat(fake).ainvoke("count these words please")
    body = fake.chat_requests()[0]
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] == tokens.request_prompt_tokens(body)
    assert reply.usage_metadata["output_tokens"] == tokens.count("ok")


async def test_an_unscripted_request_is_a_visible_500(fake: FakeOpenAI) -> None:
    with pytest.raises(openai.InternalServerError, match="exhausted"):
        await chat(fake).ainvoke("nothing scripted")
    assert fake.exhausted == 1
