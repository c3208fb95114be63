"""Cost guards: per-request caps, the per-user daily budget in Postgres, usage and cost."""

from __future__ import annotations

import asyncio

import pytest

from tests import sql
from tests.llm import factories as f
from tests.llm import script as s
from tests.llm.conftest import GatewayFactory
from tests.llm.fake_openai import FakeOpenAI
from tools.db.engine import Database
from tools.domain import Actor
from tools.llm import LlmFailure, LlmGateway, new_usage
from tools.llm.budget import DailyBudget

USAGE = {"prompt_tokens": 1000, "completion_tokens": 500}


async def plan(gateway: LlmGateway, actor: Actor, usage: dict[str, object]) -> str:
    try:
        await gateway.plan_global(text="hi", context=f.context(), memory={}, transcript=[],
                                  actor=actor, usage=usage)
    except LlmFailure as failure:
        return failure.kind
    return "ok"


async def day_row(database: Database, user_id: str) -> tuple[int, float, int]:
    row = await sql.row(database, "SELECT tokens, cost_usd, calls FROM llm_usage_daily"
                        " WHERE user_id = %(u)s", {"u": user_id})
    assert row is not None
    return int(row.tokens), float(row.cost_usd), int(row.calls)


async def test_usage_and_cost_add_up_per_turn(fake: FakeOpenAI, make_gateway: GatewayFactory,
                                              database: Database) -> None:
    fake.push(s.plan(f.plan_json(), usage=USAGE),
              s.tool_call("get_ticket", {"ticket_id": "TCK-2026-AB12CD"}, usage=USAGE))
    gateway, who, usage = make_gateway(), f.actor(), new_usage()
    await gateway.plan_global(text="hi", context=f.context(), memory={}, transcript=[],
                              actor=who, usage=usage)
    await gateway.plan_ticket_tool(text="show", context=f.context(), actor=who, usage=usage)
    # gpt-4o-mini: $0.15 in / $0.60 out per 1M tokens
    assert usage == {"llm_calls": 2, "input_tokens": 2000, "output_tokens": 1000,
                     "cost_usd": pytest.approx(2 * (1000 * 0.15 + 500 * 0.60) / 1e6)}
    tokens, cost, calls = await day_row(database, who.user_id)
    assert (tokens, calls) == (3000, 2) and cost == pytest.approx(0.0009)


async def test_an_unpriced_model_costs_nothing(fake: FakeOpenAI,
                                               make_gateway: GatewayFactory) -> None:
    fake.push(s.plan(f.plan_json(), usage=USAGE))
    usage = new_usage()
    assert await plan(make_gateway(openai_model="local-llama"), f.actor(), usage) == "ok"
    assert usage["input_tokens"] == 1000 and usage["cost_usd"] == 0.0


async def test_call_cap_per_request(fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.plan(f.plan_json()), s.plan(f.plan_json()), s.plan(f.plan_json()))
    gateway, who, usage = make_gateway(llm_max_calls_per_request=2), f.actor(), new_usage()
    assert [await plan(gateway, who, usage) for _ in range(3)] == ["ok", "ok", "over_cap"]
    assert len(fake.chat_requests()) == 2 and usage["llm_calls"] == 2


async def test_token_cap_per_request(fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.plan(f.plan_json(), usage=USAGE), s.plan(f.plan_json(), usage=USAGE))
    gateway, who, usage = make_gateway(llm_max_tokens_per_request=2000), f.actor(), new_usage()
    assert [await plan(gateway, who, usage) for _ in range(2)] == ["ok", "over_cap"]
    assert len(fake.chat_requests()) == 1


async def test_a_prompt_larger_than_the_cap_is_never_sent(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    assert await plan(make_gateway(llm_max_tokens_per_request=50), f.actor(), new_usage()) \
        == "over_cap"
    assert fake.chat_requests() == []


async def test_daily_budget_spans_calls_and_gateways(
        fake: FakeOpenAI, make_gateway: GatewayFactory, database: Database) -> None:
    fake.push(*[s.plan(f.plan_json(), usage=USAGE)] * 4)
    who, other = f.actor(), f.actor()
    first, second = make_gateway(daily_token_budget=3500), make_gateway(daily_token_budget=3500)
    kinds = [await plan(gw, who, new_usage()) for gw in (first, second, first, second)]
    assert kinds == ["ok", "ok", "ok", "budget"]  # 4500 tokens spent ≥ 3500
    tokens, cost, calls = await day_row(database, who.user_id)
    assert (tokens, calls) == (4500, 3) and cost == pytest.approx(0.00135)
    assert await plan(first, other, new_usage()) == "ok"  # the budget is per user
    assert len(fake.chat_requests()) == 4


async def test_a_failed_call_gives_its_reservation_back(
        fake: FakeOpenAI, make_gateway: GatewayFactory, database: Database) -> None:
    fake.push(s.http_error(500))
    who = f.actor()
    assert await plan(make_gateway(llm_max_retries=0), who, new_usage()) == "upstream"
    assert await day_row(database, who.user_id) == (0, 0.0, 1)  # a call, no tokens


async def test_reservations_are_atomic_under_concurrency(database: Database) -> None:
    budget, who = DailyBudget(database, daily_tokens=1000), f.actor()

    async def reserve() -> bool:
        try:
            await budget.reserve(who.user_id, 300)
        except LlmFailure:
            return False
        return True

    results = await asyncio.gather(*[reserve() for _ in range(10)])
    assert results.count(True) == 4  # 0 → 300 → 600 → 900 → 1200, then spent
    assert await budget.spent(who.user_id) == 1200
