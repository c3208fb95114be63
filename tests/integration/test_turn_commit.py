"""The end of a turn commits as one: audit rows, transcript, lease release and the checkpoint.

Failures are made real, in Postgres: a trigger that raises for one thread's rows.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest

from graph.runner import HOLD_S, TurnRequest
from tests.factories import Stack, actor
from tools.crud import tickets as crud_tickets
from tools.domain import Actor


@asynccontextmanager
async def failing_inserts(stack: Stack, table: str, thread_id: str) -> AsyncIterator[None]:
    """Make every insert into `table` for `thread_id` fail, for the duration of the block."""
    name = f"fail_{uuid.uuid4().hex[:8]}"
    async with stack.services.db.connection() as conn:
        await conn.execute(f"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.thread_id = '{thread_id}' THEN RAISE EXCEPTION 'disk on fire'; END IF;
              RETURN NEW;
            END $$""")
        await conn.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "
                           f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    try:
        yield
    finally:
        async with stack.services.db.connection() as conn:
            await conn.execute(f"DROP TRIGGER {name} ON {table}")
            await conn.execute(f"DROP FUNCTION {name}()")


async def _counts(stack: Stack, thread_id: str) -> tuple[int, int, int, str, str | None]:
    """(audit rows, transcript lines, checkpoints, thread status, lease holder) of a thread."""
    async with stack.services.db.connection() as conn:
        row = await (await conn.execute("""
            SELECT (SELECT count(*) FROM audit_events WHERE thread_id = %(t)s) AS audit,
                   (SELECT count(*) FROM thread_messages WHERE thread_id = %(t)s) AS lines,
                   (SELECT count(*) FROM checkpoints WHERE thread_id = %(t)s) AS checkpoints,
                   th.status, th.lease_run_id
              FROM threads th WHERE th.thread_id = %(t)s""", {"t": thread_id})).fetchone()
    assert row is not None
    return row["audit"], row["lines"], row["checkpoints"], row["status"], row["lease_run_id"]


async def test_a_turn_commits_record_release_and_checkpoint_together(stack: Stack) -> None:
    who = actor()
    first = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    audit, lines, checkpoints, status, lease = await _counts(stack, first.thread_id)
    assert (lines, checkpoints, status, lease) == (2, 1, "idle", None) and audit >= 3

    r = await stack.turn(who, f"cancel {first.ticket['ticket_id']}", thread_id=first.thread_id)
    assert r.status == "NEED_CONFIRMATION"
    audit2, lines2, checkpoints2, status2, lease2 = await _counts(stack, first.thread_id)
    assert (lines2, checkpoints2, status2, lease2) == (4, 2, "interrupted", None) and audit2 > audit


async def _failed_turn(stack: Stack, table: str, message: str) -> tuple[Actor, str, tuple[Any, ...]]:
    """A thread with one good turn, then `message` with inserts into `table` failing:
    (who, thread id, the thread's counts before the failed turn)."""
    who = actor()
    first = await stack.turn(who, "hello")
    before = await _counts(stack, first.thread_id)
    async with failing_inserts(stack, table, first.thread_id):
        with pytest.raises(psycopg.errors.RaiseException, match="disk on fire"):
            await stack.turn(who, message, thread_id=first.thread_id)
    return who, first.thread_id, before


async def test_a_failed_record_leaves_no_checkpoint_and_frees_the_thread(stack: Stack) -> None:
    """The transcript insert fails: the checkpoint in the same transaction is not written either,
    the runner still releases the lease, and the thread works again afterwards."""
    who, thread_id, before = await _failed_turn(stack, "thread_messages", "hello again")
    audit, lines, checkpoints, status, lease = await _counts(stack, thread_id)
    assert (lines, checkpoints) == (before[1], before[2])  # nothing of the failed turn's record
    assert audit == before[0]
    assert (status, lease) == ("idle", None)  # not left busy

    again = await stack.turn(who, "show my tickets", thread_id=thread_id)
    assert again.status == "OK"
    assert (await _counts(stack, thread_id))[1:4] == (before[1] + 2, before[2] + 1, "idle")


