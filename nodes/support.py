"""Small helpers every node uses: services, thread id, audit events, outcomes, timing."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime

from tools.refusals import refusal
from tools.replies import Lang
from tools.settings import Mode
from turn.context import Context
from turn.services import Services, default_services


async def services_of(runtime: Runtime[Context]) -> Services:
    """The run's injected services, or the process default (Studio)."""
    ctx = runtime.context
    if ctx is not None and ctx.services is not None:
        return ctx.services
    return await default_services()


def context_of(runtime: Runtime[Context]) -> Context:
    """The run context (defaults when a caller gave none)."""
    return runtime.context if runtime.context is not None else Context()


def thread_id() -> str:
    """The thread this run belongs to."""
    return str(get_config()["configurable"]["thread_id"])


def mode_of(runtime: Runtime[Context], svc: Services) -> Mode:
    """The planning mode of this run (request, else server default)."""
    return context_of(runtime).mode or svc.settings.mode


def event(kind: str, target: str | None = None, *, result: str | None = None,
          started: float | None = None, **payload: Any) -> dict[str, Any]:
    """One audit event of this turn (finalize adds trace, actor, version_set and usage)."""
    latency = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    # stamped now: planning events are flushed later by finalize, but happened first
    return {"event_type": kind, "target": target, "payload": payload, "result": result,
            "latency_ms": round(latency, 3), "created_at": datetime.now(UTC)}


def outcome(status: str, intent: str, reply: str, **fields: Any) -> dict[str, Any]:
    """An outcome for finalize: status, intent, reply and any result fields."""
    return {"status": status, "intent": intent, "reply": reply, **fields}


def rejection(intent: str, reason: str, lang: Lang, *, facts: Mapping[str, str | None] | None = None,
              **fields: Any) -> dict[str, Any]:
    """A REJECTED outcome whose reply says why and what to do instead.

    `facts` (ticket_id, status, draft_id) only word the reply; `fields` go into the outcome.
    """
    draft_id = (fields.get("draft") or {}).get("draft_id")
    known = {"draft_id": draft_id, **(facts or {})}
    reply = refusal(reason, lang, tool=fields.get("tool"), **known)
    return outcome("REJECTED", intent, reply, reason=reason, **fields)


def lang(state: Mapping[str, Any]) -> Lang:
    """This turn's reply language."""
    return "zh" if (state.get("resolved") or {}).get("lang") == "zh" else "en"


def audit_rows(events: list[dict[str, Any]], runtime: Runtime[Context], svc: Services,
               usage: dict[str, Any] | None = None, state: Mapping[str, Any] | None = None,
               ) -> list[dict[str, Any]]:
    """Complete this turn's events into audit_events rows (usage: the turn's LLM usage so far)."""
    if usage is None and state is not None:
        usage = state.get("usage")
    ctx = context_of(runtime)
    tid = thread_id()
    return [{**e, "trace_id": ctx.trace_id or "-", "thread_id": tid, "actor_id": ctx.user_id,
             "version_set": svc.version_set, "usage": usage or {}} for e in events]
