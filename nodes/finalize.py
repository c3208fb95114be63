"""finalize: write the turn's audit events and transcript, update memory, build the result."""

from __future__ import annotations

import time
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import Command

from checkpoints.saver import turn_writes
from nodes.dialogue import superseded_notice
from nodes.support import audit_rows, context_of, event, lang, services_of, thread_id
from tools.crud import threads
from tools.replies import say
from turn.context import Context
from turn.state import MAX_RECENT_TICKETS, Memory, State, empty_usage

_NULLABLE = ("tool", "ticket", "draft", "pending_action", "reason")
_LISTS = ("tickets", "missing_fields", "citations")
_TRANSCRIPT_CHARS = 300


def _memory(state: State, out: dict[str, Any]) -> Memory:
    memory: Memory = {**(state.get("memory") or {})}
    recent = list(memory.get("recent_ticket_ids") or [])
    if out.get("tickets"):
        recent = [t["ticket_id"] for t in out["tickets"]]
    if ticket := out.get("ticket"):
        memory["ticket_id"] = ticket["ticket_id"]
        recent = [ticket["ticket_id"], *[r for r in recent if r != ticket["ticket_id"]]]
    if draft := out.get("draft"):
        memory["draft_id"] = draft["draft_id"] if draft["status"] == "ACTIVE" else None
    if pending := out.get("pending_action"):
        memory["pending_action_id"] = pending["id"]
        memory["pending_tool"] = pending["tool"]
    memory["recent_ticket_ids"] = recent[:MAX_RECENT_TICKETS]
    memory["last_intent"] = out.get("intent")
    memory["lang"] = (state.get("resolved") or {}).get("lang", "en")
    return memory


def _result(state: State, runtime: Runtime[Context], out: dict[str, Any], memory: Memory,
            version_set: str) -> dict[str, Any]:
    plan = state.get("plan") or {}
    result = {k: out.get(k) for k in _NULLABLE} | {k: out.get(k) or [] for k in _LISTS}
    return {
        **result, "thread_id": thread_id(), "trace_id": context_of(runtime).trace_id,
        "status": out["status"], "intent": out["intent"], "reply": out["reply"],
        "memory": {k: memory.get(k) for k in ("ticket_id", "draft_id", "pending_action_id")},
        "mode_used": out.get("mode_used") or plan.get("mode_used") or "rules",
        "degraded": bool(out.get("degraded") or plan.get("degraded")),
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


async def finalize(state: State, runtime: Runtime[Context]) -> Command[Literal["await_confirmation", "__end__"]]:
    """Close the turn: audit rows, transcript lines, the thread's status; publish the result.

    Under a Runner these writes ride on the turn's checkpoint (checkpoints.saver.TurnWrites).
    """
    started = time.perf_counter()
    svc = await services_of(runtime)
    out = state.get("outcome") or {"status": "OK", "intent": "chitchat",
                                   "reply": say("chitchat", "en")}
    if notice := superseded_notice(state.get("resolved") or {}, lang(state)):
        out = {**out, "reply": notice + out["reply"]}  # the request that dropped an action
    memory = _memory(state, out)
    result = _result(state, runtime, out, memory, svc.version_set)
    tid, trace = thread_id(), context_of(runtime).trace_id
    turn_ms = (time.perf_counter() - (state.get("resolved") or {}).get("started", started)) * 1000
    done = event("TURN_COMPLETED",
                 (out.get("ticket") or {}).get("ticket_id"), result=out["status"],
                 intent=out["intent"], tool=out.get("tool"), reason=out.get("reason"))
    done["latency_ms"] = round(turn_ms, 3)
    rows = [{"thread_id": tid, "role": "user", "content": m, "trace_id": trace}
            for m in [state.get("message")] if m]
    rows.append({"thread_id": tid, "role": "assistant", "content": out["reply"], "trace_id": trace})
    if out.get("replayed"):  # a repeated confirm: its reply is in the transcript already
        rows = []
    events = audit_rows([*state.get("events", []), done], runtime, svc, usage=result["usage"])
    # While an action waits for a person the thread stays interrupted; otherwise the turn ends.
    waiting = bool(memory.get("pending_action_id"))
    if (writes := turn_writes(get_config())) is not None:
        # committed with the turn's checkpoint, in one transaction, with the lease's release
        writes.result = result  # and, for a turn with an action_id, its stored response
        writes.add(*threads.record_statement(events=events, messages=rows))
        writes.add(*threads.release_statement(thread_id=tid, run_id=writes.run_id,
                                              status="interrupted" if waiting else "idle",
                                              settled=True), closes=True)
    else:  # a run without a Runner (Studio): no lease to release
        async with svc.db.connection() as conn:
            await threads.record_turn(conn, events=events, messages=rows)
    update = {"memory": memory, "result": result, "events": [],
              "transcript": state.get("transcript") or [] if out.get("replayed") else
              _transcript(state, out["reply"], svc.settings.transcript_window),
              "messages": [] if out.get("replayed") else _chat(state, out["reply"], trace),
              "message": None, "confirm_token": None, "ticket_id": None, "draft_id": None,
              "decision": None}
    return Command(goto="await_confirmation" if waiting else "__end__", update=update)
