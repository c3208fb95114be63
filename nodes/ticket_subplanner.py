"""ticket_subplanner: for ticket operations, pick the concrete ticket tool and its arguments.

A rules plan already names its tool. A plan the model routed here (llm / hybrid) gets its tool
from a tool-calling request that sees only the registry's ticket tools. In hybrid, a model's
tool call that the validator would reject, or any LLM failure, falls back to the rules plan.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from tools.crud import tickets as crud_tickets
from tools.domain import AuditEventType
from tools.handlers.guards import guard
from tools.llm import LlmFailure, as_error
from tools.planner.plan import Plan, PlanContext
from tools.planner.rules import plan_rules
from tools.registry import arg_errors, get_tool
from turn.checks import allowed_ticket_ids, tool_args
from turn.context import Context
from turn.planning import Proposal, failure_events, fall_back, on_failure, ticket_plan_proposed
from turn.state import State, empty_usage, plan_of
from turn.support import context_of, event, mode_of, services_of


async def tool_problem(plan: Plan, state: State, runtime: Runtime[Context]) -> str | None:
    """The reason the validator would reject this tool call (its checks, none of its effects)."""
    tool = get_tool(plan.tool)
    if tool is None:
        return "UNKNOWN_TOOL"
    args = tool_args(tool, plan, state)
    required = [f for f, info in tool.args.model_fields.items() if info.is_required()]
    if any(not args.get(f) for f in required):
        return None  # the validator asks for them (NEED_MORE_INFO): not a rejection
    if arg_errors(tool, args):
        return "INVALID_ARGS"
    if not tool.needs_ticket:
        return guard(tool, None, context_of(runtime).actor)
    if args["ticket_id"] not in allowed_ticket_ids(state):
        return "TICKET_NOT_FOUND"
    svc = services_of(runtime)
    async with svc.db.connection() as conn:
        ticket = await crud_tickets.get_ticket(conn, ticket_id=args["ticket_id"])
        return guard(tool, ticket, context_of(runtime).actor)


async def choose_tool(state: State, runtime: Runtime[Context], plan: Plan, ctx: PlanContext,
                      usage: dict[str, Any]) -> Proposal | None:
    """The ticket tool plan in the run's mode; None keeps the router's (rules) plan."""
    svc = services_of(runtime)
    if plan.source != "llm" or svc.llm is None:  # a model's plan came from a configured model
        return None
    mode = mode_of(runtime, svc)
    text = state.get("message") or ""
    try:
        chosen = await svc.llm.plan_ticket_tool(text=text, context=ctx,
                                                actor=context_of(runtime).actor, usage=usage)
    except LlmFailure as failure:
        if mode == "llm" and as_error(failure) is None:
            # no registered tool came back: the validator rejects it like any such plan
            bad = Plan(route="ticket_op", tool=failure.tool, source="llm",
                       rationale=failure.message)
            return Proposal(bad, failure_events(failure, "plan_ticket_tool"), "llm")
        return await on_failure(failure, op="plan_ticket_tool", mode=mode,
                                rules=plan_rules(text, ctx), state=state, runtime=runtime,
                                usage=usage)
    if mode == "hybrid" and (reason := await tool_problem(chosen, state, runtime)):
        rejected = event(AuditEventType.PLAN_REJECTED, chosen.args.get("ticket_id"), result=reason,
                         route=chosen.route, tool=chosen.tool, source="llm")
        return fall_back(plan_rules(text, ctx), reason, [rejected])
    return Proposal(chosen, mode_used="llm")


async def ticket_subplanner(state: State, runtime: Runtime[Context]) -> State:
    """Refine a ticket_op plan into one registered ticket tool call."""
    started = time.perf_counter()
    routed = plan_of(state)
    usage = dict(state.get("usage") or empty_usage())
    got = await choose_tool(state, runtime, routed.call, routed.context, usage)
    plan, events = (got.plan(routed.context), got.events) if got else (routed, [])
    return {"plan": plan,
            "events": [*state.get("events", []), *events, ticket_plan_proposed(plan.call, started)],
            "usage": usage}
