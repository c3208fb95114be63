"""confirm_gate: is this turn an answer to the pending action? Then consume it, plan nothing new."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from graph.context import Context
from graph.state import State
from nodes.support import audit_rows, event, lang, outcome, rejection, services_of, thread_id
from tools.crud import audit
from tools.crud import pending as crud
from tools.db.models import PendingAction
from tools.domain import PendingStatus
from tools.planner.rules import classify_confirmation
from tools.replies import say

Next = Literal["global_router", "execute_pending", "finalize"]


def _decision(state: State) -> str | None:
    if state.get("decision"):
        return state["decision"]
    pending_tool = (state.get("memory") or {}).get("pending_tool")
    text = state.get("message")
    word = classify_confirmation(text, pending_tool=pending_tool) if text else None
    if word is None and state.get("confirm_token"):
        return "confirm"
    if word == "cancel" and not (state.get("memory") or {}).get("pending_action_id"):
        return None  # nothing waits: "取消这个工单" is a request for the planner, not an answer
    return word


def has_business(state: State) -> bool:
    """Whether this turn answers (or supersedes) a pending action: if not, the gate is skipped."""
    return bool((state.get("memory") or {}).get("pending_action_id") or _decision(state))


async def _find(state: State, session: Any) -> tuple[PendingAction | None, str | None]:
    """The pending action this turn answers, or the reason there is none."""
    token = state.get("confirm_token")
    if token:
        action = await crud.get_by_token(session, thread_id=thread_id(), token=token)
        return action, None if action else "INVALID_CONFIRM_TOKEN"
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    action = await crud.get_pending(session, action_id=pending_id) if pending_id else None
    return action, None if action else "NOTHING_TO_CONFIRM"


def _durable(action: PendingAction, state: State) -> bool:
    """Whether the thread's committed state waits on this action. A turn that proposed it and
    died before its end left the row behind, but not the checkpoint naming it: unusable."""
    return (state.get("memory") or {}).get("pending_action_id") == action.id


def _replay(action: PendingAction, decision: str, state: State) -> dict[str, Any] | None:
    """The first outcome, when this decision was already carried out (a replayed confirm)."""
    if decision == "confirm" and action.status in ("EXECUTED", "FAILED") and action.outcome:
        return {**action.outcome, "intent": "confirm", "tool": action.tool, "replayed": True}
    if decision == "cancel" and action.status == "CANCELLED":
        return outcome("CANCELLED", "cancel", say("action_cancelled", lang(state)), tool=action.tool)
    return None


async def confirm_gate(state: State, runtime: Runtime[Context]) -> Command[Next]:
    """Confirm, cancel, reject, or (any other message) supersede the pending action."""
    started = time.perf_counter()
    decision = _decision(state)
    svc = await services_of(runtime)
    if decision is None:
        return await _supersede(state, runtime, started)
    intent = "confirm" if decision == "confirm" else "cancel"
    async with svc.db.session() as session:
        action, problem = await _find(state, session)
        if action is None:
            return _finish(rejection(intent, problem or "NOTHING_TO_CONFIRM", lang(state)))
        if replay := _replay(action, decision, state):
            return _finish(replay)
        if action.status == "PENDING" and not _durable(action, state):
            return _finish(rejection(intent, "INVALID_CONFIRM_TOKEN", lang(state)))
        if action.status == "EXPIRED":  # the retention sweeper got there first
            return _finish(rejection(intent, "CONFIRMATION_EXPIRED", lang(state), tool=action.tool),
                           state)
        if action.status != "PENDING":
            return _finish(rejection(intent, "NOTHING_TO_CONFIRM", lang(state), tool=action.tool))
        if action.expires_at <= datetime.now(UTC):
            await crud.transition(session, action_id=action.id, to=PendingStatus.EXPIRED)
            rows = [event("ACTION_EXPIRED", action.target, result="EXPIRED", started=started,
                          pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(session, events=audit_rows(rows, runtime, svc, state=state))
            return _finish(rejection(intent, "CONFIRMATION_EXPIRED", lang(state), tool=action.tool), state)
        if decision == "cancel":
            await crud.transition(session, action_id=action.id, to=PendingStatus.CANCELLED,
                                  outcome={"status": "CANCELLED"})
            rows = [event("ACTION_CANCELLED", action.target, result="CANCELLED", started=started,
                          pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(session, events=audit_rows(rows, runtime, svc, state=state))
            return _finish(outcome("CANCELLED", "cancel", say("action_cancelled", lang(state)),
                                   tool=action.tool), state)
    return Command(goto="execute_pending", update={"verdict": {"pending_action_id": action.id}})


def _forget_pending(state: State) -> dict[str, Any]:
    return {**(state.get("memory") or {}), "pending_action_id": None, "pending_tool": None}


def _finish(result: dict[str, Any], state: State | None = None) -> Command[Next]:
    update: dict[str, Any] = {"outcome": result}
    if state is not None:
        update["memory"] = _forget_pending(state)
    return Command(goto="finalize", update=update)


async def _supersede(state: State, runtime: Runtime[Context], started: float) -> Command[Next]:
    """A new request while an action waits: that action is SUPERSEDED, the request goes on."""
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    if not pending_id:
        return Command(goto="global_router")
    svc = await services_of(runtime)
    async with svc.db.session() as session:
        action = await crud.transition(session, action_id=pending_id, to=PendingStatus.SUPERSEDED)
        if action is not None:
            rows = [event("ACTION_SUPERSEDED", action.target, result="SUPERSEDED",
                          started=started, pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(session, events=audit_rows(rows, runtime, svc, state=state))
    return Command(goto="global_router", update={"memory": _forget_pending(state)})
