"""finalize: write the turn's audit events and transcript, update memory, build the result."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from tools.crud import threads
from tools.domain import AuditEventType, DraftStatus, ThreadStatus
from tools.replies import say
from turn.context import Context
from turn.contract import Json, Outcome
from turn.dialogue import superseded_notice
from turn.state import MAX_RECENT_TICKETS, Memory, State, empty_usage, resolved_of
from turn.support import audit_rows, context_of, event, lang, services_of, thread_of

_TRANSCRIPT_CHARS = 300


def _memory(state: State, out: Outcome) -> Memory:
    memory: Memory = {**(state.get("memory") or {})}
    recent = list(memory.get("recent_ticket_ids") or [])
    if out.tickets:
        recent = [t["ticket_id"] for t in out.tickets]
    if ticket := out.ticket:
        memory["ticket_id"] = ticket["ticket_id"]
        recent = [ticket["ticket_id"], *[r for r in recent if r != ticket["ticket_id"]]]
    if draft := out.draft:
        memory["draft_id"] = draft["draft_id"] if draft["status"] == DraftStatus.ACTIVE else None
    if pending := out.pending_action:
        memory["pending_action_id"] = pending["id"]
        memory["pending_tool"] = pending["tool"]
    memory["recent_ticket_ids"] = recent[:MAX_RECENT_TICKETS]
    memory["last_intent"] = out.intent
    memory["lang"] = resolved_of(state).lang
    return memory


def _result(state: State, runtime: Runtime[Context], out: Outcome, memory: Memory,
            version_set: str) -> Json:
    """The turn's result as API.md shapes it (graph.result.TurnResult); checkpointed as is."""
    plan = state.get("plan")
    return {
        "tool": out.tool, "ticket": out.ticket, "draft": out.draft,
        "pending_action": out.pending_action, "reason": out.reason,
        "tickets": out.tickets, "missing_fields": out.missing_fields, "citations": out.citations,
        "thread_id": thread_of(runtime), "trace_id": context_of(runtime).trace_id,
        "status": out.status, "intent": out.intent, "reply": out.reply,
        "memory": {k: memory.get(k) for k in ("ticket_id", "draft_id", "pending_action_id")},
        "mode_used": out.mode_used or (plan.mode_used if plan is not None else None) or "rules",
        "degraded": bool(out.degraded or (plan is not None and plan.degraded)),
        "usage": state.get("usage") or empty_usage(), "version_set": version_set,
    }


def _transcript(state: State, reply: str, window: int) -> list[dict[str, str]]:
    lines = [*(state.get("transcript") or [])]
    if text := state.get("message"):
        lines.append({"role": "user", "content": text[:_TRANSCRIPT_CHARS]})
    lines.append({"role": "assistant", "content": reply[:_TRANSCRIPT_CHARS]})
    return lines[-window:]


def _chat(state: State, reply: str, trace: str) -> list[AnyMessage]:
    """This turn's LangChain messages for the bounded `messages` window (chat clients).

    Ids derive from the trace id, so a client's streamed AI message matches the stored one.
    """
    lines: list[AnyMessage] = []
    window = state.get("messages") or []
    text = state.get("message")
    if text and not (window and window[-1].type == "human"):  # a chat client sent it already
        lines.append(HumanMessage(content=text, id=f"human-{trace}" if trace else None))
    lines.append(AIMessage(content=reply, id=f"ai-{trace}" if trace else None))
    return lines


async def finalize(state: State, runtime: Runtime[Context]) -> State:
    """Close the turn: audit rows, transcript lines, the thread's status; publish the result.

    Under a Runner these writes ride on the turn's checkpoint (turn.writes.TurnWrites). While
    an action waits for a person, the memory names it: the graph goes on to await_confirmation
    (graph.graph.after_finalize), else the turn ends.
    """
    started = time.perf_counter()
    svc = services_of(runtime)
    ctx = context_of(runtime)
    out = state.get("outcome") or Outcome(status="OK", intent="chitchat", reply=say("chitchat", "en"))
    resolved = resolved_of(state)
    if notice := superseded_notice(_superseded(state), lang(state)):
        out = out.but(reply=notice + out.reply)  # the request that dropped an action
    memory = _memory(state, out)
    result = _result(state, runtime, out, memory, svc.version_set)
    tid, trace = thread_of(runtime), ctx.trace_id
    turn_ms = (time.perf_counter() - (resolved.started if state.get("resolved") else started)) * 1000
    done = replace(event(AuditEventType.TURN_COMPLETED, (out.ticket or {}).get("ticket_id"), result=out.status,
                         intent=out.intent, tool=out.tool, reason=out.reason),
                   latency_ms=round(turn_ms, 3))
    rows = [{"thread_id": tid, "role": "user", "content": m, "trace_id": trace}
            for m in [state.get("message")] if m]
    rows.append({"thread_id": tid, "role": "assistant", "content": out.reply, "trace_id": trace})
    if out.replayed:  # a repeated confirm: its reply is in the transcript already
        rows = []
    events = audit_rows([*state.get("events", []), done], runtime, svc, usage=result["usage"])
    # While an action waits for a person the thread stays interrupted; otherwise the turn ends.
    waiting = bool(memory.get("pending_action_id"))
    if (writes := ctx.writes) is not None:
        # committed with the turn's checkpoint, in one transaction, with the lease's release
        writes.result = result  # and, for a turn with an action_id, its stored response
        writes.add(*threads.record_statement(events=events, messages=rows))
        writes.add(*threads.release_statement(thread_id=tid, run_id=writes.run_id,
                                              status=(ThreadStatus.INTERRUPTED if waiting else ThreadStatus.IDLE).value,
                                              settled=True), closes=True)
    else:  # a run without a Runner (Studio): no lease to release
        async with svc.db.connection() as conn:
            await threads.record_turn(conn, events=events, messages=rows)
    return {"memory": memory, "result": result, "events": [],
            "transcript": state.get("transcript") or [] if out.replayed else
            _transcript(state, out.reply, svc.settings.transcript_window),
            "messages": [] if out.replayed else _chat(state, out.reply, trace),
            "message": None, "confirm_token": None, "ticket_id": None, "draft_id": None,
            "decision": None}


def _superseded(state: State) -> dict[str, Any]:
    """The superseded action as turn.dialogue.superseded_notice reads it."""
    dropped = resolved_of(state).superseded
    return {"superseded": {"tool": dropped.tool, "target": dropped.target}} if dropped else {}
