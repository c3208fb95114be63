"""A thread survives its process: what the checkpointer keeps (memory, transcript, result) is
plain JSON the serializer round-trips, and the turn's scratch (the typed contract objects of
turn.contract) is never checkpointed."""

from __future__ import annotations

import json
from typing import Any

from tests.factories import actor, open_stack

SCRATCH = {"resolved", "plan", "verdict", "outcome", "events", "usage"}


async def test_a_new_process_continues_a_waiting_thread(db_url: str) -> None:
    who = actor()
    async with open_stack(db_url) as first:
        r = await first.turn(who, "我的VPN连不上了，帮我提个工单")
        thread, ticket_id = r.thread_id, r.ticket["ticket_id"]
        r = await first.turn(who, "cancel that ticket", thread_id=thread)
        assert r.status == "NEED_CONFIRMATION"
        config: Any = {"configurable": {"thread_id": thread}}
        before = (await first.graph.aget_state(config)).values
    async with open_stack(db_url) as second:  # new saver, new pools: nothing held in memory
        state = await second.graph.aget_state(config)
        assert state.next == ("await_confirmation",)
        assert not SCRATCH & set(state.values), "per-turn scratch must not be checkpointed"
        for channel in ("memory", "result", "transcript"):
            assert state.values[channel] == before[channel]
            assert json.loads(json.dumps(state.values[channel])) == state.values[channel]
        assert state.values["memory"]["pending_action_id"] == r.pending_action["id"]
        r = await second.turn(who, "确认", thread_id=thread)
        assert (r.status, r.intent) == ("OK", "confirm")
        assert r.ticket["ticket_id"] == ticket_id and r.ticket["status"] == "CANCELLED"
        r = await second.turn(who, "what is the status of my last ticket?", thread_id=thread)
        assert r.ticket["ticket_id"] == ticket_id
