"""context_restore: who is the turn about? Explicit ids beat references, references beat memory.

A reference with nothing in the thread's memory ("my last ticket", 我上一个工单, 最近那个单)
resolves from the person's own tickets: the newest one, or their only one.
"""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from tools.crud.tickets import list_tickets
from tools.planner.plan import References
from tools.planner.rules import extract_references
from tools.replies import Lang, lang_of, say
from turn.context import Context
from turn.contract import Resolved, Source
from turn.state import State, chat_message, empty_usage
from turn.support import context_of, outcome, services_of

_TURN_RESET: State = {"plan": None, "verdict": None, "outcome": None, "events": []}


async def _own_ticket(refs: References, runtime: Runtime[Context]) -> str | None:
    """The person's ticket a memory-less reference means: the newest for "last", else the only one."""
    svc = services_of(runtime)
    async with svc.db.connection() as conn:
        rows = await list_tickets(conn, actor=context_of(runtime).actor, mine_only=True, limit=2)
    if refs.latest or len(rows) == 1:
        return rows[0].ticket_id if rows else None
    return None


async def _ticket(state: State, refs: References,
                  runtime: Runtime[Context]) -> tuple[str | None, Source | None, str | None]:
    """(ticket_id, source, problem) — problem is a reply key when the reference can't resolve."""
    memory = state.get("memory") or {}
    explicit = [state["ticket_id"]] if state.get("ticket_id") else refs.ticket_ids
    if len(set(explicit)) > 1:
        return None, None, "need_ticket"
    if explicit:
        return explicit[0], "explicit", None
    if refs.ordinal is not None:
        recent = memory.get("recent_ticket_ids") or []
        if 0 < refs.ordinal <= len(recent):
            return recent[refs.ordinal - 1], "reference", None
        return None, None, "need_ticket"
    if memory.get("ticket_id"):
        return memory["ticket_id"], "reference" if refs.ticket_ref else "memory", None
    if not (refs.ticket_ref or refs.latest):
        return None, None, None
    if own := await _own_ticket(refs, runtime):
        return own, "reference", None
    return None, None, "need_ticket"


def _draft(state: State, refs: References) -> tuple[str | None, Source | None, str | None]:
    memory = state.get("memory") or {}
    explicit = [state["draft_id"]] if state.get("draft_id") else refs.draft_ids
    if explicit:
        return explicit[0], "explicit", None
    if memory.get("draft_id"):
        return memory["draft_id"], "reference" if refs.draft_ref else "memory", None
    return None, None, "need_draft" if refs.draft_ref else None


def _language(state: State) -> Lang:
    text = state.get("message")
    if text:
        return lang_of(text)
    return "zh" if (state.get("memory") or {}).get("lang") == "zh" else "en"


async def context_restore(state: State, runtime: Runtime[Context]) -> State:
    """Resolve this turn's ticket and draft; an unresolvable reference asks instead of guessing.

    Sets `outcome` (the turn goes straight to finalize) for a recovered action_id or a reference
    that does not resolve; the graph then routes (graph.graph.after_restore).
    """
    started = time.perf_counter()
    chat: State = {"message": chat_message(state)} if not state.get("message") and state.get("messages") else {}
    state = {**state, **chat}  # a chat client's human message is the turn's
    refs = extract_references(state.get("message") or "")
    ticket_id, ticket_source, t_problem = await _ticket(state, refs, runtime)
    draft_id, draft_source, d_problem = _draft(state, refs)
    lang = _language(state)
    resolved = Resolved(ticket_id=ticket_id, ticket_source=ticket_source, draft_id=draft_id,
                        draft_source=draft_source, lang=lang, refs=refs, started=started)
    update: State = {**_TURN_RESET, **chat, "resolved": resolved, "usage": empty_usage()}
    if recovered := context_of(runtime).recovered:  # see graph.runner: act on nothing
        return {**update, "outcome": recovered}
    if problem := t_problem or d_problem:
        field = "ticket_id" if t_problem else "draft_id"
        update["outcome"] = outcome("NEED_MORE_INFO", "ticket_op" if t_problem else "resume_draft",
                                    say(problem, lang), missing_fields=[field])  # ask; never guess
    return update
