"""In-process replays: a turn that fails after its domain write, retried with its action_id."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from graph.runner import TurnRequest
from tests.factories import Stack, actor, open_stack
from tools import failpoints
from tools.crud import idempotency
from tools.db.engine import fetch_one


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(db_url: str) -> AsyncIterator[Stack]:
    async with open_stack(db_url) as s:
        yield s


@pytest.fixture()
def failpoint() -> Iterator[None]:
    yield
    failpoints.arm("")


async def _claim(stack: Stack, user: str, action: str) -> None:
    async with stack.services.db.transaction() as s:
        assert await idempotency.claim(s, user_id=user, action_id=action, request_hash="h") is None


async def _tickets(stack: Stack, user_id: str) -> int:
    async with stack.services.db.connection() as conn:
        row = await fetch_one(conn, "SELECT count(*) AS n FROM tickets WHERE requester_id = %(u)s",
                              {"u": user_id})
    return int(row["n"]) if row else 0


async def test_retry_finishes_the_committed_ticket(stack: Stack, failpoint: None) -> None:
    who, action = actor(), f"a-{uuid.uuid4().hex[:6]}"
    await _claim(stack, who.user_id, action)
    req = TurnRequest(message="我的VPN连不上了，帮我提个工单", action_id=action)
    failpoints.arm("after_domain_write:raise")
    with pytest.raises(failpoints.Failpoint):
        await stack.runner.run(req, who, trace_id="t1")
    failpoints.arm("")
    assert await _tickets(stack, who.user_id) == 1
    again = await stack.runner.run(req, who, trace_id="t2")
    assert again.status == "OK" and again.ticket is not None
    assert await _tickets(stack, who.user_id) == 1
    async with stack.services.db.connection() as conn:
        key = await fetch_one(conn, "SELECT state, body FROM idempotency_keys"
                                    " WHERE user_id = %(u)s AND action_id = %(a)s", {"u": who.user_id, "a": action})
    assert key is not None and key["state"] == "done"  # stored with the turn's checkpoint
    assert key["body"] is not None and key["body"]["ticket"]["ticket_id"] == again.ticket["ticket_id"]
    view = await stack.views.get_thread(again.thread_id, who)
    assert view["memory"]["ticket_id"] == again.ticket["ticket_id"]
