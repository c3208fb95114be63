"""validator: the hard gate between a plan and its execution. Nothing runs unless it passes."""

from __future__ import annotations

import time
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from nodes.support import (
    audit_rows,
    context_of,
    event,
    lang,
    outcome,
    rejection,
    services_of,
    thread_id,
)
from tools.crud import audit
from tools.crud import drafts as crud_drafts
from tools.crud import pending as crud_pending
from tools.crud import tickets as crud_tickets
from tools.domain import CATEGORIES, PRIORITIES
from tools.handlers.drafts import expire, is_stale
from tools.handlers.guards import guard
from tools.planner.plan import Plan
from tools.registry import TicketTool, arg_errors, get_tool
from tools.replies import confirm_prompt, field_list, say
from turn.context import Context
from turn.state import State

Next = Literal["kb_answer", "create_ticket", "resume_draft", "ticket_tool", "finalize"]
EXECUTOR: dict[str, Next] = {"kb_qa": "kb_answer", "create_ticket": "create_ticket",
                             "resume_draft": "resume_draft", "ticket_op": "ticket_tool"}


def ticket_fields(args: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Only well-formed ticket fields; a bad category/priority is an INVALID_ARGS reason."""
    fields = {k: v for k in ("title", "description", "category", "priority") if (v := args.get(k))}
    if fields.get("category") and fields["category"] not in CATEGORIES:
        return fields, "INVALID_ARGS"
    if fields.get("priority") and fields["priority"] not in PRIORITIES:
        return fields, "INVALID_ARGS"
    return fields, None


def allowed_ticket_ids(state: State) -> set[str]:
    """Ticket ids this turn may act on: what the person named or the thread already knows."""
    resolved = state.get("resolved") or {}
    memory = state.get("memory") or {}
    ids = {resolved.get("ticket_id"), memory.get("ticket_id"),
           *(resolved.get("refs") or {}).get("ticket_ids", []),
           *(memory.get("recent_ticket_ids") or [])}
    return {i for i in ids if i}


async def validator(state: State, runtime: Runtime[Context]) -> Command[Next]:
    """Check the plan; run it, ask for more, ask for confirmation, or reject it."""
    started = time.perf_counter()
    plan = Plan.model_validate({k: v for k, v in (state.get("plan") or {}).items()
                                if k in Plan.model_fields})
    verdict = await _judge(plan, state, runtime)
    kind = verdict.get("outcome", {}).get("status") if "outcome" in verdict else "PASS"
    if kind in ("REJECTED",):
        ev = event("PLAN_REJECTED", plan.args.get("ticket_id"), result=verdict["outcome"]["reason"],
                   started=started, route=plan.route, tool=plan.tool, source=plan.source)
        verdict["events"] = [*state.get("events", []), ev]
    if "outcome" in verdict:
        return Command(goto="finalize", update=verdict)
    return Command(goto=EXECUTOR[plan.route], update=verdict)


async def _judge(plan: Plan, state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    lg = lang(state)
    if plan.route == "chitchat":
        return {"outcome": outcome("OK", "chitchat", say("chitchat", lg))}
    if plan.route == "kb_qa":
        return {"verdict": {"route": "kb_qa"}}
    if plan.route == "create_ticket":
        fields, bad = ticket_fields(plan.args)
        if bad:
            return {"outcome": rejection("create_ticket", bad, lg)}
        return {"verdict": {"route": "create_ticket", "fields": fields}}
    if plan.route == "resume_draft":
        return await _judge_draft(plan, state, runtime)
    return await _judge_ticket_op(plan, state, runtime)


async def _judge_draft(plan: Plan, state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    lg = lang(state)
    draft_id = (state.get("resolved") or {}).get("draft_id")
    if not draft_id:
        return {"outcome": outcome("NEED_MORE_INFO", "resume_draft", say("need_draft", lg),
                                   missing_fields=["draft_id"])}
    fields, bad = ticket_fields(plan.args)
    if bad:
        return {"outcome": rejection("resume_draft", bad, lg)}
    svc = await services_of(runtime)
    async with svc.db.connection() as conn:
        draft = await crud_drafts.get_draft(conn, draft_id=draft_id)
    if draft is None or draft.owner_id != context_of(runtime).user_id:
        return {"outcome": rejection("resume_draft", "DRAFT_NOT_FOUND", lg, facts={"draft_id": draft_id})}
    if is_stale(draft, svc.settings.draft_ttl_s):
        async with svc.db.transaction() as conn:
            draft = await expire(conn, draft=draft)
            rows = [event("DRAFT_EXPIRED", draft.draft_id, result=draft.status)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
    if draft.status != "ACTIVE":
        return {"outcome": rejection("resume_draft", "DRAFT_NOT_ACTIVE", lg,
                                     draft=crud_drafts.draft_public(draft))}
    return {"verdict": {"route": "resume_draft", "draft_id": draft_id, "fields": fields}}


def tool_args(tool: TicketTool, plan: Plan, state: State) -> dict[str, Any]:
    """The plan's args, with the context's ticket id filled in where the tool needs one."""
    args = {k: v for k, v in plan.args.items() if v is not None}
    ticket_id = (state.get("resolved") or {}).get("ticket_id")
    if tool.needs_ticket and not args.get("ticket_id") and ticket_id:
        args["ticket_id"] = ticket_id
    if not tool.needs_ticket:
        args.pop("ticket_id", None)  # context, not an argument, for tools on no one ticket
    return args


async def _judge_ticket_op(plan: Plan, state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    lg = lang(state)
    tool = get_tool(plan.tool)
    if tool is None:
        return {"outcome": rejection("ticket_op", "UNKNOWN_TOOL", lg, tool=plan.tool)}
    args = tool_args(tool, plan, state)
    required = [f for f, info in tool.args.model_fields.items() if info.is_required()]
    missing = [f for f in required if not args.get(f)]
    if missing:
        return {"outcome": outcome("NEED_MORE_INFO", "ticket_op",
                                   say("need_ticket", lg) if missing == ["ticket_id"]
                                   else say("need_fields", lg, missing=field_list(missing, lg)),
                                   tool=tool.name, missing_fields=missing)}
    if arg_errors(tool, args):
        return {"outcome": rejection("ticket_op", "INVALID_ARGS", lg, tool=tool.name)}
    if tool.needs_ticket and args["ticket_id"] not in allowed_ticket_ids(state):
        return {"outcome": rejection("ticket_op", "TICKET_NOT_FOUND", lg, tool=tool.name,
                                     facts={"ticket_id": args["ticket_id"]})}
    return await _judge_against_ticket(tool, args, state, runtime)


async def _judge_against_ticket(tool: TicketTool, args: dict[str, Any], state: State,
                                runtime: Runtime[Context]) -> dict[str, Any]:
    lg = lang(state)
    actor = context_of(runtime).actor
    svc = await services_of(runtime)
    ticket = None
    if tool.needs_ticket:
        async with svc.db.connection() as conn:
            ticket = await crud_tickets.get_ticket(conn, ticket_id=args["ticket_id"])
    if reason := guard(tool, ticket, actor):
        in_view = ticket is not None and reason != "TICKET_NOT_FOUND"  # never the status of one not in view
        facts = {"ticket_id": args.get("ticket_id"), "status": ticket.status if ticket and in_view else None}
        return {"outcome": rejection("ticket_op", reason, lg, tool=tool.name, facts=facts)}
    if not tool.needs_confirmation:
        # a read is answered from the row just checked: no second query for it
        seen = crud_tickets.ticket_public(ticket) if ticket and tool.reads_only else None
        return {"verdict": {"route": "ticket_op", "tool": tool.name, "args": args, "ticket": seen}}
    async with svc.db.transaction() as conn:
        action = await crud_pending.create_pending(
            conn, thread_id=thread_id(), actor=actor, tool=tool.name, args=args,
            target=args.get("ticket_id"), ttl_s=svc.settings.pending_ttl_s,
            trace_id=context_of(runtime).trace_id)
        rows = [event("ACTION_PENDING", action.target, result="PENDING",
                      pending_action_id=action.id, tool=tool.name, args=args)]
        await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
    public = crud_pending.pending_public(action)
    reply = confirm_prompt(tool.name, action.target, max(1, svc.settings.pending_ttl_s // 60), lg)
    return {"outcome": outcome("NEED_CONFIRMATION", "ticket_op", reply, tool=tool.name,
                               pending_action=public,
                               ticket=crud_tickets.ticket_public(ticket) if ticket else None)}
