"""resume_draft: fill an active draft with what the person just said; complete → ticket."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from tools.handlers.drafts import resume_draft as resume
from turn.context import Context
from turn.effects import draft_outcome, remember_effect, write_with_audit
from turn.state import State, execution_of
from turn.support import context_of, lang, rejection, services_of


async def resume_draft(state: State, runtime: Runtime[Context]) -> State:
    """Merge the new fields into the draft and audit it, in one transaction."""
    started = time.perf_counter()
    svc = services_of(runtime)
    verdict = execution_of(state)
    assert verdict.draft_id is not None, "the validator checked the draft"
    async with svc.db.transaction() as conn:
        out = await resume(conn, draft_id=verdict.draft_id, fields=dict(verdict.fields),
                           actor=context_of(runtime).actor, lang=lang(state))
        if out.status != "REJECTED":
            await write_with_audit(runtime, out.events, conn, started, state)
            await remember_effect(runtime, conn, draft_outcome(out, "resume_draft"))
    if out.status == "REJECTED":
        return {"outcome": rejection("resume_draft", out.reason or "DRAFT_NOT_ACTIVE", lang(state))}
    return {"outcome": draft_outcome(out, "resume_draft")}
