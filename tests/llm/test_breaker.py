"""The circuit breaker: open after N failed calls, fail fast, half-open probe, close on success."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from tests.llm import factories as f
from tests.llm import script as s
from tests.llm.conftest import Clock, GatewayFactory
from tests.llm.fake_openai import FakeOpenAI
from tools.llm import LlmFailure, LlmGateway, new_usage


async def call(gateway: LlmGateway) -> str:
    """One planner call: "ok" or the failure kind."""
    try:
        await gateway.plan_global(text="hi", context=f.context(), memory={}, transcript=[],
                                  actor=f.actor(), usage=new_usage())
    except LlmFailure as failure:
        return failure.kind
    return "ok"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(make_gateway: GatewayFactory, clock: Clock) -> LlmGateway:
    return make_gateway(clock=clock, llm_max_retries=0, breaker_failures=3,
                        breaker_cooldown_s=30.0)


def breaker_gauge(gateway: LlmGateway) -> float | None:
    return REGISTRY.get_sample_value("helpdesk_llm_breaker_state", {"model": gateway.model})


async def open_breaker(fake: FakeOpenAI, gateway: LlmGateway) -> None:
    fake.push(*[s.http_error(500)] * 3)
    assert [await call(gateway) for _ in range(3)] == ["upstream"] * 3


async def test_opens_after_consecutive_failures_and_fails_fast(
        fake: FakeOpenAI, gateway: LlmGateway) -> None:
    fake.push(s.http_error(500), s.http_error(500))
    assert [await call(gateway) for _ in range(2)] == ["upstream", "upstream"]
    assert gateway.status()["breaker"] == "closed"
    fake.push(s.http_error(500), s.plan(f.plan_json()))
    assert await call(gateway) == "upstream"
    assert gateway.status() == {"model": "gpt-4o-mini", "breaker": "open", "failures": 3,
                                "cooldown_s": 30.0}
    assert breaker_gauge(gateway) == 2
    assert await call(gateway) == "breaker_open"
    assert len(fake.chat_requests()) == 3  # the open breaker sent nothing


async def test_a_success_resets_the_count(fake: FakeOpenAI, gateway: LlmGateway) -> None:
    fake.push(s.http_error(500), s.http_error(500), s.plan(f.plan_json()),
              s.http_error(500), s.http_error(500))
    assert [await call(gateway) for _ in range(5)] == ["upstream"] * 2 + ["ok"] + ["upstream"] * 2
    assert gateway.status()["breaker"] == "closed"


async def test_half_open_probe_success_closes(fake: FakeOpenAI, gateway: LlmGateway,
                                              clock: Clock) -> None:
    await open_breaker(fake, gateway)
    clock.now += 30
    assert gateway.status()["breaker"] == "half_open" and breaker_gauge(gateway) == 1
    fake.push(s.plan(f.plan_json()), s.plan(f.plan_json()))
    assert [await call(gateway), await call(gateway)] == ["ok", "ok"]
    assert gateway.status()["breaker"] == "closed" and breaker_gauge(gateway) == 0


async def test_half_open_probe_failure_reopens(fake: FakeOpenAI, gateway: LlmGateway,
                                               clock: Clock) -> None:
    await open_breaker(fake, gateway)
    clock.now += 31
    fake.push(s.http_error(503))
    assert await call(gateway) == "upstream"
    assert gateway.status()["breaker"] == "open"
    assert await call(gateway) == "breaker_open" and len(fake.chat_requests()) == 4


async def test_half_open_admits_a_single_probe(fake: FakeOpenAI, gateway: LlmGateway,
                                               clock: Clock) -> None:
    await open_breaker(fake, gateway)
    clock.now += 30
    fake.push(s.delay(0.2, s.plan(f.plan_json())))
    kinds = await asyncio.gather(call(gateway), call(gateway), call(gateway))
    assert sorted(kinds) == ["breaker_open", "breaker_open", "ok"]
    assert len(fake.chat_requests()) == 4


async def test_unusable_answers_do_not_open_it(fake: FakeOpenAI, gateway: LlmGateway) -> None:
    fake.push(*[s.content("not a plan")] * 4)
    assert [await call(gateway) for _ in range(4)] == ["malformed"] * 4
    assert gateway.status()["breaker"] == "closed"


async def test_connection_refused_opens_it(fake: FakeOpenAI, gateway: LlmGateway) -> None:
    fake.stop()
    assert [await call(gateway) for _ in range(4)] == ["connection"] * 3 + ["breaker_open"]


async def test_call_outcomes_are_counted(fake: FakeOpenAI, gateway: LlmGateway) -> None:
    def count(outcome: str) -> float:
        labels = {"op": "plan_global", "outcome": outcome}
        return REGISTRY.get_sample_value("helpdesk_llm_calls_total", labels) or 0.0

    before = count("ok"), count("upstream")
    fake.push(s.plan(f.plan_json()), s.http_error(500))
    await call(gateway)
    await call(gateway)
    assert (count("ok") - before[0], count("upstream") - before[1]) == (1, 1)
