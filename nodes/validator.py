"""validator: the hard gate between a plan and its execution. Nothing runs unless it passes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from tools.crud import audit
from tools.crud import drafts as crud_drafts
from tools.crud import pending as crud_pending
from tools.crud import tickets as crud_tickets
from tools.domain import AuditEventType, DraftStatus
from tools.handlers.drafts import expire, is_stale
from tools.handlers.guards import guard
from tools.planner.plan import Plan
from tools.registry import TicketTool, arg_errors, get_tool
from tools.replies import confirm_prompt, field_list, say
from turn.checks import allowed_ticket_ids, ticket_fields, tool_args
from turn.context import Context
from turn.contract import Confirm, Execute, NeedMoreInfo, Reject, Reply, Verdict
from turn.state import State, plan_of, resolved_of
from turn.support import (
    audit_rows,
    context_of,
    event,
    lang,
    outcome,
    rejection,
    services_of,
    thread_of,
)


async def validator(state: State, runtime: Runtime[Context]) -> State:
    """Check the plan; run it, ask for more, ask for confirmation, or reject it.

    The Verdict says which (graph.graph.after_validator routes by it); a verdict that runs
    nothing also sets its outcome, for finalize.
    """
    started = time.perf_counter()
    plan = plan_of(state).call
    verdict = await _judge(plan, state, runtime)
    if isinstance(verdict, Execute):
        return {"verdict": verdict}
    update: State = {"verdict": verdict, "outcome": verdict.outcome}
    if isinstance(verdict, Reject):
        ev = event(AuditEventType.PLAN_REJECTED, plan.args.get("ticket_id"), result=verdict.outcome.reason,
                   started=started, route=plan.route, tool=plan.tool, source=plan.source)
        update["events"] = [*state.get("events", []), ev]
    return update


async def _judge(plan: Plan, state: State, runtime: Runtime[Context]) -> Verdict:
    lg = lang(state)
    if plan.route == "chitchat":
        return Reply(outcome=outcome("OK", "chitchat", say("chitchat", lg)))
    if plan.route == "kb_qa":
        return Execute(executor="kb_answer")
    if plan.route == "create_ticket":
        fields, bad = ticket_fields(plan.args)
        if bad:
            return Reject(outcome=rejection("create_ticket", bad, lg))
        return Execute(executor="create_ticket", fields=fields)
    if plan.route == "resume_draft":
        return await _judge_draft(plan, state, runtime)
    return await _judge_ticket_op(plan, state, runtime)


async def _judge_draft(plan: Plan, state: State, runtime: Runtime[Context]) -> Verdict:
    lg = lang(state)
    draft_id = resolved_of(state).draft_id
    if not draft_id:
        return NeedMoreInfo(outcome=outcome("NEED_MORE_INFO", "resume_draft", say("need_draft", lg),
                                            missing_fields=["draft_id"]))
    fields, bad = ticket_fields(plan.args)
    if bad:
        return Reject(outcome=rejection("resume_draft", bad, lg))
    svc = services_of(runtime)
    async with svc.db.connection() as conn:
        draft = await crud_drafts.get_draft(conn, draft_id=draft_id)
    if draft is None or draft.owner_id != context_of(runtime).user_id:
        return Reject(outcome=rejection("resume_draft", "DRAFT_NOT_FOUND", lg,
                                        facts={"draft_id": draft_id}))
    if is_stale(draft, svc.settings.draft_ttl_s):
        async with svc.db.transaction() as conn:
            draft = await expire(conn, draft=draft)
            rows = [event(AuditEventType.DRAFT_EXPIRED, draft.draft_id, result=draft.status)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
    if draft.status != DraftStatus.ACTIVE:
        return Reject(outcome=rejection("resume_draft", "DRAFT_NOT_ACTIVE", lg,
                                        draft=crud_drafts.draft_public(draft)))
    return Execute(executor="resume_draft", draft_id=draft_id, fields=fields)


async def _judge_ticket_op(plan: Plan, state: State, runtime: Runtime[Context]) -> Verdict:
    lg = lang(state)
    tool = get_tool(plan.tool)
    if tool is None:
        return Reject(outcome=rejection("ticket_op", "UNKNOWN_TOOL", lg, tool=plan.tool))
    args = tool_args(tool, plan, state)
    required = [f for f, info in tool.args.model_fields.items() if info.is_required()]
    missing = [f for f in required if not args.get(f)]
    if missing:
        return NeedMoreInfo(outcome=outcome(
            "NEED_MORE_INFO", "ticket_op", say("need_ticket", lg) if missing == ["ticket_id"]
            else say("need_fields", lg, missing=field_list(missing, lg)),
            tool=tool.name, missing_fields=missing))
    if arg_errors(tool, args):
        return Reject(outcome=rejection("ticket_op", "INVALID_ARGS", lg, tool=tool.name))
    if tool.needs_ticket and args["ticket_id"] not in allowed_ticket_ids(state):
        return Reject(outcome=rejection("ticket_op", "TICKET_NOT_FOUND", lg, tool=tool.name,
                                        facts={"ticket_id": args["ticket_id"]}))
    return await _judge_against_ticket(tool, args, state, runtime)


async def _judge_against_ticket(tool: TicketTool, args: Mapping[str, Any], state: State,
                                runtime: Runtime[Context]) -> Verdict:
    lg = lang(state)
    actor = context_of(runtime).actor
    svc = services_of(runtime)
    ticket = None
    if tool.needs_ticket:
        async with svc.db.connection() as conn:
            ticket = await crud_tickets.get_ticket(conn, ticket_id=args["ticket_id"])
    if reason := guard(tool, ticket, actor):
        in_view = ticket is not None and reason != "TICKET_NOT_FOUND"  # never the status of one not in view
        facts = {"ticket_id": args.get("ticket_id"), "status": ticket.status if ticket and in_view else None}
        return Reject(outcome=rejection("ticket_op", reason, lg, tool=tool.name, facts=facts))
    if not tool.needs_confirmation:
        # a read is answered from the row just checked: no second query for it
        seen = ticket.public() if ticket and tool.reads_only else None
        return Execute(executor="ticket_tool", tool=tool.name, args=args, ticket=seen)
    async with svc.db.transaction() as conn:
        action = await crud_pending.create_pending(
            conn, thread_id=thread_of(runtime), actor=actor, tool=tool.name, args=dict(args),
            target=args.get("ticket_id"), ttl_s=svc.settings.pending_ttl_s,
            trace_id=context_of(runtime).trace_id)
        rows = [event(AuditEventType.ACTION_PENDING, action.target, result="PENDING",
                      pending_action_id=action.id, tool=tool.name, args=args)]
        await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
    public = crud_pending.pending_public(action)
    reply = confirm_prompt(tool.name, action.target, max(1, svc.settings.pending_ttl_s // 60), lg)
    return Confirm(outcome=outcome("NEED_CONFIRMATION", "ticket_op", reply, tool=tool.name,
                                   pending_action=public,
                                   ticket=ticket.public() if ticket else None))
