"""The console's ticket routes: same guards, state machines, idempotency and audit as the chat path."""

from __future__ import annotations

import uuid

import httpx

from tests.server.helpers import assert_error, who


async def _ticket(client: httpx.AsyncClient, user: dict[str, str], text: str = "我的VPN连不上了，帮我提个工单") -> dict:
    r = await client.post("/agent", json={"message": text}, headers=user)
    body = r.json()
    assert body["status"] == "OK" and body["ticket"], body
    return dict(body["ticket"], thread_id=body["thread_id"])


async def _audit(client: httpx.AsyncClient, ticket_id: str, admin: dict[str, str]) -> list[dict]:
    r = await client.get(f"/tickets/{ticket_id}/audit", headers=admin)
    assert r.status_code == 200, r.text
    return list(r.json())


def _key() -> str:
    return f"a-{uuid.uuid4().hex[:12]}"


async def test_comment_is_idempotent_and_audited(client: httpx.AsyncClient) -> None:
    requester, agent = who(), who(role="agent")
    ticket = await _ticket(client, requester)
    tid = ticket["ticket_id"]
    body = {"comment": "Looking into it", "action_id": _key()}
    first = await client.post(f"/tickets/{tid}/comments", json=body, headers=agent)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "OK" and first.json()["tool"] == "add_comment"
    again = await client.post(f"/tickets/{tid}/comments", json=body, headers=agent)
    assert again.status_code == 200 and again.json() == first.json()
    view = (await client.get(f"/tickets/{tid}", headers=requester)).json()
    assert [c["body"] for c in view["comments"]] == ["Looking into it"]
    assert view["comments"][0]["author_id"] == agent["X-User-Id"]
    clash = await client.post(f"/tickets/{tid}/comments", json={**body, "comment": "other"},
                              headers=agent)
    assert_error(clash, 409, "IDEMPOTENCY_CONFLICT")
    events = await _audit(client, tid, agent)
    mine = [e for e in events if e["actor"] == agent["X-User-Id"]]
    assert [e["event_type"] for e in mine] == ["PLAN_EXECUTED", "TICKET_UPDATED"]
    assert mine[0]["payload"]["tool"] == "add_comment" and mine[0]["payload"]["source"] == "api"
    assert mine[0]["trace_id"] == first.json()["trace_id"]
    # the requester's view of the trail holds only their own events
    own = await _audit(client, tid, requester)
    assert own and {e["actor"] for e in own} == {requester["X-User-Id"]}


async def test_roles_and_visibility_are_the_chat_paths(client: httpx.AsyncClient) -> None:
    requester = who()
    tid = (await _ticket(client, requester))["ticket_id"]
    refused = await client.post(f"/tickets/{tid}/resolve", json={}, headers=requester)
    assert_error(refused, 403, "FORBIDDEN")
    elsewhere = await client.post(f"/tickets/{tid}/resolve", json={},
                                  headers=who(role="agent", department="HR"))
    assert_error(elsewhere, 404, "NOT_FOUND")
    stranger = await client.post(f"/tickets/{tid}/comments", json={"comment": "hi"}, headers=who())
    assert_error(stranger, 404, "NOT_FOUND")
    admin = who(role="admin", department="Ops")
    rejected = [e for e in await _audit(client, tid, admin) if e["event_type"] == "PLAN_REJECTED"]
    assert sorted(e["result"] for e in rejected) == ["FORBIDDEN", "TICKET_NOT_FOUND", "TICKET_NOT_FOUND"]
    assert (await client.get(f"/tickets/{tid}", headers=requester)).json()["status"] == "OPEN"


