"""Every business line end to end through the compiled graph and the Postgres checkpointer."""

from __future__ import annotations

import asyncio
import uuid

from graph.runner import TurnRequest
from tests import sql
from tests.factories import Stack, actor
from tools.crud import tickets as crud_tickets
from tools.crud.tickets import TicketRow


async def _audit_types(stack: Stack, trace_or_thread: str) -> list[str]:
    rows = await sql.rows(stack.services.db, "SELECT event_type FROM audit_events WHERE thread_id = "
                          "%(t)s ORDER BY created_at, id", {"t": trace_or_thread})
    return [r.event_type for r in rows]


async def _ticket(stack: Stack, ticket_id: str) -> TicketRow:
    async with stack.services.db.connection() as s:
        ticket = await crud_tickets.get_ticket(s, ticket_id=ticket_id, comments=None)
        assert ticket is not None
        return ticket


async def _new_ticket(stack: Stack, who, message: str = "我的VPN连不上了，帮我提个工单") -> tuple[str, str]:
    r = await stack.turn(who, message)
    assert r.status == "OK", r
    return r.thread_id, r.ticket["ticket_id"]


async def test_complete_request_creates_ticket_zh(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "我的VPN连不上了，帮我提个工单")
    assert (r.status, r.intent, r.tool) == ("OK", "create_ticket", "create_ticket")
    assert r.ticket["category"] == "network" and r.ticket["status"] == "OPEN"
    assert r.ticket["requester_id"] == who.user_id
    assert r.memory.ticket_id == r.ticket["ticket_id"]
    types = await _audit_types(stack, r.thread_id)
    assert ["AGENT_ROUTE", "PLAN_PROPOSED", "TICKET_CREATED", "TURN_COMPLETED"] == [
        t for t in types if t in {"AGENT_ROUTE", "PLAN_PROPOSED", "TICKET_CREATED", "TURN_COMPLETED"}]
    assert r.version_set.startswith("code=")
    rows = await sql.rows(stack.services.db, "SELECT * FROM audit_events WHERE thread_id = %(t)s",
                          {"t": r.thread_id})
    assert all(e.trace_id == r.trace_id and e.actor_id == who.user_id and e.version_set == r.version_set
               for e in rows)
    assert next(e for e in rows if e.event_type == "TICKET_CREATED").target == r.ticket["ticket_id"]


async def test_draft_filled_over_turns_then_consumed_en(stack: Stack) -> None:
    who = actor()
    r1 = await stack.turn(who, "I need to open a ticket")
    assert r1.status == "NEED_MORE_INFO" and r1.draft["status"] == "ACTIVE"
    assert "category" in r1.missing_fields
    draft_id = r1.draft["draft_id"]
    r2 = await stack.turn(who, "The office printer on floor 3 keeps jamming and prints nothing",
                          thread_id=r1.thread_id)
    assert r2.status == "OK", r2.reply
    assert r2.intent == "resume_draft" and r2.ticket["category"] == "hardware"
    assert r2.draft["status"] == "CONSUMED" and r2.memory.draft_id is None
    r3 = await stack.turn(who, f"continue {draft_id}", thread_id=r1.thread_id)
    assert r3.status == "REJECTED" and r3.reason == "DRAFT_NOT_ACTIVE"
    types = await _audit_types(stack, r1.thread_id)
    assert {"DRAFT_CREATED", "DRAFT_CONSUMED", "TICKET_CREATED"} <= set(types)


async def test_lookup_explicit_id_and_back_reference(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"帮我查一下 {ticket_id.lower()} 的状态")
    assert (r.status, r.tool) == ("OK", "get_ticket") and r.ticket["ticket_id"] == ticket_id
    r = await stack.turn(who, "上一单现在什么状态？", thread_id=thread)
    assert r.tool == "get_ticket" and r.ticket["ticket_id"] == ticket_id


async def test_unresolvable_reference_asks(stack: Stack) -> None:
    r = await stack.turn(actor(), "把上一单关掉")
    assert r.status == "NEED_MORE_INFO" and r.missing_fields == ["ticket_id"]


async def test_comment_and_list(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"给 {ticket_id} 加个备注：我在家办公，用的是家里的网络", thread_id=thread)
    assert (r.status, r.tool) == ("OK", "add_comment")
    assert len((await stack.turn(who, f"查看 {ticket_id}")).ticket["comments"]) == 1
    r = await stack.turn(who, "show my tickets", thread_id=thread)
    assert r.tool == "list_my_tickets" and [t["ticket_id"] for t in r.tickets] == [ticket_id]


