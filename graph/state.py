"""Graph state: a narrow input schema and the full, bounded state the checkpointer keeps."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langgraph.channels.untracked_value import UntrackedValue

# Scratch of the turn in progress: needed while the turn runs, never checkpointed (each turn
# starts by resetting it), so a checkpoint holds only memory, the transcript window and result.
Scratch = Annotated[dict[str, Any] | None, UntrackedValue(dict)]


class TurnInput(TypedDict, total=False):
    """One turn's input: what the person said and any explicit ids or confirmation."""

    message: str | None
    confirm_token: str | None
    ticket_id: str | None
    draft_id: str | None
    decision: Literal["confirm", "cancel"] | None


class Memory(TypedDict, total=False):
    """Short-term memory carried across turns (small and bounded)."""

    ticket_id: str | None
    draft_id: str | None
    pending_action_id: str | None
    pending_tool: str | None
    last_intent: str | None
    recent_ticket_ids: list[str]
    lang: str


class State(TurnInput, total=False):
    """Full state. Per-turn channels are overwritten at the start of every turn."""

    memory: Memory
    transcript: list[dict[str, str]]  # last few lines only; the full transcript is in Postgres
    resolved: Scratch  # this turn's ticket/draft ids, their sources, language
    plan: Scratch  # the Plan proposed this turn
    verdict: Scratch  # the validator's decision
    outcome: Scratch  # what an executor (or gate) produced
    events: Annotated[list[dict[str, Any]], UntrackedValue(list)]  # flushed by finalize
    usage: Scratch  # LLM usage of this turn
    result: dict[str, Any] | None  # the unified result of the last turn


def empty_usage() -> dict[str, Any]:
    """Zero LLM usage."""
    return {"llm_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}


MAX_RECENT_TICKETS = 5
