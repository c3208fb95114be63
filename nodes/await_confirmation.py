"""await_confirmation: the interrupt. The thread waits here until the person answers."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.types import Command, interrupt

from graph.state import State

_INPUT_KEYS = ("message", "confirm_token", "ticket_id", "draft_id", "decision")


async def await_confirmation(state: State) -> Command[Literal["context_restore"]]:
    """Pause on the pending action; the answer (any turn input) starts the next turn.

    Nothing runs before `interrupt()`, so re-running this node on resume is harmless.
    """
    pending = (state.get("result") or {}).get("pending_action")
    answer: Any = interrupt({"pending_action": pending})
    update = {k: answer.get(k) for k in _INPUT_KEYS} if isinstance(answer, dict) else {}
    return Command(goto="context_restore", update=update)