async def test_dangerous_action_waits_then_confirm_executes_once(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, "帮我把这个工单取消掉", thread_id=thread)
    assert r.status == "NEED_CONFIRMATION" and r.pending_action["tool"] == "cancel_ticket"
    assert (await _ticket(stack, ticket_id)).status == "OPEN"
    view = await stack.views.get_thread(thread, who)
    assert view["status"] == "interrupted" and view["pending_action"]["id"] == r.pending_action["id"]
    token = r.pending_action["confirm_token"]
    done = await stack.turn(who, "确认", thread_id=thread)
    assert (done.status, done.intent) == ("OK", "confirm") and done.ticket["status"] == "CANCELLED"
    replay = await stack.turn(who, confirm_token=token, thread_id=thread)
    assert replay.status == "OK" and replay.ticket["status"] == "CANCELLED"
    assert (await _audit_types(stack, thread)).count("ACTION_CONFIRMED") == 1
    assert (await stack.views.get_thread(thread, who))["status"] == "idle"


async def test_cancel_word_cancels_pending_not_ticket(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, "cancel that ticket", thread_id=thread)
    assert r.status == "NEED_CONFIRMATION", (r.reason, r.reply)
    r = await stack.turn(who, "算了，不取消了", thread_id=thread)
    assert (r.status, r.intent) == ("CANCELLED", "cancel")
    assert (await _ticket(stack, ticket_id)).status == "OPEN"
    assert "ACTION_CANCELLED" in await _audit_types(stack, thread)


async def test_other_message_supersedes_pending(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, "escalate it please", thread_id=thread)
    token = r.pending_action["confirm_token"]
    r = await stack.turn(who, "show my tickets", thread_id=thread)
    assert r.tool == "list_my_tickets" and r.memory.pending_action_id is None
    r = await stack.turn(who, confirm_token=token, thread_id=thread)
    assert r.status == "REJECTED" and r.reason == "NOTHING_TO_CONFIRM"
    assert (await _ticket(stack, ticket_id)).escalation_level == 0


async def test_expired_and_wrong_token_execute_nothing(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"升级一下 {ticket_id}", thread_id=thread)
    r_bad = await stack.turn(who, confirm_token="not-the-token", thread_id=thread)
    assert r_bad.status == "REJECTED" and r_bad.reason == "INVALID_CONFIRM_TOKEN"
    await sql.execute(stack.services.db, "UPDATE pending_actions SET expires_at = now() - "
                      "interval '1 second' WHERE id = %(id)s", {"id": r.pending_action["id"]})
    r_exp = await stack.turn(who, "确认", thread_id=thread)
    assert r_exp.status == "REJECTED" and r_exp.reason == "CONFIRMATION_EXPIRED"
    assert (await _ticket(stack, ticket_id)).escalation_level == 0
    r_none = await stack.turn(who, "yes", thread_id=thread)
    assert r_none.status == "REJECTED" and r_none.reason == "NOTHING_TO_CONFIRM"


async def test_resume_decision_by_thread(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"close {ticket_id}", thread_id=thread)
    assert r.status == "REJECTED" and r.reason == "INVALID_TRANSITION"  # OPEN can't be closed
    r = await stack.turn(who, f"escalate {ticket_id}", thread_id=thread)
    token = r.pending_action["confirm_token"]
    r = await stack.turn(who, decision="confirm", confirm_token=token, thread_id=thread)
    assert r.status == "OK" and r.ticket["escalation_level"] == 1


async def test_other_users_ticket_is_not_found(stack: Stack) -> None:
    owner, other = actor(), actor()
    _, ticket_id = await _new_ticket(stack, owner)
    r = await stack.turn(other, f"查看 {ticket_id}")
    assert r.status == "REJECTED" and r.reason == "TICKET_NOT_FOUND" and r.ticket is None
    r = await stack.turn(other, f"cancel {ticket_id}")
    assert r.status == "REJECTED" and r.pending_action is None


async def test_agent_resolves_department_ticket_requester_cannot(stack: Stack) -> None:
    owner = actor(department="Finance")
    agent = actor(role="agent", department="Finance")
    thread, ticket_id = await _new_ticket(stack, owner)
    r = await stack.turn(owner, f"mark {ticket_id} resolved", thread_id=thread)
    assert r.status == "REJECTED" and r.reason == "FORBIDDEN"
    r = await stack.turn(agent, f"mark {ticket_id} resolved")
    assert r.status == "OK" and r.ticket["status"] == "RESOLVED"


async def test_twenty_concurrent_confirms_execute_once(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"escalate {ticket_id}", thread_id=thread)
    token = r.pending_action["confirm_token"]

    async def confirm() -> str:
        try:
            res = await stack.turn(who, confirm_token=token, thread_id=thread)
            return res.status
        except Exception as exc:  # THREAD_BUSY for runs that lost the lease race
            return type(exc).__name__

    outcomes = await asyncio.gather(*(confirm() for _ in range(20)))
    assert outcomes.count("OK") >= 1
    assert set(outcomes) <= {"OK", "ThreadBusy"}
    assert (await _ticket(stack, ticket_id)).escalation_level == 1
    assert (await _audit_types(stack, thread)).count("ACTION_CONFIRMED") == 1


