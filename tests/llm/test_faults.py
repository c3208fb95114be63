"""Each endpoint fault: bounded retries (counted at the fake server), then the right failure."""

from __future__ import annotations

import time

import pytest

from tests.llm import factories as f
from tests.llm import script as s
from tests.llm.conftest import GatewayFactory
from tests.llm.fake_openai import FakeOpenAI
from tools.llm import LlmFailure, LlmGateway, new_usage
from tools.planner.plan import Plan


async def plan(gateway: LlmGateway) -> Plan:
    return await gateway.plan_global(text="hello", context=f.context(), memory={},
                                     transcript=[], actor=f.actor(), usage=new_usage())


async def failure_of(gateway: LlmGateway) -> LlmFailure:
    with pytest.raises(LlmFailure) as caught:
        await plan(gateway)
    return caught.value


@pytest.mark.parametrize(("step", "kind"), [
    (s.http_error(500), "upstream"),
    (s.http_error(503), "upstream"),
    (s.http_error(429), "rate_limited"),
    (s.delay(0.6), "timeout"),
])
async def test_transport_faults_are_retried_then_fail(
        fake: FakeOpenAI, make_gateway: GatewayFactory, step: s.Step, kind: str) -> None:
    fake.push(step, step, step)
    failure = await failure_of(make_gateway(llm_timeout_s=0.3))
    assert failure.kind == kind
    assert len(fake.chat_requests()) == 3  # 1 try + llm_max_retries=2


async def test_a_fault_then_success_recovers(fake: FakeOpenAI,
                                             make_gateway: GatewayFactory) -> None:
    fake.push(s.http_error(502), s.delay(0.6), s.plan(f.plan_json("chitchat")))
    result = await plan(make_gateway(llm_timeout_s=0.3))
    assert result.route == "chitchat" and len(fake.chat_requests()) == 3


async def test_client_errors_are_not_retried(fake: FakeOpenAI,
                                             make_gateway: GatewayFactory) -> None:
    fake.push(s.http_error(400))
    failure = await failure_of(make_gateway())
    assert (failure.kind, failure.retryable, len(fake.chat_requests())) == ("upstream", False, 1)


async def test_retry_after_is_honoured(fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.http_error(429, retry_after="1"), s.plan(f.plan_json("chitchat")))
    started = time.monotonic()
    await plan(make_gateway())
    assert time.monotonic() - started >= 1.0 and len(fake.chat_requests()) == 2


async def test_retry_after_ms_is_honoured(fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(*[s.http_error(429, retry_after_ms=250)] * 3)
    started = time.monotonic()
    failure = await failure_of(make_gateway())
    assert failure.kind == "rate_limited" and time.monotonic() - started >= 0.5


async def test_a_retry_after_too_long_for_a_turn_fails_fast(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.http_error(429, retry_after="120"))
    started = time.monotonic()
    failure = await failure_of(make_gateway())
    assert failure.kind == "rate_limited" and failure.retry_after == 120
    assert len(fake.chat_requests()) == 1 and time.monotonic() - started < 1


async def test_connection_refused(fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    gateway = make_gateway()
    fake.stop()
    failure = await failure_of(gateway)
    assert failure.kind == "connection" and fake.chat_requests() == []


async def test_a_body_that_is_not_json_is_malformed(fake: FakeOpenAI,
                                                     make_gateway: GatewayFactory) -> None:
    fake.push(s.malformed_body())
    failure = await failure_of(make_gateway())
    assert failure.kind == "malformed" and len(fake.chat_requests()) == 1


@pytest.mark.parametrize("reply", [
    s.content("I think you want a ticket"),
    s.content("[1, 2]"),
    s.plan({"route": "weather", "args": {}}),
])
async def test_unusable_plans_are_malformed_and_not_retried(
        fake: FakeOpenAI, make_gateway: GatewayFactory, reply: s.Step) -> None:
    fake.push(reply)
    usage = new_usage()
    with pytest.raises(LlmFailure) as caught:
        await make_gateway().plan_global(text="x", context=f.context(), memory={},
                                         transcript=[], actor=f.actor(), usage=usage)
    assert caught.value.kind == "malformed" and len(fake.chat_requests()) == 1
    assert usage["llm_calls"] == 1 and usage["input_tokens"] > 0  # the tokens were still spent


async def test_a_hallucinated_ticket_tool_in_a_global_plan(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.plan(f.plan_json("ticket_op", tool="delete_everything")))
    assert (await failure_of(make_gateway())).kind == "hallucinated_tool"


@pytest.mark.parametrize(("reply", "kind"), [
    (s.tool_call("drop_all_tickets", {"confirm": True}), "hallucinated_tool"),
    (s.tool_call("get_ticket", "{not json"), "malformed"),
    (s.content("Sure, I looked it up."), "malformed"),
])
async def test_bad_tool_calls(fake: FakeOpenAI, make_gateway: GatewayFactory,
                              reply: s.Step, kind: str) -> None:
    fake.push(reply)
    with pytest.raises(LlmFailure) as caught:
        await make_gateway().plan_ticket_tool(text="do it", context=f.context(),
                                              actor=f.actor(), usage=new_usage())
    assert caught.value.kind == kind and len(fake.chat_requests()) == 1


async def test_a_stream_cut_half_way_fails_without_retry(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.cut_stream("Restart the VPN client and sign in again.", after_chunks=2))
    seen: list[str] = []
    with pytest.raises(LlmFailure) as caught:
        await make_gateway().answer_grounded(question="vpn", passages=f.passages(),
                                             usage=new_usage(), on_token=seen.append)
    assert caught.value.kind == "connection" and not caught.value.retryable
    assert "".join(seen) == "Restart "  # what was streamed before the cut
    assert len(fake.chat_requests()) == 1  # tokens were out already: no retry


async def test_a_stream_failing_before_its_first_token_is_retried(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.http_error(500), s.content("ok [kb-vpn-001]"))
    seen: list[str] = []
    answer = await make_gateway().answer_grounded(question="vpn", passages=f.passages(),
                                                  usage=new_usage(), on_token=seen.append)
    assert answer == "ok [kb-vpn-001]" == "".join(seen) and len(fake.chat_requests()) == 2


async def test_an_empty_answer_is_malformed(fake: FakeOpenAI,
                                            make_gateway: GatewayFactory) -> None:
    fake.push(s.content(""))
    with pytest.raises(LlmFailure) as caught:
        await make_gateway().answer_grounded(question="vpn", passages=[], usage=new_usage(),
                                             on_token=lambda _: None)
    assert caught.value.kind == "malformed"
