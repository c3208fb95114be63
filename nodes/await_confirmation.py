"""await_confirmation: the interrupt. The thread waits here until the person answers."""

from __future__ import annotations

from typing import Any, Literal, cast

from langgraph.types import interrupt

from turn.state import State

_INPUT_KEYS = ("message", "confirm_token", "ticket_id", "draft_id", "decision")


async def await_confirmation(state: State) -> State:
    """Pause on the pending action; the answer (any turn input) starts the next turn
    (graph.graph: await_confirmation -> context_restore).

    Nothing runs before `interrupt()`, so re-running this node on resume is harmless.
    """
    pending = (state.get("result") or {}).get("pending_action")
    answer: Any = interrupt({"pending_action": pending, **hitl_request(pending)})
    update: dict[str, Any] = {k: answer.get(k) for k in _INPUT_KEYS} if isinstance(answer, dict) else {}
    if decision := hitl_decision(answer):
        update["decision"] = decision
    return cast(State, update)


def hitl_request(pending: dict[str, Any] | None) -> dict[str, Any]:
    """The pending action as LangChain's HumanInTheLoop request, which agent-chat-ui renders."""
    if not pending:
        return {"action_requests": [], "review_configs": []}
    tool = str(pending.get("tool"))
    return {"action_requests": [{"name": tool, "args": pending.get("args") or {},
                                 "description": f"{tool} {pending.get('target') or ''}".strip()}],
            "review_configs": [{"action_name": tool, "allowed_decisions": ["approve", "reject"]}]}


def hitl_decision(answer: Any) -> Literal["confirm", "cancel"] | None:
    """A HumanInTheLoop response (`{"decisions": [{"type": "approve"|"reject"}]}`) as our decision."""
    decisions = answer.get("decisions") if isinstance(answer, dict) else None
    kind = decisions[0].get("type") if isinstance(decisions, list) and decisions and isinstance(
        decisions[0], dict) else None
    return "confirm" if kind == "approve" else "cancel" if kind == "reject" else None