async def test_status_changes_follow_the_state_machine(client: httpx.AsyncClient) -> None:
    requester, agent = who(), who(role="agent")
    tid = (await _ticket(client, requester))["ticket_id"]
    done = await client.post(f"/tickets/{tid}/resolve", json={"reason": "fixed"}, headers=agent)
    assert done.json()["status"] == "OK" and done.json()["ticket"]["status"] == "RESOLVED"
    twice = await client.post(f"/tickets/{tid}/resolve", json={}, headers=agent)
    assert twice.status_code == 200
    assert twice.json()["status"] == "REJECTED" and twice.json()["reason"] == "INVALID_TRANSITION"
    back = await client.post(f"/tickets/{tid}/reopen", json={}, headers=requester)
    assert back.json()["ticket"]["status"] == "OPEN"
    kinds = [(e["event_type"], e["result"]) for e in await _audit(client, tid, agent)
             if e["actor"] == agent["X-User-Id"]]
    assert ("PLAN_REJECTED", "INVALID_TRANSITION") in kinds
    assert kinds.count(("TICKET_UPDATED", "OK")) == 1


async def test_escalation_needs_a_confirmed_pending_action(client: httpx.AsyncClient) -> None:
    requester, agent = who(), who(role="agent")
    tid = (await _ticket(client, requester))["ticket_id"]
    asked = (await client.post(f"/tickets/{tid}/escalate", json={"reason": "VIP"}, headers=agent)).json()
    assert asked["status"] == "NEED_CONFIRMATION", asked
    pending = asked["pending_action"]
    assert pending["tool"] == "escalate_ticket" and pending["confirm_token"]
    view = (await client.get(f"/tickets/{tid}", headers=agent)).json()
    assert view["escalation_level"] == 0  # nothing ran yet
    decision = {"pending_action_id": pending["id"], "decision": "confirm"}
    wrong = await client.post(f"/tickets/{tid}/confirm", json={**decision, "confirm_token": "nope"},
                              headers=agent)
    assert wrong.json()["reason"] == "INVALID_CONFIRM_TOKEN"
    other = await client.post(f"/tickets/{tid}/confirm", headers=who(role="agent"),
                              json={**decision, "confirm_token": pending["confirm_token"]})
    assert other.json()["reason"] == "NOTHING_TO_CONFIRM"
    good = {**decision, "confirm_token": pending["confirm_token"]}
    done = (await client.post(f"/tickets/{tid}/confirm", json=good, headers=agent)).json()
    assert done["status"] == "OK" and done["ticket"]["escalation_level"] == 1
    replay = (await client.post(f"/tickets/{tid}/confirm", json=good, headers=agent)).json()
    assert replay["replayed"] is True and replay["ticket"]["escalation_level"] == 1
    assert (await client.get(f"/tickets/{tid}", headers=agent)).json()["escalation_level"] == 1
    # a second escalation, declined: nothing changes
    asked = (await client.post(f"/tickets/{tid}/escalate", json={}, headers=agent)).json()
    no = {"pending_action_id": asked["pending_action"]["id"], "decision": "cancel"}
    kept = (await client.post(f"/tickets/{tid}/confirm", json=no, headers=agent)).json()
    assert kept["status"] == "CANCELLED"
    assert (await client.get(f"/tickets/{tid}", headers=agent)).json()["escalation_level"] == 1
    kinds = [e["event_type"] for e in await _audit(client, tid, agent) if e["actor"] == agent["X-User-Id"]]
    assert kinds.count("ACTION_PENDING") == 2 and kinds.count("ACTION_CONFIRMED") == 1
    assert kinds.count("ACTION_CANCELLED") == 1 and kinds.count("TICKET_UPDATED") == 1


async def test_a_requester_cancels_own_ticket_after_confirming(client: httpx.AsyncClient) -> None:
    requester = who()
    tid = (await _ticket(client, requester))["ticket_id"]
    asked = (await client.post(f"/tickets/{tid}/cancel", json={"reason": "works now"}, headers=requester)).json()
    assert asked["status"] == "NEED_CONFIRMATION" and asked["pending_action"]["tool"] == "cancel_ticket"
    pending = asked["pending_action"]
    done = (await client.post(f"/tickets/{tid}/confirm", headers=requester, json={
        "pending_action_id": pending["id"], "decision": "confirm", "confirm_token": pending["confirm_token"]})).json()
    assert done["status"] == "OK" and done["ticket"]["status"] == "CANCELLED"
    again = (await client.post(f"/tickets/{tid}/cancel", json={}, headers=requester)).json()
    assert again["status"] == "REJECTED" and again["reason"] == "INVALID_TRANSITION"


