"""Happy paths of the three LLM calls, through the real ChatOpenAI client and the fake server."""

from __future__ import annotations

import json

from tests.llm import factories as f
from tests.llm import script as s
from tests.llm.conftest import GatewayFactory
from tests.llm.fake_openai import FakeOpenAI
from tools.llm import build_gateway, new_usage, prompt_versions
from tools.registry import TICKET_TOOLS
from tools.settings import Settings


async def test_plan_global_returns_an_llm_plan_from_structured_output(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.plan(f.plan_json("create_ticket", args={"title": "VPN down"},
                                 missing_fields=["category"])))
    usage = new_usage()
    plan = await make_gateway().plan_global(
        text="VPN 连不上，帮我提个工单", context=f.context(ticket_id="TCK-2026-AB12CD",
                                                   ticket_source="memory"),
        memory={"last_intent": "kb_qa", "draft_id": None},
        transcript=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        actor=f.actor(), usage=usage)
    assert (plan.route, plan.source, plan.args) == ("create_ticket", "llm", {"title": "VPN down"})
    assert plan.missing_fields == ["category"]
    body = fake.chat_requests()[0]
    assert body["response_format"]["type"] == "json_schema"
    assert body["model"] == "gpt-4o-mini" and "tools" not in body
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "resume_draft" in system and "ticket_op" in system
    assert "ticket_id=TCK-2026-AB12CD (from memory)" in user
    assert '"last_intent":"kb_qa"' in user and "assistant: hello" in user
    assert user.endswith("User: VPN 连不上，帮我提个工单")
    assert usage["llm_calls"] == 1 and usage["input_tokens"] > 0 and usage["output_tokens"] > 0


async def test_plan_global_drops_a_tool_outside_ticket_op(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.plan(f.plan_json("kb_qa", tool="get_ticket", args={"query": "vpn"})))
    plan = await make_gateway().plan_global(text="vpn?", context=f.context(), memory={},
                                            transcript=[], actor=f.actor(), usage=new_usage())
    assert plan.tool is None and plan.args == {"query": "vpn"}


async def test_plan_ticket_tool_offers_only_registry_tools(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.tool_call("escalate_ticket", {"ticket_id": "TCK-2026-AB12CD", "reason": "slow"}))
    plan = await make_gateway().plan_ticket_tool(
        text="please escalate it", context=f.context(ticket_id="TCK-2026-AB12CD",
                                                     ticket_source="reference"),
        actor=f.actor("agent"), usage=new_usage())
    assert (plan.route, plan.tool, plan.source) == ("ticket_op", "escalate_ticket", "llm")
    assert plan.args == {"ticket_id": "TCK-2026-AB12CD", "reason": "slow"}
    assert plan.need_confirmation is True
    body = fake.chat_requests()[0]
    assert {t["function"]["name"] for t in body["tools"]} == set(TICKET_TOOLS)
    assert body["tool_choice"] == "required" and "response_format" not in body
    assert "TCK-2026-AB12CD (from reference)" in body["messages"][0]["content"]


async def test_requesters_are_not_offered_agent_only_tools(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    fake.push(s.tool_call("list_my_tickets", {}))
    await make_gateway().plan_ticket_tool(text="my tickets", context=f.context(),
                                          actor=f.actor("requester"), usage=new_usage())
    names = {t["function"]["name"] for t in fake.chat_requests()[0]["tools"]}
    assert "resolve_ticket" not in names and "get_ticket" in names


async def test_answer_grounded_streams_tokens_and_cites(
        fake: FakeOpenAI, make_gateway: GatewayFactory) -> None:
    text = "Restart the VPN client and sign in again [kb-vpn-001]."
    fake.push(s.content(text))
    pieces: list[str] = []

    async def on_token(piece: str) -> None:
        pieces.append(piece)

    usage = new_usage()
    answer = await make_gateway().answer_grounded(question="VPN fails", passages=f.passages(),
                                                  usage=usage, on_token=on_token)
    assert answer == text and "".join(pieces) == text and len(pieces) > 3
    body = fake.chat_requests()[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert "[kb-vpn-001] VPN 连接失败" in body["messages"][0]["content"]
    assert usage["output_tokens"] > 0  # usage arrived in the final stream chunk


async def test_sync_token_callbacks_work_too(fake: FakeOpenAI,
                                             make_gateway: GatewayFactory) -> None:
    fake.push(s.content("short answer [kb-pwd-002]"))
    seen: list[str] = []
    await make_gateway().answer_grounded(question="pwd", passages=f.passages(),
                                         usage=new_usage(), on_token=seen.append)
    assert "".join(seen) == "short answer [kb-pwd-002]"


def test_build_gateway_is_none_without_a_model(database: object) -> None:
    settings = Settings(_env_file=None, openai_model=None)  # type: ignore[call-arg]
    assert build_gateway(settings, database) is None  # type: ignore[arg-type]


def test_prompt_versions_name_every_prompt_with_a_content_hash() -> None:
    versions = prompt_versions()
    assert set(versions) == {"global_planner", "ticket_subplanner", "kb_answer"}
    assert all(v.startswith("v1#") and len(v) == 9 for v in versions.values())
    assert json.dumps(versions)  # serialisable for version_set
