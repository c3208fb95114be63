"""Whether a turn answers a pending action: confirm_gate acts on it, the graph routes by it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.domain import PendingStatus
from tools.planner.answers import nothing_to_confirm
from tools.planner.plan import Confirmation, PlanContext
from tools.planner.rules import classify_confirmation, plan_rules
from turn.state import Memory

CARRIED_OUT = (PendingStatus.EXECUTED, PendingStatus.FAILED)
"""A pending action in one of these was confirmed and run: its stored outcome is the answer
to any repeat of the confirm."""


def forget_pending(memory: Memory | None) -> Memory:
    """The thread's memory with no action waiting."""
    return {**(memory or {}), "pending_action_id": None, "pending_tool": None}


def stated_decision(state: Mapping[str, Any]) -> Confirmation | None:
    """The decision this turn states outright; None when there is none (or the policy decides)."""
    if state.get("decision"):
        decision: Confirmation = state["decision"]
        return decision
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


def has_business(state: Mapping[str, Any]) -> bool:
    """Whether this turn answers (or supersedes) a pending action: if not, the gate is skipped."""
    return bool((state.get("memory") or {}).get("pending_action_id") or stated_decision(state))
