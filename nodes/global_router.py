"""global_router (the Global Planner): pick the business line for this turn.

rules → the rules planner. llm → the chat model's Plan, no fallback (a plan problem is a
REJECTED result, an endpoint problem a taxonomy error). hybrid → the model first and the rules
planner on any LLM failure or on a plan the validator's checks reject (LLM_FALLBACK audit,
degraded). With no model configured, or for an explicit-id lookup, hybrid calls no LLM at all.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from tools.crud import drafts as crud_drafts
from tools.domain import AuditEventType, DraftStatus
from tools.errors import UpstreamUnavailable
from tools.llm import LlmFailure
from tools.planner import plan as planner
from tools.planner.opinion import talk_of_model
from tools.planner.plan import PlanContext
from tools.planner.rules import plan_rules
from tools.registry import get_tool
from turn.context import Context
from turn.dialogue import talk_reply
from turn.planning import Proposal, fall_back, fields_problem, on_failure, ticket_plan_proposed
from turn.state import State, empty_usage, resolved_of
from turn.support import context_of, event, lang, mode_of, outcome, services_of

NO_MODEL = ("mode=llm needs a chat model and none is configured: set OPENAI_MODEL "
            "(and OPENAI_BASE_URL / OPENAI_API_KEY), or use mode=rules / hybrid")


async def plan_context(state: State, runtime: Runtime[Context]) -> PlanContext:
    """The facts a planner sees: resolved ids with their sources, the draft so far, memory."""
    resolved = resolved_of(state)
    memory = state.get("memory") or {}
    fields: dict[str, str] = {}
    if draft_id := resolved.draft_id:
        svc = services_of(runtime)
        async with svc.db.connection() as conn:
            draft = await crud_drafts.get_draft(conn, draft_id=draft_id)
            if draft is not None and draft.status == DraftStatus.ACTIVE:
                fields = crud_drafts.draft_fields(draft)
    return PlanContext(
        ticket_id=resolved.ticket_id, ticket_source=resolved.ticket_source,
        draft_id=resolved.draft_id, draft_source=resolved.draft_source,
        draft_fields=fields, last_intent=memory.get("last_intent"),
        role=context_of(runtime).role,
    )


def is_fast_path(plan: planner.Plan, ctx: PlanContext) -> bool:
    """A lookup of an id the person wrote needs no model: the rules plan is exact."""
    tool = get_tool(plan.tool)
    return bool(tool and tool.reads_only and tool.needs_ticket and ctx.ticket_source == "explicit")


async def propose(state: State, runtime: Runtime[Context], ctx: PlanContext,
                  usage: dict[str, Any]) -> Proposal:
    """The plan for this turn in the run's mode."""
    svc = services_of(runtime)
    mode = mode_of(runtime, svc)
    text = state.get("message") or ""
    rules = plan_rules(text, ctx)
    if mode == "rules" or (mode == "hybrid" and (svc.llm is None or is_fast_path(rules, ctx))):
        return Proposal(rules)
    if svc.llm is None:
        raise UpstreamUnavailable(NO_MODEL)
    try:
        plan = await svc.llm.plan_global(
            text=text, context=ctx, memory=dict(state.get("memory") or {}),
            transcript=list(state.get("transcript") or []), actor=context_of(runtime).actor,
            usage=usage)
    except LlmFailure as failure:
        return await on_failure(failure, op="plan_global", mode=mode, rules=rules, state=state,
                                runtime=runtime, usage=usage)
    if mode == "hybrid" and (reason := fields_problem(plan)):
        rejected = event(AuditEventType.PLAN_REJECTED, None, result=reason, route=plan.route, source="llm")
        return fall_back(rules, reason, [rejected])
    return Proposal(talk_of_model(plan, rules, text, ctx), mode_used="llm")


async def global_router(state: State, runtime: Runtime[Context]) -> State:
    """Propose a Plan; ticket operations go on to the ticket sub-planner.

    Sets `outcome` when the turn ends here (chitchat, a REJECTED model plan in llm mode); the
    graph then routes by the plan (graph.graph.after_router).
    """
    started = time.perf_counter()
    ctx = await plan_context(state, runtime)
    usage = dict(state.get("usage") or empty_usage())
    got = await propose(state, runtime, ctx, usage)
    call = got.call
    events = [*state.get("events", []), *got.events,
              event(AuditEventType.AGENT_ROUTE, ctx.ticket_id or ctx.draft_id, result=call.route,
                    started=started, route=call.route, source=call.source,
                    mode_used=got.mode_used, degraded=got.degraded)]
    # A model's ticket plan names no tool yet: the sub-planner picks it and proposes the plan.
    # A rules plan already has its tool: it is proposed here and goes straight to the validator.
    if call.route == "ticket_op" and call.source != "llm":
        events.append(ticket_plan_proposed(call, started))
    elif call.route != "ticket_op":
        events.append(event(AuditEventType.PLAN_PROPOSED, ctx.draft_id, result=call.route, route=call.route,
                            args=call.args, missing_fields=call.missing_fields, source=call.source))
    update: State = {"plan": got.plan(ctx), "events": events, "usage": usage}
    done = got.outcome
    if done is None and call.route == "chitchat":
        # nothing to run, so nothing for the validator to gate: the reply is the outcome
        done = outcome("OK", "chitchat", talk_reply(call.args, lang(state)))
    if done is not None:
        update["outcome"] = done
    return update