async def test_a_failed_checkpoint_still_records_the_turn(stack: Stack) -> None:
    """The checkpoint write fails after finalize: the runner writes the turn's record and the
    release itself, so the audit says what happened and the thread is not left busy."""
    _, thread_id, before = await _failed_turn(stack, "checkpoints", "show my tickets")
    audit, lines, checkpoints, status, lease = await _counts(stack, thread_id)
    assert checkpoints == before[2]
    assert lines == before[1] + 2 and audit > before[0]
    assert (status, lease) == ("idle", None)
    assert not await _settled(stack, thread_id)  # its latest checkpoint is not this turn's end


async def _settled(stack: Stack, thread_id: str) -> bool:
    async with stack.services.db.connection() as conn:
        row = await (await conn.execute("SELECT settled FROM threads WHERE thread_id = %s",
                                        (thread_id,))).fetchone()
    assert row is not None
    return bool(row["settled"])


async def _start_version(stack: Stack, thread_id: str) -> Any:
    """The version of the thread's __start__ channel: it moves only when __start__ runs."""
    saved = await stack.graph.checkpointer.aget_tuple({"configurable": {"thread_id": thread_id}})
    assert saved is not None
    return saved.checkpoint["channel_versions"].get("__start__")


async def test_a_settled_thread_continues_at_context_restore(stack: Stack) -> None:
    """After a turn that ended, the next one starts at context_restore: no __start__ step."""
    who = actor()
    first = await stack.turn(who, "hello")
    assert await _settled(stack, first.thread_id)
    version = await _start_version(stack, first.thread_id)
    for message in ("show my tickets", "我的打印机坏了", "hello"):
        r = await stack.turn(who, message, thread_id=first.thread_id)
        assert r.status in ("OK", "NEED_MORE_INFO") and r.thread_id == first.thread_id
    assert await _start_version(stack, first.thread_id) == version
    assert await _settled(stack, first.thread_id)


async def test_a_run_that_stopped_midway_is_not_resumed_by_the_next_turn(stack: Stack) -> None:
    """ticket_tool fails after the validator passed: the run's exit checkpoint still has
    ticket_tool to run. The thread is not settled, so the next turn drops that work instead
    of resuming it: the comment that failed is not added behind the person's back."""
    who = actor()
    first = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    thread, ticket_id = first.thread_id, first.ticket["ticket_id"]
    async with failing_inserts(stack, "audit_events", thread):
        with pytest.raises(psycopg.errors.RaiseException, match="disk on fire"):
            await stack.turn(who, f"给 {ticket_id} 加个备注：这条不该出现", thread_id=thread)
    _, _, checkpoints, status, lease = await _counts(stack, thread)
    assert (checkpoints, status, lease) == (2, "idle", None)  # its exit checkpoint was written
    assert not await _settled(stack, thread)

    r = await stack.turn(who, "hello", thread_id=thread)
    assert (r.status, r.intent) == ("OK", "chitchat")
    async with stack.services.db.connection() as conn:
        ticket = await crud_tickets.get_ticket(conn, ticket_id=ticket_id)
    assert ticket is not None and ticket.comments == []
    assert await _settled(stack, thread)


async def test_a_held_stream_starts_its_run_only_when_let_go(stack: Stack) -> None:
    """A streamed run waits for its consumer's go-ahead (the first SSE event is sent first)."""
    who = actor()
    first = await stack.turn(who, "hello")
    before = await _counts(stack, first.thread_id)
    hold = asyncio.Event()
    events = stack.runner.stream(TurnRequest(message="show my tickets", thread_id=first.thread_id),
                                 who, trace_id=uuid.uuid4().hex, hold=hold)
    name, _ = await anext(events)
    assert name == "metadata"
    await asyncio.sleep(HOLD_S / 2)  # a turn takes milliseconds: it would be done by now
    held = await _counts(stack, first.thread_id)
    assert held[:3] == before[:3] and held[4] is not None  # nothing written, the lease is taken
    hold.set()
    assert [name async for name, _ in events][-1] == "result"
    assert (await _counts(stack, first.thread_id))[2] == before[2] + 1


async def test_a_stream_nobody_lets_go_runs_after_the_hold_expires(stack: Stack) -> None:
    who = actor()
    started = time.perf_counter()
    events = stack.runner.stream(TurnRequest(message="hello"), who, trace_id=uuid.uuid4().hex,
                                 hold=asyncio.Event())
    assert [name async for name, _ in events] == ["metadata", "step", "step", "step", "result"]
    assert time.perf_counter() - started >= HOLD_S