async def test_malformed_action_requests(client: httpx.AsyncClient) -> None:
    agent = who(role="agent")
    r = await client.post("/tickets/TCK-2026-AAAAAA/confirm", headers=agent,
                          json={"pending_action_id": "PA-x", "decision": "confirm"})
    assert r.status_code == 200 and r.json()["reason"] == "NOTHING_TO_CONFIRM"
    empty = await client.post("/tickets/TCK-2026-AAAAAA/comments", json={"comment": ""}, headers=agent)
    assert_error(empty, 422, "INVALID_INPUT")
    bad_id = await client.post("/tickets/nope/resolve", json={}, headers=agent)
    assert_error(bad_id, 422, "INVALID_INPUT")
    extra = await client.post("/tickets/TCK-2026-AAAAAA/resolve", json={"status": "CLOSED"}, headers=agent)
    assert_error(extra, 422, "INVALID_INPUT")


async def test_queue_is_the_departments_for_staff_only(client: httpx.AsyncClient) -> None:
    dept = f"D{uuid.uuid4().hex[:6]}"
    requester, agent = who(department=dept), who(role="agent", department=dept)
    made = [await _ticket(client, requester) for _ in range(3)]
    await _ticket(client, who(department="Elsewhere"))
    assert_error(await client.get("/tickets/queue", headers=requester), 403, "FORBIDDEN")
    assert_error(await client.get("/tickets/queue", params={"department": "Elsewhere"}, headers=agent),
                 403, "FORBIDDEN")
    page = (await client.get("/tickets/queue", params={"limit": 2}, headers=agent)).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    newest_first = [t["ticket_id"] for t in reversed(made)]
    assert [t["ticket_id"] for t in page["items"]] == newest_first[:2]
    rest = (await client.get("/tickets/queue", params={"limit": 2, "offset": 2}, headers=agent)).json()
    assert [t["ticket_id"] for t in rest["items"]] == newest_first[2:]
    await client.post(f"/tickets/{made[0]['ticket_id']}/resolve", json={}, headers=agent)
    resolved = (await client.get("/tickets/queue", params={"status": "RESOLVED"}, headers=agent)).json()
    assert [t["ticket_id"] for t in resolved["items"]] == [made[0]["ticket_id"]]
    network = (await client.get("/tickets/queue", params={"category": "network", "priority": "P3"},
                                headers=agent)).json()
    assert {t["category"] for t in network["items"]} <= {"network"}
    admin = (await client.get("/tickets/queue", params={"department": dept},
                              headers=who(role="admin", department="Ops"))).json()
    assert admin["total"] == 3
    assert_error(await client.get("/tickets/queue", params={"priority": "P9"}, headers=agent),
                 422, "INVALID_INPUT")


async def test_the_conversation_that_created_a_ticket(client: httpx.AsyncClient) -> None:
    requester, agent = who(), who(role="agent")
    ticket = await _ticket(client, requester)
    tid = ticket["ticket_id"]
    talk = (await client.get(f"/tickets/{tid}/conversation", headers=agent)).json()
    assert talk["thread_id"] == ticket["thread_id"]
    assert [m["role"] for m in talk["messages"]] == ["user", "assistant"]
    assert "VPN" in talk["messages"][0]["content"]
    assert_error(await client.get(f"/tickets/{tid}/conversation", headers=who()), 404, "NOT_FOUND")
    assert_error(await client.get(f"/tickets/{tid}/audit", headers=who(role="agent", department="HR")),
                 404, "NOT_FOUND")


async def test_article_and_identity_routes(client: httpx.AsyncClient) -> None:
    user = who()
    hits = (await client.get("/kb/search", params={"q": "VPN"}, headers=user)).json()
    article = await client.get(f"/kb/documents/{hits[0]['doc_id']}", headers=user)
    assert article.status_code == 200 and article.json()["body"] and article.json()["title"] == hits[0]["title"]
    assert_error(await client.get("/kb/documents/no-such-article", headers=user), 404, "NOT_FOUND")
    me = (await client.get("/me", headers=user)).json()
    assert me == {"user_id": user["X-User-Id"], "department": "IT", "role": "requester", "auth": "dev"}
