"""create_ticket: a complete request becomes a ticket; an incomplete one a draft."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context
from graph.state import State
from nodes.support import audit_rows, context_of, event, lang, outcome, services_of, thread_id
from tools.crud import audit
from tools.db.engine import Db
from tools.handlers.drafts import DraftOutcome, create_ticket_or_draft


def draft_outcome(out: DraftOutcome, intent: str) -> dict[str, Any]:
    """A handler's DraftOutcome as a node outcome."""
    return outcome(out.status, intent, out.reply, ticket=out.ticket, draft=out.draft,
                   missing_fields=out.missing, reason=out.reason,
                   tool="create_ticket" if out.ticket else None)


async def write_with_audit(runtime: Runtime[Context], out_events: list[tuple[str, str, dict[str, Any]]],
                           db: Db, started: float, state: State | None = None) -> None:
    """Record a handler's business events in the handler's own transaction."""
    svc = await services_of(runtime)
    rows = [event(kind, target, result="OK", started=started, **payload)
            for kind, target, payload in out_events]
    await audit.add_events(db, events=audit_rows(rows, runtime, svc, state=state))


async def create_ticket(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Create the ticket (or the draft) and its audit rows in one transaction."""
    started = time.perf_counter()
    svc = await services_of(runtime)
    fields = (state.get("verdict") or {}).get("fields", {})
    async with svc.db.session() as session:
        out = await create_ticket_or_draft(session, fields=fields, actor=context_of(runtime).actor,
                                           thread_id=thread_id(), lang=lang(state))
        await write_with_audit(runtime, out.events, session, started, state)
    return {"outcome": draft_outcome(out, "create_ticket")}
