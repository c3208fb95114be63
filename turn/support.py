"""Small helpers every node uses: services, thread id, mode, audit events, outcomes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from tools.domain import AuditEventType
from tools.refusals import refusal
from tools.replies import Lang
from tools.settings import Mode
from turn import services as process
from turn.context import Context
from turn.contract import AuditEvent, Intent, Json, Outcome, Status
from turn.services import Services


def context_of(runtime: Runtime[Context]) -> Context:
    """The run context (defaults when a caller gave none)."""
    return runtime.context if runtime.context is not None else Context()


def services_of(runtime: Runtime[Context]) -> Services:
    """The run's services: injected with its context (graph.runner), else the process's own,
    installed from above (graph.studio). A node never opens them itself."""
    services = context_of(runtime).services or process.installed()
    if services is None:
        raise RuntimeError("no services for this run: pass Context(services=...) or install "
                           "the process's (turn.services.install)")
    return services


def thread_of(runtime: Runtime[Context]) -> str:
    """The thread this run belongs to: the context's (graph.runner sets it), else the run's own
    (a run on the compiled graph alone: Studio, scripts)."""
    tid = context_of(runtime).thread_id
    if not tid:
        info = runtime.execution_info
        tid = (info.thread_id if info is not None else None) or ""
    return tid


def mode_of(runtime: Runtime[Context], svc: Services) -> Mode:
    """The planning mode of this run (request, else server default)."""
    return context_of(runtime).mode or svc.settings.mode


def event(kind: AuditEventType, target: str | None = None, *, result: str | None = None,
          started: float | None = None, **payload: Any) -> AuditEvent:
    """One audit event of this turn (finalize adds trace, actor, version_set and usage)."""
    latency = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    # stamped now: planning events are flushed later by finalize, but happened first
    return AuditEvent(event_type=kind, target=target, payload=payload, result=result,
                      latency_ms=round(latency, 3))


def outcome(status: Status, intent: Intent, reply: str, **fields: Any) -> Outcome:
    """An outcome for finalize: status, intent, reply and any result fields."""
    return Outcome(status=status, intent=intent, reply=reply, **fields)


def rejection(intent: Intent, reason: str, lang: Lang, *,
              facts: Mapping[str, str | None] | None = None, **fields: Any) -> Outcome:
    """A REJECTED outcome whose reply says why and what to do instead.

    `facts` (ticket_id, status, draft_id) only word the reply; `fields` go into the outcome.
    """
    draft_id = (fields.get("draft") or {}).get("draft_id")
    known = {"draft_id": draft_id, **(facts or {})}
    reply = refusal(reason, lang, tool=fields.get("tool"), **known)
    return outcome("REJECTED", intent, reply, reason=reason, **fields)


def lang(state: Mapping[str, Any]) -> Lang:
    """This turn's reply language."""
    resolved = state.get("resolved")
    return "zh" if resolved is not None and resolved.lang == "zh" else "en"


def audit_rows(events: list[AuditEvent], runtime: Runtime[Context], svc: Services,
               usage: Mapping[str, Any] | None = None, state: Mapping[str, Any] | None = None,
               ) -> list[Json]:
    """Complete this turn's events into audit_events rows (usage: the turn's LLM usage so far)."""
    if usage is None and state is not None:
        usage = state.get("usage")
    ctx = context_of(runtime)
    tid = thread_of(runtime)
    return [e.row(trace_id=ctx.trace_id or "-", thread_id=tid, actor_id=ctx.user_id,
                  version_set=svc.version_set, usage=usage or {}) for e in events]
