"""What the executor nodes share: handler outcomes as Outcomes, audit rows and the effect of a
domain write recorded in the write's own transaction."""

from __future__ import annotations

from typing import Any, cast

from langgraph.runtime import Runtime

from tools.crud import audit, idempotency
from tools.db.engine import Conn, execute
from tools.domain import AuditEventType
from tools.handlers.drafts import DraftOutcome
from tools.handlers.ticket_ops import ToolOutcome
from turn.context import Context
from turn.contract import Intent, Outcome, Status
from turn.state import State
from turn.support import audit_rows, context_of, event, outcome, services_of


def draft_outcome(out: DraftOutcome, intent: Intent) -> Outcome:
    """A handler's DraftOutcome as a node outcome (its status is one of the turn's)."""
    return outcome(cast(Status, out.status), intent, out.reply, ticket=out.ticket, draft=out.draft,
                   missing_fields=out.missing, reason=out.reason,
                   tool="create_ticket" if out.ticket else None)


def tool_outcome(out: ToolOutcome, intent: Intent, tool: str) -> Outcome:
    """A handler's ToolOutcome as a node outcome (its status is one of the turn's)."""
    return outcome(cast(Status, out.status), intent, out.reply, tool=tool, reason=out.reason,
                   ticket=out.ticket, tickets=out.tickets)


async def write_with_audit(runtime: Runtime[Context], out_events: list[tuple[str, str, dict[str, Any]]],
                           db: Conn, started: float, state: State | None = None) -> None:
    """Record a handler's business events in the handler's own transaction."""
    svc = services_of(runtime)
    rows = [event(AuditEventType(kind), target, result="OK", started=started, **payload)
            for kind, target, payload in out_events]
    await audit.add_events(db, events=audit_rows(rows, runtime, svc, state=state))


async def remember_effect(runtime: Runtime[Context], db: Conn, result: Outcome) -> None:
    """Record a domain write's outcome under the turn's action_id, in the write's transaction:
    if the turn dies before its end, the retry finishes with this outcome (graph.runner)."""
    ctx = context_of(runtime)
    if ctx.action_id:
        effect = result.but(recovered=True).as_dict()
        await execute(db, *idempotency.effect_statement(user_id=ctx.user_id, action_id=ctx.action_id,
                                                        effect=effect))
