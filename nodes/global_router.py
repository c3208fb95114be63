"""global_router (the Global Planner): pick the business line for this turn."""

from __future__ import annotations

import time
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from graph.context import Context
from graph.state import State
from nodes.support import context_of, event, services_of
from tools.crud import drafts as crud_drafts
from tools.planner.plan import Plan, PlanContext
from tools.planner.rules import plan_rules

Next = Literal["ticket_subplanner", "validator"]


async def plan_context(state: State, runtime: Runtime[Context]) -> PlanContext:
    """The facts a planner sees: resolved ids with their sources, the draft so far, memory."""
    resolved = state.get("resolved") or {}
    memory = state.get("memory") or {}
    fields: dict[str, str] = {}
    if draft_id := resolved.get("draft_id"):
        svc = await services_of(runtime)
        async with svc.db.session() as session:
            draft = await crud_drafts.get_draft(session, draft_id=draft_id)
            if draft is not None and draft.status == "ACTIVE":
                fields = crud_drafts.draft_fields(draft)
    return PlanContext(
        ticket_id=resolved.get("ticket_id"), ticket_source=resolved.get("ticket_source"),
        draft_id=resolved.get("draft_id"), draft_source=resolved.get("draft_source"),
        draft_fields=fields, last_intent=memory.get("last_intent"),
        role=context_of(runtime).role,
    )


async def propose(state: State, runtime: Runtime[Context], ctx: PlanContext) -> tuple[Plan, list[dict[str, Any]], dict[str, Any]]:
    """(plan, extra audit events, extra state) for this turn in the run's mode."""
    return plan_rules(state.get("message") or "", ctx), [], {"mode_used": "rules"}


async def global_router(state: State, runtime: Runtime[Context]) -> Command[Next]:
    """Propose a Plan; ticket operations go on to the ticket sub-planner."""
    started = time.perf_counter()
    ctx = await plan_context(state, runtime)
    plan, events, extra = await propose(state, runtime, ctx)
    events = [*state.get("events", []), *events,
              event("AGENT_ROUTE", ctx.ticket_id or ctx.draft_id, result=plan.route,
                    started=started, route=plan.route, source=plan.source, **extra)]
    update = {"plan": {**plan.model_dump(), "context": ctx.model_dump(), **extra},
              "events": events}
    return Command(goto="ticket_subplanner" if plan.route == "ticket_op" else "validator",
                   update=update)
