"""global_router (the Global Planner): pick the business line for this turn.

rules → the rules planner. llm → the chat model's Plan, no fallback (a plan problem is a
REJECTED result, an endpoint problem a taxonomy error). hybrid → the model first and the rules
planner on any LLM failure or on a plan the validator's checks reject (LLM_FALLBACK audit,
degraded). With no model configured, or for an explicit-id lookup, hybrid calls no LLM at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from langgraph.runtime import Runtime
from langgraph.types import Command

from nodes.dialogue import talk_reply
from nodes.support import (
    audit_rows,
    context_of,
    event,
    lang,
    mode_of,
    outcome,
    rejection,
    services_of,
)
from nodes.validator import ticket_fields
from tools.crud import audit
from tools.crud import drafts as crud_drafts
from tools.errors import UpstreamUnavailable
from tools.llm import LlmFailure, as_error
from tools.planner.opinion import talk_of_model
from tools.planner.plan import Plan, PlanContext
from tools.planner.rules import plan_rules
from tools.registry import get_tool
from tools.settings import Mode
from turn.context import Context
from turn.services import Services
from turn.state import State, empty_usage

Next = Literal["ticket_subplanner", "validator", "finalize"]
NO_MODEL = ("mode=llm needs a chat model and none is configured: set OPENAI_MODEL "
            "(and OPENAI_BASE_URL / OPENAI_API_KEY), or use mode=rules / hybrid")
_PLAN_REASON = {"hallucinated_tool": "UNKNOWN_TOOL", "over_cap": "LLM_OVER_CAP"}


@dataclass
class Proposal:
    """A plan, the audit events that led to it, and how it was made."""

    plan: Plan
    events: list[dict[str, Any]] = field(default_factory=list)
    mode_used: str = "rules"
    degraded: bool = False
    outcome: dict[str, Any] | None = None  # llm mode: the turn ends here, REJECTED

    def extra(self) -> dict[str, Any]:
        """The plan-channel keys finalize reads."""
        return {"mode_used": self.mode_used, "degraded": self.degraded}


async def plan_context(state: State, runtime: Runtime[Context]) -> PlanContext:
    """The facts a planner sees: resolved ids with their sources, the draft so far, memory."""
    resolved = state.get("resolved") or {}
    memory = state.get("memory") or {}
    fields: dict[str, str] = {}
    if draft_id := resolved.get("draft_id"):
        svc = await services_of(runtime)
        async with svc.db.reader() as session:
            draft = await crud_drafts.get_draft(session, draft_id=draft_id)
            if draft is not None and draft.status == "ACTIVE":
                fields = crud_drafts.draft_fields(draft)
    return PlanContext(
        ticket_id=resolved.get("ticket_id"), ticket_source=resolved.get("ticket_source"),
        draft_id=resolved.get("draft_id"), draft_source=resolved.get("draft_source"),
        draft_fields=fields, last_intent=memory.get("last_intent"),
        role=context_of(runtime).role,
    )


def is_fast_path(plan: Plan, ctx: PlanContext) -> bool:
    """A lookup of an id the person wrote needs no model: the rules plan is exact."""
    tool = get_tool(plan.tool)
    return bool(tool and tool.reads_only and tool.needs_ticket and ctx.ticket_source == "explicit")


def fall_back(rules: Plan, why: str, events: list[dict[str, Any]]) -> Proposal:
    """hybrid: the rules plan instead of the model's, audited, and the turn marked degraded."""
    fallback = event("LLM_FALLBACK", None, result=why, reason=why, route=rules.route,
                     tool=rules.tool)
    return Proposal(rules, [*events, fallback], degraded=True)


def failure_events(failure: LlmFailure, op: str) -> list[dict[str, Any]]:
    """BUDGET_EXCEEDED for a spent budget; every failure is also recorded as LLM_ERROR."""
    err = event("LLM_ERROR", None, result=failure.kind, op=op, message=failure.message)
    if failure.kind == "budget":
        return [event("BUDGET_EXCEEDED", None, result="budget", op=op), err]
    return [err]


