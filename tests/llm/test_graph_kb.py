"""Grounded KB answers in llm mode: streamed as token events, cited, extractive on failure."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from graph.runner import TurnRequest
from tests.factories import Stack, actor
from tests.llm import script as s
from tests.llm.factories import plan_json
from tests.llm.fake_openai import FakeOpenAI
from tests.llm.graph_helpers import audit_of, llm_stack

QUESTION = "How do I reset my password?"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(db_url: str, fake_server: FakeOpenAI) -> AsyncIterator[Stack]:
    async with llm_stack(db_url, fake_server) as st:
        assert st.services.kb is not None
        await st.services.kb.load_sample_if_empty()
        yield st


async def streamed(stack: Stack, message: str, mode: str) -> list[tuple[str, dict[str, Any]]]:
    req = TurnRequest(message=message, mode=mode)  # type: ignore[arg-type]
    return [e async for e in stack.runner.stream(req, actor(), trace_id=uuid.uuid4().hex)]


def grounded_reply(stack_answer: Any) -> str:
    doc = stack_answer.citations[0]["doc_id"]
    return f"Open the self-service portal and choose Reset password [{doc}]."


async def test_llm_answer_is_streamed_token_by_token(stack: Stack, fake: FakeOpenAI) -> None:
    extractive = await stack.services.kb.answer(QUESTION)
    assert extractive.found
    text = grounded_reply(extractive)
    fake.push(s.plan(plan_json("kb_qa", args={"query": QUESTION})), s.content(text))
    events = await streamed(stack, QUESTION, "llm")
    tokens = [d["text"] for name, d in events if name == "token"]
    result = next(d for name, d in events if name == "result")
    assert len(tokens) > 3 and "".join(tokens) == text == result["reply"]
    assert [n for n, _ in events].index("token") < [n for n, _ in events].index("result")
    assert result["citations"] == extractive.citations and result["mode_used"] == "llm"
    assert result["usage"]["llm_calls"] == 2 and not result["degraded"]
    answer_prompt = fake.chat_requests()[1]
    passages = answer_prompt["messages"][0]["content"]
    assert all(f"[{c['doc_id']}]" in passages for c in extractive.citations)
    assert answer_prompt["messages"][1]["content"] == QUESTION and answer_prompt["stream"]


async def test_a_stream_cut_half_way_falls_back_to_the_extractive_answer(
        stack: Stack, fake: FakeOpenAI) -> None:
    extractive = await stack.services.kb.answer(QUESTION)
    fake.push(s.plan(plan_json("kb_qa")), s.cut_stream(grounded_reply(extractive)))
    events = await streamed(stack, QUESTION, "llm")
    result = next(d for name, d in events if name == "result")
    assert result["reply"] == extractive.reply and result["degraded"] is True
    assert result["status"] == "OK" and result["citations"] == extractive.citations
    tokens = "".join(d["text"] for name, d in events if name == "token")
    assert tokens.endswith(extractive.reply)  # what was streamed, then the extractive answer
    rows = [(t, res) for t, res, _ in await audit_of(stack, result["thread_id"])]
    assert ("LLM_FALLBACK", "connection") in rows and ("KB_ANSWERED", "FOUND") in rows


async def test_rules_mode_streams_the_extractive_reply_once(stack: Stack,
                                                            fake: FakeOpenAI) -> None:
    events = await streamed(stack, QUESTION, "rules")
    tokens = [d["text"] for name, d in events if name == "token"]
    result = next(d for name, d in events if name == "result")
    assert tokens == [result["reply"]] and fake.chat_requests() == []


async def test_hybrid_falls_back_when_the_answer_fails(stack: Stack, fake: FakeOpenAI) -> None:
    fake.push(s.plan(plan_json("kb_qa")), s.http_error(500), s.http_error(500))
    events = await streamed(stack, QUESTION, "hybrid")
    result = next(d for name, d in events if name == "result")
    rules = next(d for name, d in await streamed(stack, QUESTION, "rules") if name == "result")
    assert (result["reply"], result["citations"]) == (rules["reply"], rules["citations"])
    assert result["degraded"] is True and result["usage"]["llm_calls"] == 2
