"""create_ticket: a complete request becomes a ticket; an incomplete one a draft."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from nodes.support import audit_rows, context_of, event, lang, outcome, services_of, thread_id
from tools.crud import audit, idempotency
from tools.db.engine import Conn, execute
from tools.handlers.drafts import DraftOutcome, create_ticket_or_draft
from turn.context import ACTION_ID, Context
from turn.state import State


def draft_outcome(out: DraftOutcome, intent: str) -> dict[str, Any]:
    """A handler's DraftOutcome as a node outcome."""
    return outcome(out.status, intent, out.reply, ticket=out.ticket, draft=out.draft,
                   missing_fields=out.missing, reason=out.reason,
                   tool="create_ticket" if out.ticket else None)


async def write_with_audit(runtime: Runtime[Context], out_events: list[tuple[str, str, dict[str, Any]]],
                           db: Conn, started: float, state: State | None = None) -> None:
    """Record a handler's business events in the handler's own transaction."""
    svc = await services_of(runtime)
    rows = [event(kind, target, result="OK", started=started, **payload)
            for kind, target, payload in out_events]
    await audit.add_events(db, events=audit_rows(rows, runtime, svc, state=state))


async def remember_effect(runtime: Runtime[Context], db: Conn, result: dict[str, Any]) -> None:
    """Record a domain write's outcome under the turn's action_id, in the write's transaction:
    if the turn dies before its end, the retry finishes with this outcome (graph.runner)."""
    ctx = context_of(runtime)
    if action_id := ctx.extra.get(ACTION_ID):
        await execute(db, *idempotency.effect_statement(user_id=ctx.user_id, action_id=action_id,
                                                        effect={**result, "recovered": True}))


async def create_ticket(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Create the ticket (or the draft) and its audit rows in one transaction."""
    started = time.perf_counter()
    svc = await services_of(runtime)
    fields = (state.get("verdict") or {}).get("fields", {})
    async with svc.db.transaction() as conn:
        out = await create_ticket_or_draft(conn, fields=fields, actor=context_of(runtime).actor,
                                           thread_id=thread_id(), lang=lang(state))
        await write_with_audit(runtime, out.events, conn, started, state)
        result = draft_outcome(out, "create_ticket")
        await remember_effect(runtime, conn, result)
    return {"outcome": result}
