"""Graph state: a narrow input schema and the full, bounded state the checkpointer keeps."""

from __future__ import annotations

from typing import Any, Literal, TypedDict


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
    resolved: dict[str, Any]  # this turn's ticket/draft ids, their sources, language
    plan: dict[str, Any] | None  # the Plan proposed this turn
    verdict: dict[str, Any] | None  # the validator's decision
    outcome: dict[str, Any] | None  # what an executor (or gate) produced
    events: list[dict[str, Any]]  # audit events of this turn, flushed by finalize
    usage: dict[str, Any]  # LLM usage of this turn
    result: dict[str, Any] | None  # the unified result of the last turn


def empty_usage() -> dict[str, Any]:
    """Zero LLM usage."""
    return {"llm_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}


MAX_RECENT_TICKETS = 5
