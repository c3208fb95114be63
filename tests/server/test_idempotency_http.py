"""action_id over HTTP: replay, conflict, and one run at a time per thread."""

import asyncio
import uuid

import httpx

from tests.server.helpers import assert_error, sse, who


async def test_replay_returns_the_stored_response_without_running_again(
    client: httpx.AsyncClient,
) -> None:
    user, action = who(), uuid.uuid4().hex
    body = {"message": "我的VPN连不上了，帮我提个工单", "action_id": action}
    first = await client.post("/agent", json=body, headers=user)
    again = await client.post("/agent", json=body, headers=user)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len((await client.get("/tickets", headers=user)).json()) == 1
    stream = await client.post("/agent/stream", json=body, headers=user)
    events = sse(stream.text)
    assert [n for n, _ in events] == ["metadata", "result", "end"]
    assert events[1][1] == first.json()


async def test_different_body_conflicts(client: httpx.AsyncClient) -> None:
    user, action = who(), uuid.uuid4().hex
    r = await client.post("/agent", json={"message": "hello", "action_id": action}, headers=user)
    assert r.status_code == 200
    r = await client.post("/agent", json={"message": "bye", "action_id": action}, headers=user)
    assert_error(r, 409, "IDEMPOTENCY_CONFLICT")
    other_user = await client.post("/agent", json={"message": "bye", "action_id": action},
                                   headers=who())
    assert other_user.status_code == 200


async def test_stored_error_is_replayed(client: httpx.AsyncClient) -> None:
    alice, bob = who(), who()
    first_turn = await client.post("/agent", json={"message": "hi"}, headers=alice)
    thread = first_turn.json()["thread_id"]
    body = {"message": "hi", "thread_id": thread, "action_id": uuid.uuid4().hex}
    first = await client.post("/agent", json=body, headers=bob)
    assert_error(first, 404, "NOT_FOUND")
    again = await client.post("/agent", json=body, headers=bob)
    assert again.status_code == 404 and again.json() == first.json()


async def test_resume_is_idempotent(client: httpx.AsyncClient) -> None:
    user = who()
    r = await client.post("/agent", json={"message": "我的VPN连不上了，帮我提个工单"}, headers=user)
    thread = r.json()["thread_id"]
    r = await client.post("/agent", json={"message": "escalate it", "thread_id": thread},
                          headers=user)
    body = {"decision": "confirm", "confirm_token": r.json()["pending_action"]["confirm_token"],
            "action_id": uuid.uuid4().hex}
    first = await client.post(f"/threads/{thread}/resume", json=body, headers=user)
    again = await client.post(f"/threads/{thread}/resume", json=body, headers=user)
    assert first.json() == again.json() and first.json()["ticket"]["escalation_level"] == 1


async def test_concurrent_turns_on_one_thread_are_busy_not_interleaved(
    client: httpx.AsyncClient,
) -> None:
    user = who()
    thread = (await client.post("/agent", json={"message": "hi"}, headers=user)).json()["thread_id"]

    async def turn(i: int) -> httpx.Response:
        body = {"message": f"VPN怎么配置 {i}", "thread_id": thread}
        return await client.post("/agent", json=body, headers=user)

    responses = await asyncio.gather(*(turn(i) for i in range(8)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409} and 200 in statuses and 409 in statuses, statuses
    for r in responses:
        if r.status_code == 409:
            assert assert_error(r, 409, "THREAD_BUSY")["retryable"] is True
    view = (await client.get(f"/threads/{thread}", headers=user)).json()
    user_lines = [m for m in view["messages"] if m["role"] == "user"]
    assert len(user_lines) == 1 + statuses.count(200)
    assert view["status"] == "idle"


async def test_concurrent_repeats_of_one_action_run_once(client: httpx.AsyncClient) -> None:
    user = who()
    body = {"message": "我的VPN连不上了，帮我提个工单", "action_id": uuid.uuid4().hex}
    responses = await asyncio.gather(*(client.post("/agent", json=body, headers=user)
                                       for _ in range(5)))
    ok = [r for r in responses if r.status_code == 200]
    assert ok and all(r.status_code in (200, 409) for r in responses)
    assert len({r.json()["ticket"]["ticket_id"] for r in ok}) == 1
    assert len((await client.get("/tickets", headers=user)).json()) == 1
