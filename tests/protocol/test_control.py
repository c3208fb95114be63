"""interrupt_before/after and continuing, forks from a checkpoint (re-checked by the validator),
state edits of the messages window, the events stream mode, and the smaller routes (GET
/runs/{id}, the context schema, thread copy and prune), through the real SDK clients."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from langgraph_sdk import get_client, get_sync_client

from tests.protocol.conftest import headers, human


def _audit(db: str, tid: str) -> list[str]:
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT event_type FROM audit_events WHERE thread_id = %s ORDER BY id",
                            (tid,)).fetchall()
    return [r for (r,) in rows]


def _leased(db: str, tid: str) -> bool:
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT coalesce(lease_until > now(), false) FROM threads WHERE thread_id = %s",
                           (tid,)).fetchone()
    return bool(row and row[0])


async def test_interrupt_before_stops_and_input_null_continues(server: str, protocol_db: str) -> None:
    client = get_client(url=server, headers=headers("frank"))
    text = "please open a ticket: printer jam on floor 2"
    plain_tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(plain_tid, "helpdesk", input=human(text))
    tid = (await client.threads.create())["thread_id"]
    paused = await client.runs.wait(tid, "helpdesk", input=human(text), interrupt_before=["validator"])
    assert paused.get("result") is None  # no turn result: it stopped before the validator
    state = await client.threads.get_state(tid)
    assert state["next"] == ["validator"]
    assert not _leased(protocol_db, tid)  # the lease went back with the paused checkpoint
    assert [r["status"] for r in await client.runs.list(tid)] == ["success"]
    assert "TURN" not in " ".join(_audit(protocol_db, tid))  # no end-of-turn record yet

    done = await client.runs.wait(tid, "helpdesk", input=None)  # continue: the remaining nodes
    assert done["result"]["status"] == "OK" and done["result"]["ticket"]["ticket_id"]
    assert (await client.threads.get_state(tid))["next"] == []
    assert not _leased(protocol_db, tid)
    assert _audit(protocol_db, tid) == _audit(protocol_db, plain_tid)  # the turn audited exactly once
    with pytest.raises(httpx.HTTPStatusError) as err:  # nothing left to continue
        await client.runs.wait(tid, "helpdesk", input=None)
    assert err.value.response.status_code == 422


def test_interrupt_after_every_node_resumed_with_command_sync(server: str) -> None:
    client = get_sync_client(url=server, headers=headers("frank"))
    tid = client.threads.create()["thread_id"]
    client.runs.wait(tid, "helpdesk", input=human("hello"), interrupt_after="*")
    first = client.threads.get_state(tid)
    assert first["next"] and first["next"] != ["context_restore"]
    steps = 1
    while client.threads.get_state(tid)["next"]:
        client.runs.wait(tid, "helpdesk", command={"resume": "go on"}, interrupt_after="*")
        steps += 1
        assert steps < 10
    values = client.threads.get_state(tid)["values"]
    assert values["result"]["status"] == "OK" and values["messages"][-1]["type"] == "ai"


async def test_fork_to_a_pending_escalation_cannot_execute_it_again(server: str, protocol_db: str) -> None:
    client = get_client(url=server, headers=headers("gina"))
    tid = (await client.threads.create())["thread_id"]
    first = await client.runs.wait(tid, "helpdesk", input=human("please open a ticket: printer jam on floor 3"))
    ticket_id = first["result"]["ticket"]["ticket_id"]
    asked = await client.runs.wait(tid, "helpdesk", input=human("escalate it please"))
    assert asked["__interrupt__"][0]["value"]["pending_action"]["tool"] == "escalate_ticket"
    at = (await client.threads.get_state(tid))["checkpoint"]["checkpoint_id"]
    done = await client.runs.wait(tid, "helpdesk", command={"resume": {"decisions": [{"type": "approve"}]}})
    assert done["result"]["status"] == "OK" and done["result"]["ticket"]["escalation_level"] == 1

    old = await client.threads.get_state(tid, checkpoint_id=at)
    assert old["next"] == ["await_confirmation"] and old["values"]["memory"]["pending_action_id"]
    executed = _audit(protocol_db, tid).count("ACTION_EXECUTED")
    forked = await client.runs.wait(tid, "helpdesk", checkpoint_id=at,
                                    command={"resume": {"decisions": [{"type": "approve"}]}})
    # the gate re-read the pending action: already executed, so its first outcome is replayed
    assert forked["result"]["ticket"]["escalation_level"] == 1
    assert _level(protocol_db, ticket_id) == 1 and _audit(protocol_db, tid).count("ACTION_EXECUTED") == executed
    history = await client.threads.get_history(tid, limit=20)
    assert history[0]["parent_checkpoint"]["checkpoint_id"] == at  # a fork of the old checkpoint
    fresh = await client.runs.wait(tid, "helpdesk", checkpoint_id=at, input=human("hello"))
    assert fresh["result"]["status"] == "OK"  # a new turn from the fork supersedes the pending action
    with pytest.raises(httpx.HTTPStatusError) as err:
        await client.runs.wait(tid, "helpdesk", checkpoint_id="1f0-not-a-checkpoint", input=human("hi"))
    assert err.value.response.status_code == 404
    assert _audit(protocol_db, tid).count("PROTOCOL_FORK") == 2  # every fork is audited


async def test_fork_to_a_cancelled_escalation_is_rejected(server: str, protocol_db: str) -> None:
    client = get_client(url=server, headers=headers("gina"))
    tid = (await client.threads.create())["thread_id"]
    first = await client.runs.wait(tid, "helpdesk", input=human("please open a ticket: scanner is offline"))
    ticket_id = first["result"]["ticket"]["ticket_id"]
    await client.runs.wait(tid, "helpdesk", input=human("escalate it please"))
    at = (await client.threads.get_state(tid))["checkpoint"]["checkpoint_id"]
    declined = await client.runs.wait(tid, "helpdesk", command={"resume": {"decisions": [{"type": "reject"}]}})
    assert declined["result"]["status"] == "CANCELLED"
    forked = await client.runs.wait(tid, "helpdesk", checkpoint_id=at,
                                    command={"resume": {"decisions": [{"type": "approve"}]}})
    assert forked["result"]["status"] == "REJECTED"  # the action is CANCELLED in the database
    assert _level(protocol_db, ticket_id) == 0 and "ACTION_EXECUTED" not in _audit(protocol_db, tid)


def _level(db: str, ticket_id: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT escalation_level FROM tickets WHERE ticket_id = %s", (ticket_id,)).fetchone()
    assert row is not None
    return int(row[0])


async def test_state_update_applies_messages_and_names_ignored_keys(server: str, protocol_db: str) -> None:
    client = get_client(url=server, headers=headers("hana"))
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "helpdesk", input=human("hello"))
    before = await client.threads.get_state(tid)
    note = {"type": "ai", "content": "an edited note", "id": "note-1"}
    answer: dict[str, Any] = await client.threads.update_state(
        tid, {"messages": [note], "memory": {"pending_action_id": "pa-forged"}}, as_node="finalize")
    assert answer["checkpoint"]["checkpoint_id"] != before["checkpoint"]["checkpoint_id"]
    assert answer["ignored_keys"] == ["memory"] and "memory" in answer["warning"]
    after = await client.threads.get_state(tid)
    assert after["checkpoint"]["checkpoint_id"] == answer["checkpoint"]["checkpoint_id"]
    assert after["values"]["messages"][-1]["content"] == "an edited note"
    assert after["values"]["memory"] == before["values"]["memory"] and after["next"] == []
    assert {"PROTOCOL_STATE_UPDATED", "PROTOCOL_INPUT_DROPPED"} <= set(_audit(protocol_db, tid))
    again = await client.runs.wait(tid, "helpdesk", input=human("hello again"))
    assert again["result"]["status"] == "OK"
    # a node followed by others would schedule them: as_node is not honoured, and says so
    other: dict[str, Any] = await client.threads.update_state(tid, {"messages": [note]}, as_node="ticket_subplanner")
    assert other["ignored_keys"] == ["as_node"] and (await client.threads.get_state(tid))["next"] == []


async def test_events_stream_mode(server: str) -> None:
    client = get_client(url=server, headers=headers("hana"))
    tid = (await client.threads.create())["thread_id"]
    parts = [p async for p in client.runs.stream(tid, "helpdesk", input=human("hello"), stream_mode="events")]
    events = [p.data for p in parts if p.event == "events"]
    starts = [e["name"] for e in events if e["event"] == "on_chain_start"]
    ends = [e["name"] for e in events if e["event"] == "on_chain_end"]
    assert starts[0] == "context_restore" and "finalize" in starts and starts == ends
    assert all(e["run_id"] and e["metadata"]["langgraph_node"] == e["name"] for e in events)
    assert "messages" in next(e for e in events if e["name"] == "finalize" and e["event"] == "on_chain_end")["data"]["output"]


async def test_stateless_run_schemas_copy_and_prune(server: str) -> None:
    client = get_client(url=server, headers=headers("ivan"))
    other = get_client(url=server, headers=headers("judy"))
    run = await client.runs.create(None, "helpdesk", input=human("hello"), on_completion="keep")
    async with httpx.AsyncClient(base_url=server) as http:  # the SDK has no call for GET /runs/{id}
        got = await http.get(f"/runs/{run['run_id']}", headers=headers("ivan"))
        assert got.status_code == 200 and got.json()["run_id"] == run["run_id"]
        assert (await http.get(f"/runs/{run['run_id']}", headers=headers("judy"))).status_code == 404
    schemas = await client.assistants.get_schemas("helpdesk")
    assert schemas["context_schema"]["properties"]["mode"]["anyOf"][0]["enum"] == ["rules", "llm", "hybrid"]

    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "helpdesk", input=human("hello"))
    await client.runs.wait(tid, "helpdesk", input=human("hello again"))
    copy = await client.threads.copy(tid)
    assert copy["thread_id"] != tid and copy["values"]["messages"] == (await client.threads.get_state(tid))["values"]["messages"]
    assert len(await client.threads.get_history(copy["thread_id"], limit=50)) == len(
        await client.threads.get_history(tid, limit=50))
    with pytest.raises(httpx.HTTPStatusError) as err:
        await other.threads.copy(tid)
    assert err.value.response.status_code == 404
    assert (await client.runs.wait(copy["thread_id"], "helpdesk", input=human("hi")))["result"]["status"] == "OK"

    assert await other.threads.prune([tid]) == {"pruned_count": 0}  # not hers
    assert await client.threads.prune([tid], strategy="keep_latest") == {"pruned_count": 1}
    assert len(await client.threads.get_history(tid, limit=50)) == 1
    assert (await client.threads.get_state(tid))["values"]["messages"][-1]["type"] == "ai"
    assert await client.threads.prune([copy["thread_id"]]) == {"pruned_count": 1}
    with pytest.raises(httpx.HTTPStatusError) as err:
        await client.threads.get(copy["thread_id"])
    assert err.value.response.status_code == 404
