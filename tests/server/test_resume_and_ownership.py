"""Interrupt → resume (endpoint, stream, confirming message), and nobody else's resources."""

import httpx

from tests.server.helpers import assert_error, sse, who


async def _ticket_then_pending(client: httpx.AsyncClient, user: dict, ask: str) -> dict:
    r = await client.post("/agent", json={"message": "我的VPN连不上了，帮我提个工单"}, headers=user)
    thread = r.json()["thread_id"]
    r = await client.post("/agent", json={"message": ask, "thread_id": thread}, headers=user)
    body = r.json()
    assert body["status"] == "NEED_CONFIRMATION", body
    view = (await client.get(f"/threads/{thread}", headers=user)).json()
    assert view["status"] == "interrupted"
    assert view["pending_action"]["id"] == body["pending_action"]["id"]
    waiting = (await client.get("/threads?status=interrupted", headers=user)).json()
    assert [t["thread_id"] for t in waiting] == [thread]
    return dict(body)


async def test_resume_endpoint_confirms_once(client: httpx.AsyncClient) -> None:
    user = who()
    pending = await _ticket_then_pending(client, user, "escalate it please")
    thread, token = pending["thread_id"], pending["pending_action"]["confirm_token"]
    r = await client.post(f"/threads/{thread}/resume", headers=user,
                          json={"decision": "confirm", "confirm_token": token})
    assert r.status_code == 200 and r.json()["status"] == "OK"
    assert r.json()["ticket"]["escalation_level"] == 1
    again = await client.post(f"/threads/{thread}/resume", headers=user,
                              json={"decision": "confirm", "confirm_token": token})
    assert again.json()["ticket"]["escalation_level"] == 1
    assert (await client.get(f"/threads/{thread}", headers=user)).json()["status"] == "idle"


async def test_resume_stream_cancels(client: httpx.AsyncClient) -> None:
    user = who()
    pending = await _ticket_then_pending(client, user, "帮我把这个工单取消掉")
    thread = pending["thread_id"]
    r = await client.post(f"/threads/{thread}/resume/stream", headers=user,
                          json={"decision": "cancel"})
    events = sse(r.text)
    assert events[0][0] == "metadata" and events[-1][0] == "end"
    result = next(d for n, d in events if n == "result")
    assert result["status"] == "CANCELLED"
    ticket = (await client.get(f"/tickets/{pending['ticket']['ticket_id']}", headers=user)).json() \
        if pending.get("ticket") else None
    assert ticket is None or ticket["status"] == "OPEN"


async def test_confirming_message_and_wrong_token(client: httpx.AsyncClient) -> None:
    user = who()
    pending = await _ticket_then_pending(client, user, "cancel that ticket")
    thread = pending["thread_id"]
    r = await client.post("/agent", headers=user,
                          json={"confirm_token": "wrong-token", "thread_id": thread})
    assert r.json()["status"] == "REJECTED" and r.json()["reason"] == "INVALID_CONFIRM_TOKEN"
    r = await client.post("/agent", json={"message": "确认", "thread_id": thread}, headers=user)
    assert r.json()["status"] == "OK" and r.json()["ticket"]["status"] == "CANCELLED"
    r = await client.post(f"/threads/{thread}/resume", headers=user, json={"decision": "cancel"})
    assert r.json()["status"] == "REJECTED" and r.json()["reason"] == "NOTHING_TO_CONFIRM"


async def test_resume_requires_token_to_confirm(client: httpx.AsyncClient) -> None:
    r = await client.post("/threads/t-1/resume", json={"decision": "confirm"}, headers=who())
    assert_error(r, 422, "INVALID_INPUT")
    r = await client.post("/threads/t-1/resume", json={"decision": "maybe"}, headers=who())
    assert_error(r, 422, "INVALID_INPUT")


async def test_other_user_gets_404_on_everything(client: httpx.AsyncClient) -> None:
    alice, bob = who(), who()
    pending = await _ticket_then_pending(client, alice, "escalate it please")
    thread, token = pending["thread_id"], pending["pending_action"]["confirm_token"]
    first = (await client.post("/agent", json={"message": "I need to open a ticket"},
                               headers=alice)).json()
    draft_id = first["draft"]["draft_id"]
    ticket_id = (await client.get("/tickets", headers=alice)).json()[0]["ticket_id"]
    for path in (f"/threads/{thread}", f"/threads/{thread}/history", f"/tickets/{ticket_id}",
                 f"/drafts/{draft_id}"):
        assert_error(await client.get(path, headers=bob), 404, "NOT_FOUND")
    decision = {"decision": "confirm", "confirm_token": token}
    for path in (f"/threads/{thread}/resume", f"/threads/{thread}/resume/stream"):
        assert_error(await client.post(path, json=decision, headers=bob), 404, "NOT_FOUND")
    for path in ("/agent", "/agent/stream"):
        r = await client.post(path, json={"message": "确认", "thread_id": thread}, headers=bob)
        assert_error(r, 404, "NOT_FOUND")
    assert (await client.get("/tickets", headers=bob)).json() == []
    assert (await client.get("/threads", headers=bob)).json() == []
    assert (await client.get(f"/audit?thread_id={thread}", headers=bob)).json() == []
    assert (await client.get(f"/audit?ticket_id={ticket_id}", headers=bob)).json() == []
    view = (await client.get(f"/threads/{thread}", headers=alice)).json()
    assert view["status"] == "interrupted"  # nothing bob did touched it


async def test_agent_and_admin_visibility(client: httpx.AsyncClient) -> None:
    owner = who(department="Finance")
    r = await client.post("/agent", json={"message": "我的VPN连不上了，帮我提个工单"},
                          headers=owner)
    ticket_id = r.json()["ticket"]["ticket_id"]
    agent_same = who(role="agent", department="Finance")
    agent_other = who(role="agent", department="Legal")
    assert (await client.get(f"/tickets/{ticket_id}", headers=agent_same)).status_code == 200
    assert_error(await client.get(f"/tickets/{ticket_id}", headers=agent_other), 404, "NOT_FOUND")
    assert (await client.get(f"/tickets/{ticket_id}", headers=who(role="admin"))).status_code == 200
    admin_audit = (await client.get(f"/audit?ticket_id={ticket_id}", headers=who(role="admin")))
    assert admin_audit.json()
