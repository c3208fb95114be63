"""The daily token budget through the graph and the server: hybrid degrades, llm answers 402."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client import REGISTRY

from tests import sql
from tests.factories import Stack, actor
from tests.llm import script as s
from tests.llm.conftest import MODEL
from tests.llm.factories import plan_json
from tests.llm.fake_openai import FakeOpenAI
from tests.llm.graph_helpers import app_client, audit_of, dev_identity, llm_stack, outcome
from tools.errors import BudgetExhausted

USAGE = {"prompt_tokens": 1500, "completion_tokens": 500}
NEW_TICKET = "我的VPN连不上了，提示认证失败，帮我提个工单"
PLAN = plan_json("create_ticket", args={"title": "VPN", "description": "auth fails",
                                        "category": "network"})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(db_url: str, fake_server: FakeOpenAI) -> AsyncIterator[Stack]:
    async with llm_stack(db_url, fake_server, daily_token_budget=3000) as st:
        yield st


async def test_hybrid_degrades_to_rules_when_the_budget_is_spent(stack: Stack,
                                                                 fake: FakeOpenAI) -> None:
    person = actor()
    fake.push(s.plan(PLAN, usage=USAGE), s.plan(PLAN, usage=USAGE))
    first = await stack.turn(person, NEW_TICKET, mode="hybrid")
    second = await stack.turn(person, NEW_TICKET, mode="hybrid")
    assert (first.mode_used, second.mode_used) == ("llm", "llm")  # 2000 then 4000 ≥ 3000
    third = await stack.turn(person, NEW_TICKET, mode="hybrid")
    rules = await stack.turn(actor(), NEW_TICKET, mode="rules")
    assert outcome(third) == outcome(rules) and third.degraded and third.usage.llm_calls == 0
    rows = [(t, res) for t, res, _ in await audit_of(stack, third.thread_id)]
    assert ("BUDGET_EXCEEDED", "budget") in rows and ("LLM_FALLBACK", "budget") in rows
    assert len(fake.chat_requests()) == 2
    fake.push(s.plan(PLAN, usage=USAGE))
    other = await stack.turn(actor(), NEW_TICKET, mode="hybrid")  # the budget is per user
    assert (other.mode_used, other.degraded) == ("llm", False)


async def test_llm_mode_raises_budget_exhausted(stack: Stack, fake: FakeOpenAI) -> None:
    person = actor()
    fake.push(s.plan(PLAN, usage={"prompt_tokens": 3000, "completion_tokens": 100}))
    await stack.turn(person, NEW_TICKET, mode="llm")
    with pytest.raises(BudgetExhausted):
        await stack.turn(person, NEW_TICKET, mode="llm")
    assert len(fake.chat_requests()) == 1


async def test_usage_lands_on_the_turns_audit_rows(stack: Stack, fake: FakeOpenAI) -> None:
    fake.push(s.plan(PLAN, usage={"prompt_tokens": 100, "completion_tokens": 20}))
    r = await stack.turn(actor(), NEW_TICKET, mode="llm")
    assert r.usage.model_dump() == {"llm_calls": 1, "input_tokens": 100, "output_tokens": 20,
                                    "cost_usd": pytest.approx((100 * 0.15 + 20 * 0.6) / 1e6)}
    # the rows finalize writes (executors write theirs mid-turn, before usage is final)
    rows = {t: p for t, _, p in await audit_rows_with_usage(stack, r.thread_id)}
    assert rows["AGENT_ROUTE"]["input_tokens"] == 100
    assert rows["TURN_COMPLETED"]["cost_usd"] == r.usage.cost_usd


async def audit_rows_with_usage(stack: Stack, thread_id: str) -> list[tuple[str, Any, Any]]:
    rows = await sql.rows(stack.services.db, "SELECT event_type, result, usage FROM audit_events"
                          " WHERE thread_id = %(t)s", {"t": thread_id})
    return [(r.event_type, r.result, r.usage) for r in rows]


async def test_the_server_answers_402_and_shows_the_breaker(db_url: str,
                                                            fake: FakeOpenAI) -> None:
    settings = {"openai_model": MODEL, "openai_base_url": fake.base_url,
                "openai_api_key": "k", "daily_token_budget": 1000, "llm_max_retries": 0}
    headers = dev_identity()
    fake.push(s.plan(PLAN, usage=USAGE))
    async with app_client(db_url, **settings) as client:
        ok = await client.post("/agent", json={"message": NEW_TICKET, "mode": "llm"},
                               headers=headers)
        assert ok.status_code == 200 and ok.json()["mode_used"] == "llm"
        spent = await client.post("/agent", json={"message": NEW_TICKET, "mode": "llm"},
                                  headers=headers)
        assert spent.status_code == 402, spent.text
        assert spent.json()["error"]["code"] == "BUDGET_EXHAUSTED"
        assert spent.json()["error"]["retryable"] is False
        hybrid = await client.post("/agent", json={"message": NEW_TICKET, "mode": "hybrid"},
                                   headers=headers)
        assert hybrid.status_code == 200 and hybrid.json()["degraded"] is True
        ready = (await client.get("/readyz")).json()
        assert ready["llm"] == {"model": MODEL, "breaker": "closed", "failures": 0,
                                "cooldown_s": 30.0}
        metrics = (await client.get("/metrics")).text
        assert "helpdesk_llm_breaker_state" in metrics and "helpdesk_llm_calls_total" in metrics
    assert REGISTRY.get_sample_value("helpdesk_llm_calls_total",
                                     {"op": "plan_global", "outcome": "budget"})
