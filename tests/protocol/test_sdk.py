"""langgraph-sdk (async) against `helpdesk serve`: assistants, threads, streamed conversations,
interrupts and both resume shapes, history — the calls agent-chat-ui and Studio make."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from server.protocol.shapes import ASSISTANT_ID
from tests.protocol.conftest import headers, human

MODES = ["values", "updates", "messages-tuple"]


async def _stream(client: Any, tid: str, **kwargs: Any) -> list[tuple[str, Any]]:
    kwargs.setdefault("stream_mode", MODES)
    return [(p.event, p.data) async for p in client.runs.stream(tid, "helpdesk", **kwargs)]


def _last_values(parts: list[tuple[str, Any]]) -> dict[str, Any]:
    return next(data for event, data in reversed(parts) if event == "values")


async def test_assistants(server: str) -> None:
    client = get_client(url=server, headers=headers("alice"))
    found = await client.assistants.search(graph_id="helpdesk")
    assert [a["assistant_id"] for a in found] == [ASSISTANT_ID]
    assert found[0]["metadata"] == {"created_by": "system"}
    assert str(uuid.uuid5(uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8"), "helpdesk")) == ASSISTANT_ID
    by_graph = await client.assistants.get("helpdesk")
    assert by_graph["assistant_id"] == ASSISTANT_ID
    graph = await client.assistants.get_graph(ASSISTANT_ID, xray=True)
    assert {"context_restore", "validator", "finalize", "await_confirmation"} <= {n["id"] for n in graph["nodes"]}
    schemas = await client.assistants.get_schemas(ASSISTANT_ID)
    assert "messages" in schemas["input_schema"]["properties"]
    assert await client.assistants.get_subgraphs(ASSISTANT_ID) == {}
    assert await client.assistants.search(graph_id="other") == []
    assert await client.assistants.count(graph_id="helpdesk") == 1
    assert [v["version"] for v in await client.assistants.get_versions(ASSISTANT_ID)] == [1]
    with pytest.raises(httpx.HTTPStatusError) as err:
        await client.assistants.get(str(uuid.uuid4()))
    assert err.value.response.status_code == 404
    assert err.value.response.json()["error"]["code"] == "NOT_FOUND"


async def test_en_conversation_streams_values_updates_and_messages(server: str) -> None:
    client = get_client(url=server, headers=headers("alice"))
    thread = await client.threads.create(metadata={"purpose": "en"})
    tid = thread["thread_id"]
    parts = await _stream(client, tid, input=human("my vpn is down, please open a ticket"))
    assert parts[0][0] == "metadata" and uuid.UUID(parts[0][1]["run_id"])
    events = {e for e, _ in parts}
    assert {"values", "updates", "messages"} <= events
    assert any("finalize" in d for e, d in parts if e == "updates")
    message, meta = next(d for e, d in parts if e == "messages")
    assert message["type"] == "ai" and "TCK-" in message["content"] and meta["langgraph_node"] == "finalize"
    values = _last_values(parts)
    assert [m["type"] for m in values["messages"]] == ["human", "ai"]
    assert values["messages"][0]["content"] == "my vpn is down, please open a ticket"
    assert values["messages"][1]["id"] == message["id"]
    assert values["result"]["status"] == "OK" and values["result"]["version_set"]

    got = await client.threads.get(tid)
    assert got["metadata"] == {"purpose": "en", "graph_id": "helpdesk", "assistant_id": ASSISTANT_ID}
    assert got["status"] == "idle" and len(got["values"]["messages"]) == 2
    found = await client.threads.search(metadata={"graph_id": "helpdesk", "purpose": "en"})
    assert [t["thread_id"] for t in found] == [tid]
    assert await client.threads.count(metadata={"purpose": "en"}) == 1

    more = await _stream(client, tid, input={"messages": [{"type": "human", "content": "what is the status of it?"}]})
    assert [m["type"] for m in _last_values(more)["messages"]] == ["human", "ai", "human", "ai"]
    history = await client.threads.get_history(tid, limit=10)
    assert len(history) >= 2 and history[0]["checkpoint"]["checkpoint_id"]
    older = history[-1]["checkpoint"]["checkpoint_id"]
    at = await client.threads.get_state(tid, checkpoint_id=older)
    assert at["checkpoint"]["checkpoint_id"] == older
    runs = await client.runs.list(tid)
    assert len(runs) == 2 and {r["status"] for r in runs} == {"success"}


async def test_zh_interrupt_and_resume_with_decisions(server: str) -> None:
    client = get_client(url=server, headers=headers("alice"))
    tid = (await client.threads.create())["thread_id"]
    parts = await _stream(client, tid, input=human("我的VPN连不上了，帮我提个工单"))
    ticket_id = _last_values(parts)["result"]["ticket"]["ticket_id"]
    parts = await _stream(client, tid, input=human(f"取消 {ticket_id}"))
    paused = _last_values(parts)
    interrupt = paused["__interrupt__"][0]
    request = interrupt["value"]
    assert request["pending_action"]["tool"] == "cancel_ticket"
    assert request["action_requests"][0]["name"] == "cancel_ticket"
    assert request["review_configs"][0]["allowed_decisions"] == ["approve", "reject"]
    assert any("__interrupt__" in d for e, d in parts if e == "updates")

    state = await client.threads.get_state(tid)
    assert state["next"] == ["await_confirmation"]
    assert state["interrupts"][0]["id"] == interrupt["id"]
    assert (await client.threads.get(tid))["status"] == "interrupted"

    parts = await _stream(client, tid, command={"resume": {"decisions": [{"type": "approve"}]}})
    done = _last_values(parts)
    assert "__interrupt__" not in done
    assert done["result"]["status"] == "OK" and done["result"]["ticket"]["status"] == "CANCELLED"
    again = await client.runs.wait(tid, "helpdesk", command={"resume": {"decisions": [{"type": "approve"}]}})
    assert again["result"]["status"] != "OK" or again["result"].get("ticket", {}).get("status") == "CANCELLED"


async def test_resume_with_decision_and_confirm_token(server: str) -> None:
    client = get_client(url=server, headers=headers("alice"))
    tid = (await client.threads.create())["thread_id"]
    first = await client.runs.wait(tid, "helpdesk", input=human("please open a ticket: printer jam on floor 3"))
    ticket_id = first["result"]["ticket"]["ticket_id"]
    paused = await client.runs.wait(tid, "helpdesk", input=human(f"cancel {ticket_id}"))
    pending = paused["__interrupt__"][0]["value"]["pending_action"]
    done = await client.runs.wait(tid, "helpdesk", command={
        "resume": {"decision": "cancel", "confirm_token": pending["confirm_token"]}})
    assert done["result"]["status"] == "CANCELLED"
    state = await client.threads.get_state(tid)
    assert state["interrupts"] == [] and state["next"] == []


async def test_raw_http_conventions(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, headers=headers("alice")) as http:
        made = await http.post("/threads", content=b'{"metadata": {"k": "v"}}',
                               headers={"Content-Type": "text/plain;charset=UTF-8"})
        assert made.status_code == 200, made.text
        tid = made.json()["thread_id"]
        resp = await http.post(f"/threads/{tid}/runs/stream", content=(
            b'{"assistant_id": "helpdesk", "input": {"messages": [{"type": "human", "content": "hello"}]},'
            b' "stream_mode": ["values"], "stream_resumable": true}'), headers={"Content-Type": "text/plain"})
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        run_id = resp.headers["Content-Location"].rsplit("/", 1)[1]
        assert resp.headers["Content-Location"] == f"/threads/{tid}/runs/{run_id}"
        assert resp.text.startswith(f'event: metadata\r\ndata: {{"run_id":"{run_id}","attempt":1}}\r\nid: 0\r\n\r\n')
        bad = await http.post(f"/threads/{tid}/runs/wait", json={"assistant_id": "helpdesk", "input": {}})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "INVALID_INPUT"
        broken = await http.post("/threads/search", content=b"{not json")
        assert broken.status_code == 422 and broken.json()["error"]["code"] == "INVALID_INPUT"
        paused = await http.post(f"/threads/{tid}/runs/wait", json={  # once refused (422), now honoured
            "assistant_id": "helpdesk", "input": human("open a ticket: the fan is loud"),
            "interrupt_before": ["validator"]})
        assert paused.status_code == 200
        assert (await http.get(f"/threads/{tid}/state")).json()["next"] == ["validator"]
        legacy = (await http.get(f"/threads/{tid}")).json()  # API.md's fields and the SDK's together
        assert legacy["owner"] == "alice" and legacy["metadata"]["k"] == "v" and "values" in legacy

        preflight = await http.options("/threads/search", headers={
            "Origin": "https://smith.langchain.com", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-user-id",
            "Access-Control-Request-Private-Network": "true"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://smith.langchain.com"
        assert preflight.headers["access-control-allow-private-network"] == "true"
        simple = await http.post("/threads", json={}, headers={"Origin": "https://smith.langchain.com"})
        assert "content-location" in simple.headers["access-control-expose-headers"].lower()
        info = (await http.get("/info")).json()
        assert info["flags"]["assistants"] is True


async def test_debug_stream_for_studio(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, headers=headers("alice")) as http:
        tid = (await http.post("/threads", json={})).json()["thread_id"]
        resp = await http.post(f"/threads/{tid}/runs/stream", json={
            "assistant_id": "helpdesk", "input": human("hello"), "stream_mode": ["debug", "messages-tuple"]})
    assert "helpdesk_turn_writes" not in resp.text and "__helpdesk" not in resp.text  # run-scoped objects
    client = get_client(url=server, headers=headers("alice"))
    parts = await _stream(client, tid, input=human("show my tickets"), stream_mode=["debug"])
    debug = [d for e, d in parts if e == "debug"]
    assert {"checkpoint", "task", "task_result"} <= {d["type"] for d in debug}
    checkpoint = next(d["payload"] for d in debug if d["type"] == "checkpoint")
    assert checkpoint["checkpoint"]["thread_id"] == tid and set(checkpoint["config"]["configurable"]) <= {
        "thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map"}
    assert any(d["payload"]["name"] == "finalize" for d in debug if d["type"] == "task_result")
