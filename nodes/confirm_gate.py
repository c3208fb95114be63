"""confirm_gate: is this turn an answer to the pending action? Then consume it, plan nothing new.

A decision, a token or (nothing waiting) a lone yes/no word is taken as it is. A message while
an action waits is read by the dialogue policy (tools/planner/answers.py): a clear yes confirms,
a clear no declines, a clear new request supersedes the action (the reply says so), and
anything else keeps it waiting and asks again, naming the action in words.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from nodes.dialogue import ask_again
from nodes.support import audit_rows, event, lang, outcome, rejection, services_of, thread_id
from tools.crud import audit
from tools.crud import pending as crud
from tools.crud.pending import PendingAction
from tools.domain import PendingStatus
from tools.planner.answers import SMALL_TALK, Answer, ambiguous_cancel, nothing_to_confirm, read_answer
from tools.planner.plan import PlanContext
from tools.planner.rules import classify_confirmation, plan_rules
from tools.replies import declined
from turn.context import Context
from turn.state import State

Next = Literal["global_router", "execute_pending", "finalize"]


def _decision(state: State) -> str | None:
    """The decision this turn states outright; None when there is none (or the policy decides)."""
    if state.get("decision"):
        return state["decision"]
    memory = state.get("memory") or {}
    text = state.get("message")
    if state.get("confirm_token"):  # the token confirms, unless the message says no
        word = classify_confirmation(text, pending_tool=memory.get("pending_tool")) if text else None
        if word is None:
            return "confirm"
        return None if word == "cancel" and not memory.get("pending_action_id") else word
    if not text or memory.get("pending_action_id"):
        return None  # a message while an action waits: the dialogue policy reads it
    # nothing waits: a lone "确认" / "yes" is answered "nothing to confirm"; "取消这个工单",
    # "好的，帮我关了吧" or "ok thanks" are planned
    if classify_confirmation(text) != "confirm":
        return None  # planned at once, without a second look here
    return "confirm" if nothing_to_confirm(text, plan_rules(text, PlanContext())) else None


def has_business(state: State) -> bool:
    """Whether this turn answers (or supersedes) a pending action: if not, the gate is skipped."""
    return bool((state.get("memory") or {}).get("pending_action_id") or _decision(state))


async def _find(state: State, conn: Any) -> tuple[PendingAction | None, str | None]:
    """The pending action this turn answers, or the reason there is none."""
    token = state.get("confirm_token")
    if token:
        action = await crud.get_by_token(conn, thread_id=thread_id(), token=token)
        return action, None if action else "INVALID_CONFIRM_TOKEN"
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    action = await crud.get_pending(conn, action_id=pending_id) if pending_id else None
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
        return outcome("CANCELLED", "cancel", declined(action.tool, action.target, lang(state)),
                       tool=action.tool)
    return None


async def confirm_gate(state: State, runtime: Runtime[Context]) -> Command[Next]:
    """Confirm, cancel, reject, supersede the pending action, or ask about it again."""
    started = time.perf_counter()
    decision = _decision(state)
    if decision is None:
        return await read_reply(state, runtime, started)
    return await decide(decision, state, runtime, started)


async def decide(decision: str, state: State, runtime: Runtime[Context], started: float) -> Command[Next]:
    """Carry out a confirm or a cancel of the pending action (or say why it can't be)."""
    svc = await services_of(runtime)
    intent = "confirm" if decision == "confirm" else "cancel"
    async with svc.db.transaction() as conn:
        action, problem = await _find(state, conn)
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
            await crud.transition(conn, action_id=action.id, to=PendingStatus.EXPIRED)
            rows = [event("ACTION_EXPIRED", action.target, result="EXPIRED", started=started,
                          pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
            return _finish(rejection(intent, "CONFIRMATION_EXPIRED", lang(state), tool=action.tool), state)
        if decision == "cancel":
            await crud.transition(conn, action_id=action.id, to=PendingStatus.CANCELLED,
                                  outcome={"status": "CANCELLED"})
            rows = [event("ACTION_CANCELLED", action.target, result="CANCELLED", started=started,
                          pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
            return _finish(outcome("CANCELLED", "cancel", declined(action.tool, action.target, lang(state)),
                                   tool=action.tool), state)
    return Command(goto="execute_pending", update={"verdict": {"pending_action_id": action.id}})


def _forget_pending(state: State) -> dict[str, Any]:
    return {**(state.get("memory") or {}), "pending_action_id": None, "pending_tool": None}


def _finish(result: dict[str, Any], state: State | None = None) -> Command[Next]:
    update: dict[str, Any] = {"outcome": result}
    if state is not None:
        update["memory"] = _forget_pending(state)
    return Command(goto="finalize", update=update)


async def supersede(state: State, runtime: Runtime[Context], started: float) -> Command[Next]:
    """A new request while an action waits: that action is SUPERSEDED, the request goes on.

    The reply of the new request starts with a notice naming the dropped action (finalize).
    """
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    if not pending_id:
        return Command(goto="global_router")
    svc = await services_of(runtime)
    resolved = dict(state.get("resolved") or {})
    async with svc.db.transaction() as conn:
        action = await crud.transition(conn, action_id=pending_id, to=PendingStatus.SUPERSEDED)
        if action is not None:
            rows = [event("ACTION_SUPERSEDED", action.target, result="SUPERSEDED",
                          started=started, pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
            resolved["superseded"] = {"tool": action.tool, "target": action.target}
    return Command(goto="global_router", update={"memory": _forget_pending(state), "resolved": resolved})


async def read_reply(state: State, runtime: Runtime[Context], started: float) -> Command[Next]:
    """A message while an action waits: confirm, decline, supersede, or keep it and ask again."""
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    if not pending_id:
        return Command(goto="global_router")
    svc = await services_of(runtime)
    async with svc.db.connection() as conn:
        action = await crud.get_pending(conn, action_id=pending_id)
    text = state.get("message") or ""
    if action is None:
        return await supersede(state, runtime, started)  # gone: plan the message
    resolved = state.get("resolved") or {}
    plan = plan_rules(text, PlanContext(ticket_id=resolved.get("ticket_id"),
                                        ticket_source=resolved.get("ticket_source")))
    answer = read_answer(text, action.tool, plan, action.target)
    if action.status != "PENDING" and answer not in (Answer.CONFIRM, Answer.DECLINE):
        return await supersede(state, runtime, started)  # decided or swept: plan the message
    if answer is Answer.CONFIRM:  # decide() says why an expired or decided one can't run
        return await decide("confirm", state, runtime, started)
    if answer is Answer.DECLINE:
        return await decide("cancel", state, runtime, started)
    if answer is Answer.NEW_REQUEST or action.expires_at <= datetime.now(UTC):
        return await supersede(state, runtime, started)  # never ask again about an expired one
    lg = lang(state)
    key = ("ambiguous_cancel" if ambiguous_cancel(text, action.tool) else
           "pending_reminder" if plan.args.get("talk") in SMALL_TALK else "still_pending")
    still = event("ACTION_STILL_PENDING", action.target, result="PENDING", started=started,
                  pending_action_id=action.id, tool=action.tool)
    return Command(goto="finalize", update={
        "outcome": ask_again(action, lg, key=key),
        "events": [*state.get("events", []), still]})