async def persist(events: list[dict[str, Any]], runtime: Runtime[Context], svc: Services,
                  usage: dict[str, Any]) -> None:
    """Write audit rows now: the turn is about to raise and finalize will not run."""
    async with svc.db.session() as session:
        await audit.add_events(session, events=audit_rows(events, runtime, svc, usage=usage))


async def on_failure(failure: LlmFailure, *, op: str, mode: Mode, rules: Plan, state: State,
                     runtime: Runtime[Context], usage: dict[str, Any]) -> Proposal:
    """hybrid → rules; llm → a taxonomy error (raised) or a REJECTED outcome."""
    events = failure_events(failure, op)
    if mode == "hybrid":
        return fall_back(rules, failure.kind, events)
    if (error := as_error(failure)) is not None:
        await persist(events, runtime, await services_of(runtime), usage)
        raise error from failure
    reason = _PLAN_REASON.get(failure.kind, "LLM_PLAN_INVALID")
    plan = Plan(route="ticket_op" if failure.tool else "chitchat", tool=failure.tool,
                source="llm", rationale=failure.message)
    rejected = event("PLAN_REJECTED", None, result=reason, route=plan.route, tool=plan.tool,
                     source="llm", op=op)
    intent = "ticket_op" if failure.tool else "chitchat"
    reply_lang = lang(cast(dict[str, Any], state))
    return Proposal(plan, [*events, rejected], "llm",
                    outcome=rejection(intent, reason, reply_lang))


def fields_problem(plan: Plan) -> str | None:
    """The validator's rejection of a create/resume plan's fields, checked first (hybrid)."""
    if plan.route in ("create_ticket", "resume_draft"):
        return ticket_fields(plan.args)[1]
    return None


async def propose(state: State, runtime: Runtime[Context], ctx: PlanContext,
                  usage: dict[str, Any]) -> Proposal:
    """The plan for this turn in the run's mode."""
    svc = await services_of(runtime)
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
        rejected = event("PLAN_REJECTED", None, result=reason, route=plan.route, source="llm")
        return fall_back(rules, reason, [rejected])
    return Proposal(talk_of_model(plan, rules, text, ctx), mode_used="llm")


async def global_router(state: State, runtime: Runtime[Context]) -> Command[Next]:
    """Propose a Plan; ticket operations go on to the ticket sub-planner."""
    started = time.perf_counter()
    ctx = await plan_context(state, runtime)
    usage = dict(state.get("usage") or empty_usage())
    got = await propose(state, runtime, ctx, usage)
    plan = got.plan
    events = [*state.get("events", []), *got.events,
              event("AGENT_ROUTE", ctx.ticket_id or ctx.draft_id, result=plan.route,
                    started=started, route=plan.route, source=plan.source, **got.extra())]
    # A model's ticket plan names no tool yet: the sub-planner picks it and proposes the plan.
    # A rules plan already has its tool: it is proposed here and goes straight to the validator.
    to_subplanner = plan.route == "ticket_op" and plan.source == "llm"
    if plan.route == "ticket_op" and not to_subplanner:
        events.append(ticket_plan_proposed(plan, started))
    elif plan.route != "ticket_op":
        events.append(event("PLAN_PROPOSED", ctx.draft_id, result=plan.route, route=plan.route,
                            args=plan.args, missing_fields=plan.missing_fields, source=plan.source))
    update = {"plan": {**plan.model_dump(), "context": ctx.model_dump(), **got.extra()},
              "events": events, "usage": usage}
    done = got.outcome
    if done is None and plan.route == "chitchat":
        # nothing to run, so nothing for the validator to gate: the reply is the outcome
        done = outcome("OK", "chitchat", talk_reply(plan.args, lang(state)))
    if done is not None:
        return Command(goto="finalize", update={**update, "outcome": done})
    return Command(goto="ticket_subplanner" if to_subplanner else "validator", update=update)


def ticket_plan_proposed(plan: Plan, started: float) -> dict[str, Any]:
    """The PLAN_PROPOSED event of a ticket tool plan."""
    return event("PLAN_PROPOSED", plan.args.get("ticket_id"), result=plan.tool, started=started,
                 tool=plan.tool, args=plan.args, source=plan.source)
