"""ticket_subplanner: for ticket operations, pick the concrete ticket tool and its arguments."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context
from graph.state import State
from nodes.support import event
from tools.planner.plan import Plan, PlanContext


async def choose_tool(state: State, runtime: Runtime[Context], plan: Plan, ctx: PlanContext) -> tuple[Plan, list[dict[str, Any]]]:
    """The ticket tool plan in the run's mode (rules: the rules planner already chose it)."""
    return plan, []


async def ticket_subplanner(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Refine a ticket_op plan into one registered ticket tool call."""
    started = time.perf_counter()
    raw = dict(state.get("plan") or {})
    ctx = PlanContext.model_validate(raw.pop("context", {}))
    extra = {k: raw.pop(k) for k in ("mode_used", "degraded") if k in raw}
    plan, events = await choose_tool(state, runtime, Plan.model_validate(raw), ctx)
    proposed = event("PLAN_PROPOSED", plan.args.get("ticket_id"), result=plan.tool,
                     started=started, tool=plan.tool, args=plan.args, source=plan.source)
    return {"plan": {**plan.model_dump(), "context": ctx.model_dump(), **extra},
            "events": [*state.get("events", []), *events, proposed]}
