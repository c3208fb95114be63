"""create_ticket: a complete request becomes a ticket; an incomplete one a draft."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from tools.handlers.drafts import create_ticket_or_draft
from turn.context import Context
from turn.effects import draft_outcome, remember_effect, write_with_audit
from turn.state import State, execution_of
from turn.support import context_of, lang, services_of, thread_of


async def create_ticket(state: State, runtime: Runtime[Context]) -> State:
    """Create the ticket (or the draft) and its audit rows in one transaction."""
    started = time.perf_counter()
    svc = services_of(runtime)
    fields = dict(execution_of(state).fields)
    async with svc.db.transaction() as conn:
        out = await create_ticket_or_draft(conn, fields=fields, actor=context_of(runtime).actor,
                                           thread_id=thread_of(runtime), lang=lang(state))
        await write_with_audit(runtime, out.events, conn, started, state)
        result = draft_outcome(out, "create_ticket")
        await remember_effect(runtime, conn, result)
    return {"outcome": result}
