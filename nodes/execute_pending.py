"""execute_pending: carry out a confirmed PendingAction exactly once."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from tools.crud import pending as crud
from tools.domain import PendingStatus
from tools.handlers.ticket_ops import business_events, execute_tool
from tools.registry import TICKET_TOOLS
from turn.context import Context
from turn.contract import Outcome
from turn.effects import remember_effect, tool_outcome, write_with_audit
from turn.gate import CARRIED_OUT, forget_pending
from turn.state import State, execution_of
from turn.support import context_of, lang, rejection, services_of


async def execute_pending(state: State, runtime: Runtime[Context]) -> State:
    """PENDING→CONFIRMED (one conditional UPDATE), run the tool, record the outcome, atomically.

    A concurrent confirm blocks on the row lock, then finds the action no longer PENDING and
    returns the outcome the winner stored: nothing runs twice.
    """
    started = time.perf_counter()
    svc = services_of(runtime)
    memory = forget_pending(state.get("memory"))
    action_id = str(execution_of(state).pending_action_id)
    async with svc.db.transaction() as conn:
        action = await crud.transition(conn, action_id=action_id, to=PendingStatus.CONFIRMED)
        if action is None:
            return {"outcome": await _first_outcome(conn, action_id, state), "memory": memory}
        tool = TICKET_TOOLS[action.tool]
        out = await execute_tool(conn, tool=tool, args=action.args,
                                 actor=context_of(runtime).actor, lang=lang(state))
        result = tool_outcome(out, "confirm", tool.name)
        final = PendingStatus.EXECUTED if out.status == "OK" else PendingStatus.FAILED
        await crud.transition(conn, action_id=action.id, to=final, outcome=result.as_dict())
        events = [("ACTION_CONFIRMED", action.target or "", {"pending_action_id": action.id}),
                  *business_events(out, tool.name, action.args)]
        await write_with_audit(runtime, events, conn, started, state)
        await remember_effect(runtime, conn, result)
    return {"outcome": result, "memory": memory}


async def _first_outcome(conn: Any, action_id: str, state: State) -> Outcome:
    action = await crud.get_pending(conn, action_id=action_id)
    if action is not None and action.outcome and action.status in CARRIED_OUT:
        return Outcome.from_dict(action.outcome).but(replayed=True)
    return rejection("confirm", "NOTHING_TO_CONFIRM", lang(state))
