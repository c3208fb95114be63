"""What the two planner nodes share (global_router, ticket_subplanner): a proposal and how it
was made, LLM failures as audit events, the hybrid fallback to the rules planner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langgraph.runtime import Runtime

from tools.crud import audit
from tools.domain import AuditEventType
from tools.llm import LlmFailure, as_error
from tools.planner import plan as planner
from tools.settings import Mode
from turn.checks import ticket_fields
from turn.context import Context
from turn.contract import AuditEvent, Intent, ModeUsed, Outcome, Plan
from turn.services import Services
from turn.state import State
from turn.support import audit_rows, event, lang, rejection, services_of

_PLAN_REASON = {"hallucinated_tool": "UNKNOWN_TOOL", "over_cap": "LLM_OVER_CAP"}


@dataclass
class Proposal:
    """A plan, the audit events that led to it, and how it was made."""

    call: planner.Plan
    events: list[AuditEvent] = field(default_factory=list)
    mode_used: ModeUsed = "rules"
    degraded: bool = False
    outcome: Outcome | None = None  # llm mode: the turn ends here, REJECTED

    def plan(self, context: planner.PlanContext) -> Plan:
        """The plan channel's value for this proposal."""
        return Plan(call=self.call, context=context, mode_used=self.mode_used,
                    degraded=self.degraded)


def fall_back(rules: planner.Plan, why: str, events: list[AuditEvent]) -> Proposal:
    """hybrid: the rules plan instead of the model's, audited, and the turn marked degraded."""
    fallback = event(AuditEventType.LLM_FALLBACK, None, result=why, reason=why, route=rules.route,
                     tool=rules.tool)
    return Proposal(rules, [*events, fallback], degraded=True)


def failure_events(failure: LlmFailure, op: str) -> list[AuditEvent]:
    """BUDGET_EXCEEDED for a spent budget; every failure is also recorded as LLM_ERROR."""
    err = event(AuditEventType.LLM_ERROR, None, result=failure.kind, op=op, message=failure.message)
    if failure.kind == "budget":
        return [event(AuditEventType.BUDGET_EXCEEDED, None, result="budget", op=op), err]
    return [err]


async def persist(events: list[AuditEvent], runtime: Runtime[Context], svc: Services,
                  usage: dict[str, Any]) -> None:
    """Write audit rows now: the turn is about to raise and finalize will not run."""
    async with svc.db.transaction() as conn:
        await audit.add_events(conn, events=audit_rows(events, runtime, svc, usage=usage))


async def on_failure(failure: LlmFailure, *, op: str, mode: Mode, rules: planner.Plan,
                     state: State, runtime: Runtime[Context], usage: dict[str, Any]) -> Proposal:
    """hybrid → rules; llm → a taxonomy error (raised) or a REJECTED outcome."""
    events = failure_events(failure, op)
    if mode == "hybrid":
        return fall_back(rules, failure.kind, events)
    if (error := as_error(failure)) is not None:
        await persist(events, runtime, services_of(runtime), usage)
        raise error from failure
    reason = _PLAN_REASON.get(failure.kind, "LLM_PLAN_INVALID")
    call = planner.Plan(route="ticket_op" if failure.tool else "chitchat", tool=failure.tool,
                        source="llm", rationale=failure.message)
    rejected = event(AuditEventType.PLAN_REJECTED, None, result=reason, route=call.route, tool=call.tool,
                     source="llm", op=op)
    intent: Intent = "ticket_op" if failure.tool else "chitchat"
    return Proposal(call, [*events, rejected], "llm",
                    outcome=rejection(intent, reason, lang(state)))


def fields_problem(call: planner.Plan) -> str | None:
    """The validator's rejection of a create/resume plan's fields, checked first (hybrid)."""
    if call.route in ("create_ticket", "resume_draft"):
        return ticket_fields(call.args)[1]
    return None


def ticket_plan_proposed(call: planner.Plan, started: float) -> AuditEvent:
    """The PLAN_PROPOSED event of a ticket tool plan."""
    return event(AuditEventType.PLAN_PROPOSED, call.args.get("ticket_id"), result=call.tool, started=started,
                 tool=call.tool, args=call.args, source=call.source)
