"""context_restore: who is the turn about? Explicit ids beat references, references beat memory.

A reference with nothing in the thread's memory ("my last ticket", 我上一个工单, 最近那个单)
resolves from the person's own tickets: the newest one, or their only one.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from nodes.confirm_gate import has_business
from nodes.support import context_of, outcome, services_of
from tools.crud.tickets import list_tickets
from tools.planner.plan import References
from tools.planner.rules import extract_references
from tools.replies import Lang, lang_of, say
from turn.context import RECOVERED, Context
from turn.state import State, chat_message, empty_usage

_TURN_RESET: dict[str, Any] = {"plan": None, "verdict": None, "outcome": None, "events": []}


async def _own_ticket(refs: References, runtime: Runtime[Context]) -> str | None:
    """The person's ticket a memory-less reference means: the newest for "last", else the only one."""
    svc = await services_of(runtime)
    async with svc.db.connection() as conn:
        rows = await list_tickets(conn, actor=context_of(runtime).actor, mine_only=True, limit=2)
    if refs.latest or len(rows) == 1:
        return rows[0].ticket_id if rows else None
    return None


async def _ticket(state: State, refs: References,
                  runtime: Runtime[Context]) -> tuple[str | None, str | None, str | None]:
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


def _draft(state: State, refs: References) -> tuple[str | None, str | None, str | None]:
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


Next = Literal["confirm_gate", "global_router", "finalize"]


async def context_restore(state: State, runtime: Runtime[Context]) -> Command[Next]:
    """Resolve this turn's ticket and draft; an unresolvable reference asks instead of guessing."""
    started = time.perf_counter()
    chat = {"message": chat_message(state)} if not state.get("message") and state.get("messages") else {}
    state = {**state, **chat}  # type: ignore[typeddict-item]  # a chat client's human message is the turn's
    refs = extract_references(state.get("message") or "")
    ticket_id, ticket_source, t_problem = await _ticket(state, refs, runtime)
    draft_id, draft_source, d_problem = _draft(state, refs)
    lang = _language(state)
    resolved = {"ticket_id": ticket_id, "ticket_source": ticket_source, "draft_id": draft_id,
                "draft_source": draft_source, "lang": lang, "refs": refs.model_dump(),
                "started": started}
    update: dict[str, Any] = {**_TURN_RESET, **chat, "resolved": resolved, "usage": empty_usage()}
    if recovered := context_of(runtime).extra.get(RECOVERED):  # see graph.runner: act on nothing
        return Command(goto="finalize", update={**update, "outcome": recovered})
    if problem := t_problem or d_problem:
        field = "ticket_id" if t_problem else "draft_id"
        update["outcome"] = outcome("NEED_MORE_INFO", "ticket_op" if t_problem else "resume_draft",
                                    say(problem, lang), missing_fields=[field])
        return Command(goto="finalize", update=update)  # ask; never guess
    # nothing pending and no confirm/cancel: straight to planning, one superstep fewer
    return Command(goto="confirm_gate" if has_business(state) else "global_router", update=update)