async def test_concurrent_consumes_bypassing_the_lease_execute_once(stack: Stack) -> None:
    """Even runs that skip the thread lease cannot execute one pending action twice."""
    from turn.context import Context

    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"escalate {ticket_id}", thread_id=thread)
    token = r.pending_action["confirm_token"]
    ctx = Context(user_id=who.user_id, department=who.department, role=who.role,
                  trace_id=uuid.uuid4().hex, services=stack.services)
    config = {"configurable": {"thread_id": thread}}
    from langgraph.types import Command

    runs = [stack.graph.ainvoke(Command(resume={"confirm_token": token}), config, context=ctx,
                                durability="exit") for _ in range(20)]
    results = await asyncio.gather(*runs)
    assert all(res["result"]["status"] == "OK" for res in results)
    assert (await _ticket(stack, ticket_id)).escalation_level == 1
    assert (await _audit_types(stack, thread)).count("ACTION_CONFIRMED") == 1


async def test_kb_question_and_chitchat(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "How do I set up the VPN on my laptop?")
    assert r.intent == "kb_qa" and r.status == "OK" and r.reply
    r = await stack.turn(who, "你好")
    assert r.intent == "chitchat" and r.status == "OK"


async def test_chitchat_has_nothing_to_validate(stack: Stack) -> None:
    """The router answers small talk itself; only plans that run something meet the validator."""
    who = actor()
    nodes: dict[str, float] = {}
    r = await stack.runner.run(TurnRequest(message="hello"), who, trace_id=uuid.uuid4().hex,
                               timings=nodes)
    assert (r.intent, r.status) == ("chitchat", "OK") and r.reply
    assert list(nodes) == ["context_restore", "global_router", "finalize"]
    nodes.clear()
    r = await stack.runner.run(TurnRequest(message="show my tickets", thread_id=r.thread_id), who,
                               trace_id=uuid.uuid4().hex, timings=nodes)
    assert list(nodes) == ["context_restore", "global_router", "validator", "ticket_tool", "finalize"]


async def test_restated_confirmation_must_match_the_pending_tool(stack: Stack) -> None:
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    r = await stack.turn(who, f"取消 {ticket_id}", thread_id=thread)
    assert r.pending_action["tool"] == "cancel_ticket"
    r = await stack.turn(who, "yes, cancel it", thread_id=thread)
    assert (r.status, r.intent) == ("OK", "confirm") and r.ticket["status"] == "CANCELLED"


async def test_stale_draft_expires_instead_of_resuming(stack: Stack) -> None:
    who = actor()
    r = await stack.turn(who, "帮我提个工单")
    draft_id = r.draft["draft_id"]
    await sql.execute(stack.services.db, "UPDATE ticket_drafts SET updated_at = now() - "
                      "interval '8 days' WHERE draft_id = %(id)s", {"id": draft_id})
    r = await stack.turn(who, "打印机卡纸了，一直打印不出来", thread_id=r.thread_id)
    assert r.status == "REJECTED" and r.reason == "DRAFT_NOT_ACTIVE"
    assert r.draft["status"] == "EXPIRED" and r.memory.draft_id is None
    assert "DRAFT_EXPIRED" in await _audit_types(stack, r.thread_id)


async def test_every_ticket_tool_run_is_audited_with_its_turn(stack: Stack) -> None:
    """Reads record PLAN_EXECUTED with the turn's record; writes with the write itself."""
    who = actor()
    thread, ticket_id = await _new_ticket(stack, who)
    for message, tool, extra in [("show my tickets", "list_my_tickets", None),
                                 (f"查看 {ticket_id}", "get_ticket", None),
                                 (f"给 {ticket_id} 加个备注：已重启", "add_comment", "TICKET_UPDATED")]:
        r = await stack.turn(who, message, thread_id=thread)
        assert (r.status, r.tool) == ("OK", tool)
        rows = await sql.rows(stack.services.db, "SELECT * FROM audit_events WHERE trace_id = "
                              "%(t)s ORDER BY id", {"t": r.trace_id})
        executed = [e for e in rows if e.event_type == "PLAN_EXECUTED"]
        assert len(executed) == 1 and executed[0].payload["tool"] == tool, [e.event_type for e in rows]
        assert executed[0].result == "OK" and executed[0].actor_id == who.user_id
        if extra:
            assert extra in [e.event_type for e in rows]
        assert rows[-1].event_type == "TURN_COMPLETED"
