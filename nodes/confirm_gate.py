"""confirm_gate: is this turn an answer to the pending action? Then consume it, plan nothing new.

A decision, a token or (nothing waiting) a lone yes/no word is taken as it is. A message while
an action waits is read by the dialogue policy (tools/planner/answers.py): a clear yes confirms,
a clear no declines, a clear new request supersedes the action (the reply says so), and
anything else keeps it waiting and asks again, naming the action in words.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from langgraph.runtime import Runtime

from tools.crud import audit
from tools.crud import pending as crud
from tools.crud.pending import PendingAction
from tools.domain import AuditEventType, PendingStatus
from tools.planner.answers import SMALL_TALK, Answer, ambiguous_cancel, is_aside, read_answer
from tools.planner.plan import Confirmation, PlanContext, Talk
from tools.planner.rules import plan_rules
from tools.replies import declined
from turn.context import Context
from turn.contract import Execute, Outcome, Superseded
from turn.dialogue import ask_again
from turn.gate import CARRIED_OUT, forget_pending, stated_decision
from turn.state import State, resolved_of
from turn.support import audit_rows, event, lang, outcome, rejection, services_of, thread_of


async def _find(state: State, conn: Any,
                runtime: Runtime[Context]) -> tuple[PendingAction | None, str | None]:
    """The pending action this turn answers, or the reason there is none."""
    token = state.get("confirm_token")
    if token:
        action = await crud.get_by_token(conn, thread_id=thread_of(runtime), token=token)
        return action, None if action else "INVALID_CONFIRM_TOKEN"
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    action = await crud.get_pending(conn, action_id=pending_id) if pending_id else None
    return action, None if action else "NOTHING_TO_CONFIRM"


def _durable(action: PendingAction, state: State) -> bool:
    """Whether the thread's committed state waits on this action. A turn that proposed it and
    died before its end left the row behind, but not the checkpoint naming it: unusable."""
    return (state.get("memory") or {}).get("pending_action_id") == action.id


def _replay(action: PendingAction, decision: Confirmation, state: State) -> Outcome | None:
    """The first outcome, when this decision was already carried out (a replayed confirm)."""
    if decision == "confirm" and action.status in CARRIED_OUT and action.outcome:
        return Outcome.from_dict(action.outcome).but(intent="confirm", tool=action.tool, replayed=True)
    if decision == "cancel" and action.status == PendingStatus.CANCELLED:
        return outcome("CANCELLED", "cancel", declined(action.tool, action.target, lang(state)),
                       tool=action.tool)
    return None


async def confirm_gate(state: State, runtime: Runtime[Context]) -> State:
    """Confirm, cancel, reject, supersede the pending action, or ask about it again.

    Sets `verdict` (an Execute for execute_pending) on a confirm, `outcome` when the turn ends
    here, neither when the message goes on to be planned (graph.graph.after_gate routes).
    """
    started = time.perf_counter()
    decision = stated_decision(state)
    if decision is None:
        return await read_reply(state, runtime, started)
    return await decide(decision, state, runtime, started)


async def decide(decision: Confirmation, state: State, runtime: Runtime[Context],
                 started: float) -> State:
    """Carry out a confirm or a cancel of the pending action (or say why it can't be)."""
    svc = services_of(runtime)
    intent = decision
    async with svc.db.transaction() as conn:
        action, problem = await _find(state, conn, runtime)
        if action is None:
            return _finish(rejection(intent, problem or "NOTHING_TO_CONFIRM", lang(state)))
        if replay := _replay(action, decision, state):
            return _finish(replay)
        if action.status == PendingStatus.PENDING and not _durable(action, state):
            return _finish(rejection(intent, "INVALID_CONFIRM_TOKEN", lang(state)))
        if action.status == PendingStatus.EXPIRED:  # the retention sweeper got there first
            return _finish(rejection(intent, "CONFIRMATION_EXPIRED", lang(state), tool=action.tool),
                           state)
        if action.status != PendingStatus.PENDING:
            return _finish(rejection(intent, "NOTHING_TO_CONFIRM", lang(state), tool=action.tool))
        if action.expires_at <= datetime.now(UTC):
            await crud.transition(conn, action_id=action.id, to=PendingStatus.EXPIRED)
            rows = [event(AuditEventType.ACTION_EXPIRED, action.target, result="EXPIRED", started=started,
                          pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
            return _finish(rejection(intent, "CONFIRMATION_EXPIRED", lang(state), tool=action.tool), state)
        if decision == "cancel":
            await crud.transition(conn, action_id=action.id, to=PendingStatus.CANCELLED,
                                  outcome={"status": "CANCELLED"})
            rows = [event(AuditEventType.ACTION_CANCELLED, action.target, result="CANCELLED", started=started,
                          pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
            return _finish(outcome("CANCELLED", "cancel", declined(action.tool, action.target, lang(state)),
                                   tool=action.tool), state)
    return {"verdict": Execute(executor="execute_pending", pending_action_id=action.id)}


def _forget_pending(state: State) -> State:
    return {"memory": forget_pending(state.get("memory"))}


def _finish(result: Outcome, state: State | None = None) -> State:
    """The turn ends here with `result` (forgetting the pending action, given the state)."""
    return {"outcome": result, **(_forget_pending(state) if state is not None else {})}


async def supersede(state: State, runtime: Runtime[Context], started: float) -> State:
    """A new request while an action waits: that action is SUPERSEDED, the request goes on.

    The reply of the new request starts with a notice naming the dropped action (finalize).
    """
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    if not pending_id:
        return {}
    svc = services_of(runtime)
    resolved = resolved_of(state)
    async with svc.db.transaction() as conn:
        action = await crud.transition(conn, action_id=pending_id, to=PendingStatus.SUPERSEDED)
        if action is not None:
            rows = [event(AuditEventType.ACTION_SUPERSEDED, action.target, result="SUPERSEDED",
                          started=started, pending_action_id=action.id, tool=action.tool)]
            await audit.add_events(conn, events=audit_rows(rows, runtime, svc, state=state))
            resolved = replace(resolved, superseded=Superseded(tool=action.tool, target=action.target))
    return {**_forget_pending(state), "resolved": resolved}


# small talk while an action waits is said back, and the question asked again
_REMINDERS = {Talk.THANKS: "pending_reminder", Talk.BYE: "pending_bye", Talk.GREETING: "pending_greeting"}


async def read_reply(state: State, runtime: Runtime[Context], started: float) -> State:
    """A message while an action waits: confirm, decline, supersede, or keep it and ask again."""
    pending_id = (state.get("memory") or {}).get("pending_action_id")
    if not pending_id:
        return {}
    svc = services_of(runtime)
    async with svc.db.connection() as conn:
        action = await crud.get_pending(conn, action_id=pending_id)
    text = state.get("message") or ""
    if action is None:
        return await supersede(state, runtime, started)  # gone: plan the message
    resolved = resolved_of(state)
    plan = plan_rules(text, PlanContext(ticket_id=resolved.ticket_id,
                                        ticket_source=resolved.ticket_source))
    answer = read_answer(text, action.tool, plan, action.target)
    if action.status != PendingStatus.PENDING and answer not in (Answer.CONFIRM, Answer.DECLINE):
        return await supersede(state, runtime, started)  # decided or swept: plan the message
    if answer is Answer.CONFIRM:  # decide() says why an expired or decided one can't run
        return await decide("confirm", state, runtime, started)
    if answer is Answer.DECLINE:
        return await decide("cancel", state, runtime, started)
    if answer is Answer.NEW_REQUEST or action.expires_at <= datetime.now(UTC):
        return await supersede(state, runtime, started)  # never ask again about an expired one
    lg = lang(state)
    talk = plan.args.get("talk")
    key = ("ambiguous_cancel" if ambiguous_cancel(text, action.tool) else
           _REMINDERS[talk] if talk in SMALL_TALK else
           "pending_aside" if is_aside(text, plan) else "still_pending")
    still = event(AuditEventType.ACTION_STILL_PENDING, action.target, result="PENDING", started=started,
                  pending_action_id=action.id, tool=action.tool)
    return {"outcome": Outcome.from_dict(ask_again(action, lg, key=key)),
            "events": [*state.get("events", []), still]}
