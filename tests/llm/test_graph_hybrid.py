"""hybrid: each LLM fault ends as rules mode would, audited as a fallback and marked degraded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.factories import Stack, actor
from tests.llm import script as s
from tests.llm.factories import plan_json
from tests.llm.fake_openai import FakeOpenAI
from tests.llm.graph_helpers import audit_of, audit_types, llm_stack, outcome
from tools.domain import Actor

NEW_TICKET = "我的VPN连不上了，提示认证失败，帮我提个工单"
BAD_PLANS = {
    "upstream": [s.http_error(500), s.http_error(502)],
    "timeout": [s.delay(0.6), s.delay(0.6)],
    "rate_limited": [s.http_error(429, retry_after_ms=50)] * 2,
    "malformed": [s.content("Sure! I'll open a ticket.")],
    "hallucinated_tool": [s.plan(plan_json("ticket_op", tool="format_disk"))],
    "INVALID_ARGS": [s.plan(plan_json("create_ticket", args={"title": "x", "category": "moon"}))],
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(db_url: str, fake_server: FakeOpenAI) -> AsyncIterator[Stack]:
    async with llm_stack(db_url, fake_server) as st:
        yield st


async def turn(stack: Stack, who: Actor, message: str, **kw: Any) -> Any:
    return await stack.turn(who, message, mode="hybrid", **kw)


async def fallbacks(stack: Stack, thread_id: str) -> list[str | None]:
    return [res for t, res, _ in await audit_of(stack, thread_id) if t == "LLM_FALLBACK"]


@pytest.mark.parametrize("why", list(BAD_PLANS))
async def test_global_planner_faults_fall_back_to_rules(stack: Stack, fake: FakeOpenAI,
                                                         why: str) -> None:
    expected = outcome(await stack.turn(actor(), NEW_TICKET, mode="rules"))
    fake.push(*BAD_PLANS[why])
    r = await turn(stack, actor(), NEW_TICKET)
    assert outcome(r) == expected == ("OK", "create_ticket", "create_ticket", None, "network")
    assert (r.degraded, r.mode_used) == (True, "rules")
    assert await fallbacks(stack, r.thread_id) == [why]
    assert len(fake.chat_requests()) == len(BAD_PLANS[why])


async def test_connection_refused_falls_back(stack: Stack, fake: FakeOpenAI) -> None:
    fake.stop()
    r = await turn(stack, actor(), NEW_TICKET)
    assert outcome(r)[:2] == ("OK", "create_ticket") and r.degraded
    assert await fallbacks(stack, r.thread_id) == ["connection"]


async def test_a_rejected_plan_is_audited_before_the_fallback(stack: Stack,
                                                              fake: FakeOpenAI) -> None:
    fake.push(*BAD_PLANS["INVALID_ARGS"])
    r = await turn(stack, actor(), NEW_TICKET)
    types = await audit_types(stack, r.thread_id)
    assert types.index("PLAN_REJECTED") < types.index("LLM_FALLBACK") < types.index("AGENT_ROUTE")


async def own_ticket(stack: Stack, who: Actor) -> tuple[str, str]:
    r = await stack.turn(who, NEW_TICKET, mode="rules")
    return r.thread_id, r.ticket["ticket_id"]


@pytest.mark.parametrize("why", ["hallucinated_tool", "TICKET_NOT_FOUND", "upstream"])
async def test_sub_planner_faults_fall_back_to_rules(stack: Stack, fake: FakeOpenAI,
                                                     why: str) -> None:
    who = actor()
    thread, ticket_id = await own_ticket(stack, who)
    _, someone_elses = await own_ticket(stack, actor())
    expected = outcome(await stack.turn(who, "上一单现在什么状态？", thread_id=thread,
                                        mode="rules"))
    tool_faults = {
        "hallucinated_tool": [s.tool_call("peek_database", {})],
        "TICKET_NOT_FOUND": [s.tool_call("get_ticket", {"ticket_id": someone_elses})],
        "upstream": [s.http_error(500), s.http_error(500)],
    }
    fake.push(s.plan(plan_json("ticket_op")), *tool_faults[why])
    r = await turn(stack, who, "上一单现在什么状态？", thread_id=thread)
    assert outcome(r) == expected and expected[:3] == ("OK", "ticket_op", "get_ticket")
    assert r.ticket["ticket_id"] == ticket_id and r.degraded and r.usage.llm_calls == 2
    assert (await fallbacks(stack, thread))[-1] == why


async def test_a_good_llm_plan_is_used(stack: Stack, fake: FakeOpenAI) -> None:
    fake.push(s.plan(plan_json("create_ticket", args={
        "title": "VPN down", "description": "auth fails", "category": "network"})))
    r = await turn(stack, actor(), NEW_TICKET)
    assert (r.status, r.mode_used, r.degraded, r.usage.llm_calls) == ("OK", "llm", False, 1)
    assert r.ticket["title"] == "VPN down"


async def test_explicit_id_lookup_takes_no_llm_call(stack: Stack, fake: FakeOpenAI) -> None:
    who = actor()
    _, ticket_id = await own_ticket(stack, who)
    r = await turn(stack, who, f"帮我查一下 {ticket_id} 的状态")
    assert (r.status, r.tool, r.mode_used, r.degraded) == ("OK", "get_ticket", "rules", False)
    assert r.usage.llm_calls == 0 and fake.chat_requests() == []
    r = await turn(stack, who, "what's the status?", ticket_id=ticket_id)
    assert r.tool == "get_ticket" and fake.chat_requests() == []


async def test_confirm_and_cancel_take_no_llm_call(stack: Stack, fake: FakeOpenAI) -> None:
    who = actor()
    thread, ticket_id = await own_ticket(stack, who)
    for answer, status in (("取消", "CANCELLED"), ("确认", "OK")):
        fake.push(s.plan(plan_json("ticket_op")),
                  s.tool_call("escalate_ticket", {"ticket_id": ticket_id}))
        pending = await turn(stack, who, "请帮我升级上一单", thread_id=thread)
        assert pending.status == "NEED_CONFIRMATION" and pending.usage.llm_calls == 2
        fake.reset()
        r = await turn(stack, who, answer, thread_id=thread)
        assert r.status == status and r.usage.llm_calls == 0 and fake.chat_requests() == []


async def test_the_breaker_skips_the_llm_after_repeated_failures(
        stack: Stack, fake: FakeOpenAI) -> None:
    svc, gateway = stack.services, stack.services.llm
    tight = svc.settings.model_copy(update={"breaker_failures": 2, "llm_max_retries": 0})
    svc.llm = type(gateway)(tight, svc.db)
    try:
        fake.push(s.http_error(500), s.http_error(500))
        kinds = []
        for _ in range(3):
            r = await turn(stack, actor(), NEW_TICKET)
            assert outcome(r)[:2] == ("OK", "create_ticket") and r.degraded
            kinds += await fallbacks(stack, r.thread_id)
        assert kinds == ["upstream", "upstream", "breaker_open"]
        assert len(fake.chat_requests()) == 2 and svc.llm.status()["breaker"] == "open"
    finally:
        svc.llm = gateway
